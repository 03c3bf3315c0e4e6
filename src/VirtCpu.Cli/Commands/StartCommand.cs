using System.CommandLine;
using System.Text.Json;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Migration;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu start --guest CPU.xml --on NODE.json [--json]</c>: start a guest on a node.</summary>
internal static class StartCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("start", "Start a guest on a node: host-model expansion, validation, the QEMU build and the live update; prints the live definition and the enabled features, or why the start fails. Exit 1 when it fails.");
        var guest = GuestOptions.AddTo(command, required: true);
        var on = new Option<string>("--on") { Description = "The node profile (JSON).", Required = true };
        command.Options.Add(on);
        var json = JsonOption.AddTo(command);
        command.SetAction(parseResult =>
        {
            var guestFile = guest.File(parseResult)!;
            var (definition, machine) = guest.Read(parseResult);
            var node = Node.Resolve(NodeProfileReader.Read(parseResult.GetValue(on)!));
            Unmodelled.Refuse(definition, guestFile, node);
            var start = GuestStarter.Start(definition, node, machine);
            if (parseResult.GetValue(json))
            {
                JsonOption.WriteToStdout(w => MigrationReport.WriteStart(start, w));
            }
            else
            {
                MigrationReport.WriteStart(start, Console.Out);
            }

            return start.Succeeded ? Cli.Ok : Cli.Negative;
        });
        return command;
    }
}
