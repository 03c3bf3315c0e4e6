using System.CommandLine;
using VirtCpu.Live;
using VirtCpu.Operations;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu fleet capture --fleet FILE --out DIR</c>: every live node of a fleet and its running domains, into a folder.</summary>
internal static class FleetCaptureCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var fleet = new Option<string>("--fleet") { Description = "The fleet file (JSON: nodes by URI or by captured profile, with capacity; see README).", Required = true };
        var output = new Option<string>("--out") { Description = "The capture folder: fleet.json (the index), nodes/NAME.json, domains/NAME/DOMAIN.xml.", Required = true };
        var command = new Command("capture", "Capture every live node of a fleet (node profile, capacity from virsh nodeinfo, limits) and the live XML of every running domain into a folder a user can keep in git. Nothing is written unless every node answers.");
        command.Options.Add(fleet);
        command.Options.Add(output);
        command.SetAction(parseResult =>
        {
            var dir = parseResult.GetValue(output)!;
            var nodes = FleetCapture.Capture(parseResult.GetValue(fleet)!, dir, uri => new Virsh(uri), n =>
            {
                foreach (var gone in n.Entry.Vanished)
                {
                    Console.Error.WriteLine($"virtcpu: node {n.Entry.Name}: domain {gone} vanished during capture (no longer running); not recorded");
                }
            });
            Console.Error.WriteLine($"virtcpu: wrote {Path.Combine(dir, FleetFile.IndexName)}: {nodes.Length} live node(s), {nodes.Sum(n => n.Domains.Length)} running domain(s)");
            return Cli.Ok;
        });
        return command;
    }
}
