using System.CommandLine;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Operations;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu fleet what-if --fleet DIR-or-FILE --add PROFILE | --remove HOST</c>: guests that gain or lose every valid target.</summary>
internal static class FleetWhatIfCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var fleet = new Option<string>("--fleet") { Description = "A capture folder (virtcpu fleet capture) or a fleet file.", Required = true };
        var add = new Option<string?>("--add") { Description = "A node profile: the node to add.", HelpName = "PROFILE" };
        var remove = new Option<string?>("--remove") { Description = "The node to remove (its name in the fleet).", HelpName = "HOST" };
        var name = new Option<string?>("--name") { Description = "With --add: the new node's name (default: the profile's file name)." };
        var vcpus = new Option<int?>("--vcpus") { Description = "With --add: the vCPUs guests may use on it (default: no limit)." };
        var memory = new Option<long?>("--memory-mib") { Description = "With --add: the memory guests may use on it, in MiB (default: no limit)." };
        var pools = new Option<int>("--max-pools") { Description = "The most compatibility pools per vendor (default 4, as fleet report).", DefaultValueFactory = _ => 4 };
        var command = new Command("what-if", "How the pools, baselines and x86-64 levels change, and which running guests gain or lose every valid target (a node that takes them SAFE), when a node is added or removed; for a removal, where its own guests can go. Exit 0 when no guest loses every target (and, for a removal, every displaced guest has one), 1 otherwise.");
        foreach (var o in new Option[] { fleet, add, remove, name, vcpus, memory, pools })
        {
            command.Options.Add(o);
        }

        var json = JsonOption.AddTo(command);
        command.SetAction(parseResult =>
        {
            var running = RunningFleet.Load(parseResult.GetValue(fleet)!);
            WhatIfReport report;
            if (parseResult.GetValue(add) is { } profileFile && parseResult.GetValue(remove) is null)
            {
                var profile = NodeProfileReader.Read(profileFile);
                var node = WhatIf.NewNode(profile, parseResult.GetValue(name) ?? Path.GetFileNameWithoutExtension(profileFile), parseResult.GetValue(vcpus), parseResult.GetValue(memory));
                report = WhatIf.Add(running, node, maxPools: parseResult.GetValue(pools));
            }
            else if (parseResult.GetValue(remove) is { } host && parseResult.GetValue(add) is null)
            {
                report = WhatIf.Remove(running, host, maxPools: parseResult.GetValue(pools));
            }
            else
            {
                throw new InputException("what-if", "give exactly one of --add PROFILE or --remove HOST");
            }

            if (parseResult.GetValue(json))
            {
                JsonOption.WriteToStdout(w => WhatIf.WriteJson(report, w));
            }
            else
            {
                WhatIf.Write(report, Console.Out);
            }

            return report.Lose.IsEmpty && report.Displaced.All(g => !g.After.IsEmpty) ? Cli.Ok : Cli.Negative;
        });
        return command;
    }
}
