using System.Collections.Immutable;
using System.Text;
using VirtCpu.Cpu;

namespace VirtCpu.Migration;

/// <summary>One non-SAFE cell of a migration matrix, for a group of identical source nodes and a group of identical destination nodes.</summary>
/// <param name="Guest">The guest's name.</param>
/// <param name="From">The source node (the first of its group).</param>
/// <param name="To">The destination node (the first of its group; <c>*</c> when the guest does not start on the source).</param>
/// <param name="Verdict">The verdict.</param>
/// <param name="FromNodes">Every source node the row stands for (identical nodes).</param>
/// <param name="ToNodes">Every destination node the row stands for (empty: every other node).</param>
public sealed record MatrixRow(string Guest, string From, string To, MigrationVerdict Verdict, ImmutableArray<string> FromNodes, ImmutableArray<string> ToNodes)
{
    /// <summary>The number of ordered node pairs the row stands for.</summary>
    public long Pairs { get; init; } = 1;
}

/// <summary>The verdicts of every guest on every ordered pair of distinct nodes.</summary>
/// <param name="Guests">The number of guests.</param>
/// <param name="Nodes">The number of nodes.</param>
/// <param name="NodeGroups">The number of groups of identical nodes.</param>
/// <param name="Counts">Verdict counts (every guest × ordered node pair).</param>
/// <param name="Rows">The non-SAFE cells by node group, in guest, source, destination order.</param>
/// <param name="Starts">Distinct guest starts computed (source and destination side).</param>
public sealed record MatrixResult(int Guests, int Nodes, int NodeGroups, ImmutableDictionary<Verdict, long> Counts, ImmutableArray<MatrixRow> Rows, long Starts)
{
    /// <summary>The number of verdicts.</summary>
    public long Total => Counts.Values.Sum();
}

/// <summary>
/// Computes migrate-check for every guest × ordered node pair. Identical nodes are grouped, starts
/// are memoized per (guest, node group), destination results per (migration definition, machine,
/// destination group), and full verdicts (with reasons) are built only for non-SAFE cells.
/// </summary>
public static class MigrationMatrix
{
    /// <summary>Runs the matrix.</summary>
    /// <param name="guests">The guests (name, definition).</param>
    /// <param name="nodes">The nodes (names must be distinct).</param>
    /// <param name="progress">Reports the number of guests done (may be null).</param>
    /// <returns>The result.</returns>
    public static MatrixResult Run(IReadOnlyList<(string Name, CpuDefinition Definition)> guests, IReadOnlyList<Node> nodes, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(guests);
        ArgumentNullException.ThrowIfNull(nodes);
        var groupOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var groups = new List<List<Node>>();
        foreach (var n in nodes)
        {
            var key = n.Key;
            if (!groupOf.TryGetValue(key, out var g))
            {
                g = groups.Count;
                groupOf.Add(key, g);
                groups.Add([]);
            }

            groups[g].Add(n);
        }

        var gcount = groups.Count;
        var reps = groups.Select(g => g[0]).ToArray();
        var perGuest = new (long[] Counts, List<MatrixRow> Rows, long Starts)[guests.Count];
        var done = 0;
        Parallel.For(0, guests.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, gi =>
        {
            var (name, definition) = guests[gi];
            var counts = new long[4];
            var rows = new List<MatrixRow>();
            long starts = 0;
            var sources = new GuestStart[gcount];
            var migrated = new CpuDefinition?[gcount];
            var destinationIds = new int[gcount];
            var destinationMemo = new Dictionary<string, int>(StringComparer.Ordinal);
            var destinations = new List<GuestStart?[]>();
            for (var s = 0; s < gcount; s++)
            {
                sources[s] = GuestStarter.Start(definition, reps[s]);
                starts++;
                if (sources[s].Succeeded)
                {
                    var d = MigrationCheck.MigratableDefinition(sources[s], definition);
                    migrated[s] = d;
                    var key = DefinitionKey(d, sources[s].Machine);
                    if (!destinationMemo.TryGetValue(key, out var id))
                    {
                        id = destinations.Count;
                        destinationMemo.Add(key, id);
                        destinations.Add(new GuestStart?[gcount]);
                    }

                    destinationIds[s] = id;
                }
            }

            for (var s = 0; s < gcount; s++)
            {
                var src = sources[s];
                var sourceSize = groups[s].Count;
                if (!src.Succeeded)
                {
                    var pairs = (long)sourceSize * (nodes.Count - 1);
                    counts[(int)Verdict.SourceFails] += pairs;
                    if (pairs > 0)
                    {
                        var v = MigrationCheck.SourceFailed(src);
                        rows.Add(new MatrixRow(name, groups[s][0].Name, "*", v, [.. groups[s].Select(x => x.Name)], []) { Pairs = pairs });
                    }

                    continue;
                }

                var memo = destinations[destinationIds[s]];
                for (var t = 0; t < gcount; t++)
                {
                    var pairs = (long)sourceSize * groups[t].Count - (s == t ? sourceSize : 0);
                    if (pairs == 0)
                    {
                        continue;
                    }

                    var dst = memo[t];
                    if (dst is null)
                    {
                        dst = GuestStarter.Start(migrated[s]!, reps[t], src.Machine);
                        memo[t] = dst;
                        starts++;
                    }

                    if (dst.Succeeded
                        && string.Equals(src.Vendor, dst.Vendor, StringComparison.Ordinal)
                        && src.Signature == dst.Signature
                        && HypervisorNameBridge.For(src.Node.Hypervisor, dst.Node.Hypervisor).AreEqual(src.Enabled, dst.Enabled))
                    {
                        counts[(int)Verdict.Safe] += pairs;
                        continue;
                    }

                    var verdict = MigrationCheck.Judge(src, migrated[s]!, dst);
                    counts[(int)verdict.Verdict] += pairs;
                    rows.Add(new MatrixRow(name, groups[s][0].Name, groups[t][0].Name, verdict, [.. groups[s].Select(x => x.Name)], [.. groups[t].Select(x => x.Name)]) { Pairs = pairs });
                }
            }

            perGuest[gi] = (counts, rows, starts);
            var n = Interlocked.Increment(ref done);
            progress?.Report(n);
        });

        var total = new long[4];
        var allRows = ImmutableArray.CreateBuilder<MatrixRow>();
        long allStarts = 0;
        foreach (var (c, r, st) in perGuest)
        {
            for (var i = 0; i < 4; i++)
            {
                total[i] += c[i];
            }

            allRows.AddRange(r);
            allStarts += st;
        }

        var counts = ImmutableDictionary.CreateBuilder<Verdict, long>();
        for (var i = 0; i < 4; i++)
        {
            counts[(Verdict)i] = total[i];
        }

        return new MatrixResult(guests.Count, nodes.Count, gcount, counts.ToImmutable(), allRows.ToImmutable(), allStarts);
    }

    /// <summary>A key equal for definitions that behave the same (feature order does not matter).</summary>
    /// <param name="definition">The definition.</param>
    /// <param name="machine">The machine type.</param>
    /// <returns>The key.</returns>
    public static string DefinitionKey(CpuDefinition definition, string machine)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var sb = new StringBuilder();
        sb.Append(machine).Append('|').Append(definition.Mode).Append('|').Append(definition.Match).Append('|').Append(definition.Check).Append('|')
          .Append(definition.Model).Append('|').Append(definition.Vendor).Append('|');
        foreach (var f in definition.Features.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            sb.Append(f.Name).Append('=').Append(f.Policy?.ToString() ?? "-").Append(';');
        }

        return sb.ToString();
    }
}
