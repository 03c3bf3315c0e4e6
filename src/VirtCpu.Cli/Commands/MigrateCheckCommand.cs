using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using VirtCpu.Formats;
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
        var command = new Command("migrate-check", "Predict a live migration: SAFE, BLOCKED (with the refusing step) or UNSAFE (features lost or gained, vendor or signature changes). Exit 0 SAFE, 1 BLOCKED/UNSAFE, 2 bad input. Batch: --guests DIR --nodes NODES.json checks every guest on every ordered node pair.");
        var guest = new Option<string?>("--guest") { Description = "The guest <cpu> definition (XML)." };
        var from = new Option<string?>("--from") { Description = "The source node profile (JSON)." };
        var to = new Option<string?>("--to") { Description = "The destination node profile (JSON)." };
        var guests = new Option<string?>("--guests") { Description = "Batch: a directory of guest definitions (*.xml)." };
        var nodes = new Option<string?>("--nodes") { Description = "Batch: a JSON list of named node profiles." };
        var quiet = new Option<bool>("--quiet") { Description = "Batch: no progress on stderr." };
        foreach (var o in new Option[] { guest, from, to, guests, nodes, quiet })
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

            var guestFile = parseResult.GetValue(guest) ?? throw new InputException("give --guest, --from and --to (or --guests and --nodes)");
            var source = Node.Resolve(NodeProfileReader.Read(parseResult.GetValue(from) ?? throw new InputException("--from is required")));
            var target = Node.Resolve(NodeProfileReader.Read(parseResult.GetValue(to) ?? throw new InputException("--to is required")));
            var definition = GuestFiles.Read(guestFile);
            Unmodelled.Refuse(definition, guestFile, source, target);
            var verdict = MigrationCheck.Check(definition, source, target);
            if (asJson)
            {
                JsonOption.WriteToStdout(w => MigrationReport.WriteVerdict(verdict, w));
            }
            else
            {
                MigrationReport.WriteVerdict(verdict, Console.Out);
            }

            return verdict.Verdict == Verdict.Safe ? Cli.Ok : Cli.Negative;
        });
        return command;
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
