using System.CommandLine;
using System.Text.Json;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Migration;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu translate --guest LIVE.xml --to NODE.json</c>: reverse translation into a node's vocabulary.</summary>
internal static class TranslateCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("translate", "Rewrite a live definition into a destination node's catalog vocabulary (a model it knows plus explicit features) so that the destination builds exactly the same CPU. Exit 1 when impossible.");
        var guest = new Option<string>("--guest") { Description = "The live <cpu> definition (XML).", Required = true };
        var to = new Option<string>("--to") { Description = "The destination node profile (JSON).", Required = true };
        var machine = new Option<string?>("--machine") { Description = "The guest's machine type (default: the node's)." };
        var model = new Option<string?>("--model") { Description = "Translate to this model only." };
        command.Options.Add(guest);
        command.Options.Add(to);
        command.Options.Add(machine);
        command.Options.Add(model);
        var json = JsonOption.AddTo(command);
        command.SetAction(parseResult =>
        {
            var definition = GuestFiles.Read(parseResult.GetValue(guest)!);
            var node = Node.Resolve(NodeProfileReader.Read(parseResult.GetValue(to)!));
            var translation = ReverseTranslator.Translate(definition, node, parseResult.GetValue(machine), parseResult.GetValue(model));
            if (parseResult.GetValue(json))
            {
                JsonOption.WriteToStdout(w => MigrationReport.WriteTranslation(translation, w));
            }
            else
            {
                MigrationReport.WriteTranslation(translation, Console.Out);
            }

            return translation.Succeeded ? Cli.Ok : Cli.Negative;
        });
        return command;
    }
}
