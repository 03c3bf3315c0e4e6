using System.CommandLine;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Operations;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu upgrade-check --nodes H1,H2 --to PROFILE --fleet DIR-or-FILE</c>: a rolling upgrade, guest by guest.</summary>
internal static class UpgradeCheckCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var nodes = new Option<string>("--nodes") { Description = "The nodes to upgrade, comma-separated, in the preferred order.", Required = true };
        var to = new Option<string>("--to") { Description = "The node profile of the target releases (e.g. a captured Debian 13 node).", Required = true };
        var fleet = new Option<string>("--fleet") { Description = "A capture folder (virtcpu fleet capture) or a fleet file.", Required = true };
        var command = new Command("upgrade-check", "A rolling upgrade of nodes to other libvirt/QEMU releases: per running guest, can it leave before, come back after, with the same vCPU, and what causes it when not (release behaviour, catalog change); an order that keeps every guest running, or the guests that need a cold restart. Exit 0 when every guest keeps running, 1 otherwise.");
        command.Options.Add(nodes);
        command.Options.Add(to);
        command.Options.Add(fleet);
        var json = JsonOption.AddTo(command);
        command.SetAction(parseResult =>
        {
            var list = parseResult.GetValue(nodes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var plan = UpgradeCheck.Check(RunningFleet.Load(parseResult.GetValue(fleet)!), list, NodeProfileReader.Read(parseResult.GetValue(to)!));
            if (parseResult.GetValue(json))
            {
                JsonOption.WriteToStdout(w => UpgradeReport.WriteJson(plan, w));
            }
            else
            {
                UpgradeReport.Write(plan, Console.Out);
            }

            return plan.KeepsEveryGuestRunning ? Cli.Ok : Cli.Negative;
        });
        return command;
    }
}
