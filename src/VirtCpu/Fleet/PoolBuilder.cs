using System.Collections.Immutable;
using VirtCpu.Catalog;

namespace VirtCpu.Fleet;

/// <summary>
/// Groups the hosts of one vendor into compatibility pools (see <c>docs/fleet.md</c>):
/// 1. every host starts in the tier of the newest model it can run (hosts with the same newest
///    model form one pool; each pool's common model is then that model, as new as it can be);
/// 2. while there are more pools than allowed, the two pools whose union keeps the newest common
///    model are merged (ties: the merge of more hosts) — agglomerative clustering where the cost of
///    a merge is how old the merged pool's model becomes;
/// 3. for each pool, the newer model that the fewest members lack names the hosts holding the pool
///    back; the gain is the newest common model of the pool without them.
/// The pool state is the intersection of its members' feature sets (a model is usable on every
/// member exactly when its features are in that intersection), so merging is cheap.
/// </summary>
internal static class PoolBuilder
{
    /// <summary>A computed pool (indices into the host list and the catalog's models).</summary>
    /// <param name="Hosts">The members.</param>
    /// <param name="Model">The newest common model, or null.</param>
    /// <param name="HeldBackBy">The members holding the pool back.</param>
    /// <param name="Gain">The newest common model without them, or null.</param>
    public sealed record Pool(ImmutableArray<int> Hosts, int? Model, ImmutableArray<int> HeldBackBy, int? Gain);

    public static List<Pool> Build(UsabilityMatrix matrix, IReadOnlyList<FleetHost> hosts, ImmutableArray<int> members, int[] candidates, int maxPools)
    {
        var pools = Tiers(matrix, hosts, members, candidates);
        MergeTiers(matrix, candidates, pools, maxPools);
        var result = new List<Pool>();
        foreach (var tier in pools)
        {
            result.Add(HeldBack(matrix, hosts, candidates, tier));
        }

        result.Sort((x, y) => (y.Model ?? -1).CompareTo(x.Model ?? -1));
        return result;
    }

    /// <summary>The newest candidate (index into <paramref name="candidates"/>) whose features a common set holds, or -1.</summary>
    private static int Best(UsabilityMatrix matrix, int[] candidates, FeatureSet common)
    {
        for (var k = candidates.Length - 1; k >= 0; k--)
        {
            if (common.ContainsAll(matrix.Models[candidates[k]].Features))
            {
                return k;
            }
        }

        return -1;
    }

    /// <summary>Step 1: tiers by each host's newest usable model.</summary>
    private static List<Tier> Tiers(UsabilityMatrix matrix, IReadOnlyList<FleetHost> hosts, ImmutableArray<int> members, int[] candidates)
    {
        var tiers = new SortedDictionary<int, Tier>();
        var bestOfRow = new Dictionary<int, int>();
        foreach (var i in members)
        {
            var row = matrix.RowOf(i);
            if (!bestOfRow.TryGetValue(row, out var best))
            {
                best = -1;
                for (var k = candidates.Length - 1; k >= 0; k--)
                {
                    if (matrix.IsUsable(i, candidates[k]))
                    {
                        best = k;
                        break;
                    }
                }

                bestOfRow.Add(row, best);
            }

            if (tiers.TryGetValue(best, out var tier))
            {
                tier.Hosts.Add(i);
                tier.Common &= hosts[i].Features;
                tier.SumOwn += best;
            }
            else
            {
                tiers.Add(best, new Tier { Hosts = [i], Common = hosts[i].Features, SumOwn = best, Best = best });
            }
        }

        return tiers.Values.ToList();
    }

    /// <summary>
    /// Step 2: merges down to the allowed number of pools: each time the pair whose merge costs the
    /// fewest host-steps (sum over the members of how much older the pool model is than the newest
    /// model each member could run alone).
    /// </summary>
    private static void MergeTiers(UsabilityMatrix matrix, int[] candidates, List<Tier> pools, int maxPools)
    {
        while (pools.Count > Math.Max(1, maxPools))
        {
            var (ba, bb, bestCost, bestModel) = (0, 1, long.MaxValue, -2);
            for (var a = 0; a < pools.Count; a++)
            {
                for (var b = a + 1; b < pools.Count; b++)
                {
                    var merged = Best(matrix, candidates, pools[a].Common & pools[b].Common);
                    var cost = pools[a].SumOwn + pools[b].SumOwn - ((long)(pools[a].Hosts.Count + pools[b].Hosts.Count) * merged) - pools[a].Loss - pools[b].Loss;
                    if (cost < bestCost || (cost == bestCost && merged > bestModel))
                    {
                        (ba, bb, bestCost, bestModel) = (a, b, cost, merged);
                    }
                }
            }

            pools[ba].Hosts.AddRange(pools[bb].Hosts);
            pools[ba].Common &= pools[bb].Common;
            pools[ba].SumOwn += pools[bb].SumOwn;
            pools[ba].Best = bestModel;
            pools.RemoveAt(bb);
        }
    }

    /// <summary>Step 3: the pool's model, the newer model most members could run and who holds the pool back from it, and the model the rest would get.</summary>
    private static Pool HeldBack(UsabilityMatrix matrix, IReadOnlyList<FleetHost> hosts, int[] candidates, Tier tier)
    {
        var (poolHosts, common) = (tier.Hosts, tier.Common);
        poolHosts.Sort();
        var best = Best(matrix, candidates, common);
        var minCount = int.MaxValue;
        var target = -1;
        for (var k = best + 1; k < candidates.Length; k++)
        {
            var count = 0;
            foreach (var i in poolHosts)
            {
                if (!matrix.IsUsable(i, candidates[k]))
                {
                    count++;
                }
            }

            if (count < poolHosts.Count && count <= minCount)
            {
                minCount = count;
                target = k;
            }
        }

        ImmutableArray<int> heldBack = [];
        int? gain = null;
        if (target >= 0)
        {
            heldBack = [.. poolHosts.Where(i => !matrix.IsUsable(i, candidates[target]))];
            var rest = poolHosts.Where(i => matrix.IsUsable(i, candidates[target])).ToList();
            var newest = Best(matrix, candidates, FleetReport.Intersection(hosts, rest));
            gain = newest >= 0 ? candidates[newest] : null;
        }

        return new Pool([.. poolHosts], best >= 0 ? candidates[best] : null, heldBack, gain);
    }

    private sealed class Tier
    {
        public required List<int> Hosts { get; init; }

        public FeatureSet Common { get; set; }

        public long SumOwn { get; set; }

        public int Best { get; set; }

        public long Loss => SumOwn - ((long)Hosts.Count * Best);
    }
}
