using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Migration;

namespace VirtCpu.Cli.Commands;

/// <summary>
/// <c>virtcpu migrate-check --guest CPU.xml --from NODE.json --to NODE.json [--json]</c>, and the batch
/// form <c>--guests DIR --nodes NODES.json</c>.
/// </summary>
internal static class MigrateCheckCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("migrate-check", "Predict a live migration: SAFE, BLOCKED (with the refusing step) or UNSAFE (features lost or gained, vendor or signature changes). Exit 0 SAFE, 1 BLOCKED/UNSAFE, 2 bad input. --then adds hops (an evacuation and return); --domain checks a running domain between two live nodes; batch: --guests DIR --nodes NODES.json checks every guest on every ordered node pair.");
        var guest = GuestOptions.AddTo(command, required: false);
        var from = new Option<string?>("--from") { Description = "The source node profile (JSON)." };
        var to = new Option<string?>("--to") { Description = "The destination node profile (JSON); with --domain, the destination's libvirt URI." };
        var then = new Option<string[]>("--then") { Description = "A further hop: the next node profile (repeat for more hops); each starts from the live definition the previous hop leaves.", HelpName = "NODE.json" };
        var domain = new Option<string?>("--domain") { Description = "A running domain: its migratable XML is read from --connect, both nodes are captured, and the verdict printed.", HelpName = "NAME" };
        var connect = new Option<string?>("--connect", "-c") { Description = "With --domain: the source node's libvirt URI.", HelpName = "URI" };
        var guests = new Option<string?>("--guests") { Description = "Batch: a directory of guest definitions (*.xml)." };
        var nodes = new Option<string?>("--nodes") { Description = "Batch: a JSON list of named node profiles." };
        var quiet = new Option<bool>("--quiet") { Description = "Batch: no progress on stderr." };
        foreach (var o in new Option[] { from, to, then, domain, connect, guests, nodes, quiet })
        {
            command.Options.Add(o);
        }

        var json = JsonOption.AddTo(command);
        command.SetAction(parseResult =>
        {
            var asJson = parseResult.GetValue(json);
            if (parseResult.GetValue(guests) is { } dir)
            {
                var list = parseResult.GetValue(nodes) ?? throw new InputException("--guests needs --nodes");
                return Batch(dir, list, asJson, parseResult.GetValue(quiet));
            }

            if (parseResult.GetValue(domain) is { } name)
            {
                return LiveDomainCheck(name, parseResult.GetValue(connect), parseResult.GetValue(to) ?? throw new InputException("--domain needs --to DEST_URI"), asJson);
            }

            var guestFile = guest.File(parseResult) ?? throw new InputException("give --guest, --from and --to (or --domain, or --guests and --nodes)");
            var (definition, machine) = guest.Read(parseResult);
            var route = new List<Node>
            {
                Node.Resolve(NodeProfileReader.Read(parseResult.GetValue(from) ?? throw new InputException("--from is required"))),
                Node.Resolve(NodeProfileReader.Read(parseResult.GetValue(to) ?? throw new InputException("--to is required"))),
            };
            route.AddRange((parseResult.GetValue(then) ?? []).Select(p => Node.Resolve(NodeProfileReader.Read(p))));
            Unmodelled.Refuse(definition, guestFile, [.. route]);
            return Report(definition, route, machine, asJson);
        });
        return command;
    }

    private static int Report(Cpu.CpuDefinition definition, List<Node> route, string? machine, bool asJson)
    {
        if (route.Count == 2)
        {
            var verdict = MigrationCheck.Check(definition, route[0], route[1], machine: machine);
            if (asJson)
            {
                JsonOption.WriteToStdout(w => MigrationReport.WriteVerdict(verdict, w));
            }
            else
            {
                MigrationReport.WriteVerdict(verdict, Console.Out);
            }

            return verdict.Verdict == Verdict.Safe ? Cli.Ok : Cli.Negative;
        }

        var verdicts = MigrationCheck.CheckRoute(definition, route, machine);
        if (asJson)
        {
            JsonOption.WriteToStdout(w => MigrationReport.WriteRoute(verdicts, w));
        }
        else
        {
            MigrationReport.WriteRoute(verdicts, Console.Out);
        }

        return verdicts.All(v => v.Verdict == Verdict.Safe) && verdicts.Count == route.Count - 1 ? Cli.Ok : Cli.Negative;
    }

    private static int LiveDomainCheck(string name, string? sourceUri, string destinationUri, bool asJson)
    {
        var folder = Directory.CreateTempSubdirectory("virtcpu-");
        try
        {
            var source = new Live.Virsh(sourceUri);
            var domain = Live.LiveDomain.ReadMigratable(source, name);

            // Both nodes as the domain's type sees them: a TCG guest on a KVM host gets the TCG host-model.
            var from = Node.Resolve(NodeProfileReader.Read(Live.LiveDomain.CaptureNode(sourceUri, folder.FullName, "source", domain.Type)));
            var to = Node.Resolve(NodeProfileReader.Read(Live.LiveDomain.CaptureNode(destinationUri, folder.FullName, "destination", domain.Type)));
            Unmodelled.Refuse(domain.Cpu, name, from, to);
            return Report(domain.Cpu, [from, to], domain.MachineIsAlias ? null : domain.Machine, asJson);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static int Batch(string directory, string nodeList, bool asJson, bool quiet)
    {
        var clock = Stopwatch.StartNew();
        var guests = GuestFiles.ReadDirectory(directory);
        var nodes = NodeProfileReader.ReadList(nodeList).Select(Node.Resolve).ToList();
        foreach (var (name, definition) in guests)
        {
            Unmodelled.Refuse(definition, Path.Combine(directory, name), nodes);
        }

        var loaded = clock.Elapsed;
        var total = guests.Length;
        var step = Math.Max(1, total / 20);
        var progress = quiet ? null : new SynchronousProgress(n =>
        {
            if (n % step == 0 || n == total)
            {
                Console.Error.WriteLine($"virtcpu: migrate-check: {n}/{total} guests ({clock.Elapsed.TotalSeconds:0.0} s)");
            }
        });
        var result = MigrationMatrix.Run(guests, nodes, progress);
        var computed = clock.Elapsed;
        if (asJson)
        {
            JsonOption.WriteToStdout(w => MatrixReport.Write(result, w));
        }
        else
        {
            using var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16);
            MatrixReport.Write(result, stdout);
        }

        if (!quiet)
        {
            Console.Error.WriteLine($"virtcpu: migrate-check: {result.Total} verdicts for {result.Guests} guests x {result.Nodes} nodes ({result.NodeGroups} distinct) in {computed.TotalSeconds:0.00} s (reading {loaded.TotalSeconds:0.00} s, {result.Starts} starts computed), output {(clock.Elapsed - computed).TotalSeconds:0.00} s");
        }

        return result.Counts[Verdict.Safe] == result.Total ? Cli.Ok : Cli.Negative;
    }

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        private readonly Lock _lock = new();

        public void Report(int value)
        {
            lock (_lock)
            {
                report(value);
            }
        }
    }
}
