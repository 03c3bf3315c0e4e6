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
        var groups = GroupIdenticalNodes(nodes);
        var perGuest = new GuestCells[guests.Count];
        var done = 0;
        Parallel.For(0, guests.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, guestIndex =>
        {
            var (name, definition) = guests[guestIndex];
            perGuest[guestIndex] = RunGuest(name, definition, groups, nodes.Count);
            var finished = Interlocked.Increment(ref done);
            progress?.Report(finished);
        });

        var total = new long[4];
        var allRows = ImmutableArray.CreateBuilder<MatrixRow>();
        long allStarts = 0;
        foreach (var cells in perGuest)
        {
            for (var i = 0; i < 4; i++)
            {
                total[i] += cells.Counts[i];
            }

            allRows.AddRange(cells.Rows);
            allStarts += cells.Starts;
        }

        var counts = ImmutableDictionary.CreateBuilder<Verdict, long>();
        for (var i = 0; i < 4; i++)
        {
            counts[(Verdict)i] = total[i];
        }

        return new MatrixResult(guests.Count, nodes.Count, groups.Count, counts.ToImmutable(), allRows.ToImmutable(), allStarts);
    }

    /// <summary>One guest's part of the matrix: verdict counts, non-SAFE rows, starts computed.</summary>
    private sealed record GuestCells(long[] Counts, List<MatrixRow> Rows, long Starts);

    /// <summary>The guest started on one node of each group, and what each successful start sends.</summary>
    private sealed class SourceStarts(int groupCount)
    {
        public GuestStart[] Starts { get; } = new GuestStart[groupCount];

        public CpuDefinition?[] Migrated { get; } = new CpuDefinition?[groupCount];

        /// <summary>Per source group, the slot of destination starts it shares with the groups that send the same definition on the same machine.</summary>
        public int[] DestinationIds { get; } = new int[groupCount];

        public List<GuestStart?[]> Destinations { get; } = [];
    }

    /// <summary>Nodes with the same key behave the same: one group each, in first-seen order.</summary>
    private static List<List<Node>> GroupIdenticalNodes(IReadOnlyList<Node> nodes)
    {
        var groupOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var groups = new List<List<Node>>();
        foreach (var node in nodes)
        {
            var key = node.Key;
            if (!groupOf.TryGetValue(key, out var group))
            {
                group = groups.Count;
                groupOf.Add(key, group);
                groups.Add([]);
            }

            groups[group].Add(node);
        }

        return groups;
    }

    private static SourceStarts StartOnSources(CpuDefinition definition, List<List<Node>> groups)
    {
        var sources = new SourceStarts(groups.Count);
        var destinationMemo = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var sourceGroup = 0; sourceGroup < groups.Count; sourceGroup++)
        {
            var start = GuestStarter.Start(definition, groups[sourceGroup][0]);
            sources.Starts[sourceGroup] = start;
            if (!start.Succeeded)
            {
                continue;
            }

            var migrated = MigrationCheck.MigratableDefinition(start, definition);
            sources.Migrated[sourceGroup] = migrated;
            var key = DefinitionKey(migrated, start.Machine);
            if (!destinationMemo.TryGetValue(key, out var id))
            {
                id = sources.Destinations.Count;
                destinationMemo.Add(key, id);
                sources.Destinations.Add(new GuestStart?[groups.Count]);
            }

            sources.DestinationIds[sourceGroup] = id;
        }

        return sources;
    }

    private static GuestCells RunGuest(string name, CpuDefinition definition, List<List<Node>> groups, int nodeCount)
    {
        var counts = new long[4];
        var rows = new List<MatrixRow>();
        var sources = StartOnSources(definition, groups);
        long starts = groups.Count;
        for (var sourceGroup = 0; sourceGroup < groups.Count; sourceGroup++)
        {
            var source = sources.Starts[sourceGroup];
            var sourceSize = groups[sourceGroup].Count;
            if (!source.Succeeded)
            {
                var pairs = (long)sourceSize * (nodeCount - 1);
                counts[(int)Verdict.SourceFails] += pairs;
                if (pairs > 0)
                {
                    var failed = MigrationCheck.SourceFailed(source);
                    rows.Add(new MatrixRow(name, groups[sourceGroup][0].Name, "*", failed, [.. groups[sourceGroup].Select(x => x.Name)], []) { Pairs = pairs });
                }

                continue;
            }

            var memo = sources.Destinations[sources.DestinationIds[sourceGroup]];
            for (var targetGroup = 0; targetGroup < groups.Count; targetGroup++)
            {
                var pairs = (long)sourceSize * groups[targetGroup].Count - (sourceGroup == targetGroup ? sourceSize : 0);
                if (pairs == 0)
                {
                    continue;
                }

                var destination = memo[targetGroup];
                if (destination is null)
                {
                    destination = GuestStarter.Start(sources.Migrated[sourceGroup]!, groups[targetGroup][0], source.Machine);
                    memo[targetGroup] = destination;
                    starts++;
                }

                if (destination.Succeeded
                    && string.Equals(source.Vendor, destination.Vendor, StringComparison.Ordinal)
                    && source.Signature == destination.Signature
                    && HypervisorNameBridge.For(source.Node.Hypervisor, destination.Node.Hypervisor).AreEqual(source.GuestVisible, destination.GuestVisible))
                {
                    counts[(int)Verdict.Safe] += pairs;
                    continue;
                }

                var verdict = MigrationCheck.Judge(source, sources.Migrated[sourceGroup]!, destination);
                counts[(int)verdict.Verdict] += pairs;
                rows.Add(new MatrixRow(name, groups[sourceGroup][0].Name, groups[targetGroup][0].Name, verdict, [.. groups[sourceGroup].Select(x => x.Name)], [.. groups[targetGroup].Select(x => x.Name)]) { Pairs = pairs });
            }
        }

        return new GuestCells(counts, rows, starts);
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
