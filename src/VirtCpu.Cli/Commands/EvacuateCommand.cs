using System.CommandLine;
using VirtCpu.Operations;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu evacuate HOST --fleet DIR-or-FILE [--json | --commands]</c>: where every running guest of a host can go.</summary>
internal static class EvacuateCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var host = new Argument<string>("HOST") { Description = "The node to drain (its name in the fleet)." };
        var fleet = new Option<string>("--fleet") { Description = "A capture folder (virtcpu fleet capture) or a fleet file (live nodes are captured on the spot).", Required = true };
        var commands = new Option<bool>("--commands") { Description = "Print only the plan's virsh migrate commands." };
        var command = new Command("evacuate", "For every running guest of HOST: its valid targets (SAFE), the other nodes with verdict and reason, and a plan placing each guest on a valid target within free vCPUs and memory, as virsh migrate commands; guests without a place with what would unblock them. Exit 0 when every guest has a place, 1 otherwise.");
        command.Arguments.Add(host);
        command.Options.Add(fleet);
        command.Options.Add(commands);
        var json = JsonOption.AddTo(command);
        command.SetAction(parseResult =>
        {
            var plan = Evacuation.Plan(RunningFleet.Load(parseResult.GetValue(fleet)!), parseResult.GetValue(host)!);
            if (parseResult.GetValue(json))
            {
                JsonOption.WriteToStdout(w => EvacuationReport.WriteJson(plan, w));
            }
            else if (parseResult.GetValue(commands))
            {
                EvacuationReport.WriteCommands(plan, Console.Out);
            }
            else
            {
                EvacuationReport.Write(plan, Console.Out);
            }

            return plan.Complete ? Cli.Ok : Cli.Negative;
        });
        return command;
    }
}
