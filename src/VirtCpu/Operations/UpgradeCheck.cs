using System.Collections.Immutable;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Migration;

namespace VirtCpu.Operations;

/// <summary>What happens to one running guest in a rolling upgrade.</summary>
public enum UpgradeOutcome
{
    /// <summary>It leaves its node before the upgrade and comes back after it, with the same vCPU all the way.</summary>
    Returns = 0,

    /// <summary>It leaves with the same vCPU but cannot come back to the upgraded node: it stays where it went.</summary>
    Stays,

    /// <summary>It cannot leave with the same vCPU (no node takes it SAFE, or none has room): it needs a cold restart.</summary>
    ColdRestart,
}

/// <summary>One running guest of a node being upgraded.</summary>
/// <param name="Domain">The domain.</param>
/// <param name="Node">The node it runs on when its node is upgraded.</param>
/// <param name="Outcome">What happens to it.</param>
/// <param name="Target">Where it goes while its node is upgraded (null for a cold restart).</param>
/// <param name="Leave">The verdict on leaving (to <paramref name="Target"/>, or the first refusal when it cannot leave).</param>
/// <param name="Back">The verdict on coming back to the upgraded node (null for a cold restart).</param>
/// <param name="Notes">The causes of what is not SAFE, in release behaviour and catalog terms, and what a restart does.</param>
public sealed record UpgradeGuest(FleetDomain Domain, string Node, UpgradeOutcome Outcome, string? Target, GuestMove Leave, GuestMove? Back, ImmutableArray<string> Notes)
{
    /// <summary>For a cold restart: where a start from its inactive definition succeeds (its own upgraded node first, then the others) and where it is refused.</summary>
    public ImmutableArray<ColdRestartOutcome> ColdRestarts { get; init; } = [];
}

/// <summary>One step of a rolling upgrade: a node drained, upgraded, refilled.</summary>
/// <param name="Node">The node.</param>
/// <param name="Guests">Its running guests at that moment.</param>
public sealed record UpgradeStep(string Node, ImmutableArray<UpgradeGuest> Guests);

/// <summary>The result of <c>virtcpu upgrade-check</c>.</summary>
/// <param name="Target">The releases the nodes are upgraded to.</param>
/// <param name="Order">The rolling order found (the best one tried).</param>
/// <param name="Steps">Each node's step, in that order.</param>
/// <param name="OrdersTried">How many orders were tried.</param>
public sealed record UpgradePlan(string Target, ImmutableArray<string> Order, ImmutableArray<UpgradeStep> Steps, int OrdersTried)
{
    /// <summary>Every guest, step by step.</summary>
    public IEnumerable<UpgradeGuest> Guests => Steps.SelectMany(s => s.Guests);

    /// <summary>Whether the order keeps every guest running with the same vCPU.</summary>
    public bool KeepsEveryGuestRunning => Guests.All(g => g.Outcome != UpgradeOutcome.ColdRestart);
}

/// <summary>
/// <c>virtcpu upgrade-check --nodes H1,H2 --to PROFILE</c>: a rolling upgrade of some nodes to other
/// libvirt/QEMU releases (a node profile, e.g. Debian 13's), one node at a time: every running guest
/// of the node leaves (to a node that takes it SAFE and has room, preferring one from which it can
/// come back), the node is upgraded (same hardware limits, the profile's releases and host CPU), and
/// the guest comes back (route: node → target → upgraded node, each hop from the live definition the
/// previous one left). A guest is judged by its live definition, as it runs, never by what its inactive
/// definition (e.g. host-model) would mean on the new release; a guest that cannot leave is judged for a
/// cold restart from its inactive definition, on its upgraded node and on the others. Orders of up to 6 nodes are all tried;
/// the plan is the one with the fewest cold restarts, then the fewest guests that cannot come back.
/// </summary>
public static class UpgradeCheck
{
    /// <summary>Checks a rolling upgrade.</summary>
    /// <param name="fleet">The fleet.</param>
    /// <param name="nodes">The nodes to upgrade, in the preferred order.</param>
    /// <param name="profile">The node profile of the target releases.</param>
    /// <param name="moves">The verdict cache, or null.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="InputException">An unknown node, a node named twice, or a bad profile.</exception>
    public static UpgradePlan Check(RunningFleet fleet, IReadOnlyList<string> nodes, NodeProfile profile, GuestMoves? moves = null)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(profile);
        if (nodes.Count == 0)
        {
            throw new InputException("--nodes", "name at least one node to upgrade");
        }

        if (nodes.Distinct(StringComparer.Ordinal).Count() != nodes.Count)
        {
            throw new InputException("--nodes", "a node is named twice");
        }

        moves ??= new GuestMoves();
        var upgraded = nodes.ToDictionary(n => n, n => Upgraded(fleet.Find(n), profile), StringComparer.Ordinal);
        var orders = nodes.Count <= 6 ? Permutations([.. nodes]) : [[.. nodes]];
        UpgradePlan? best = null;
        (int, int) bestScore = (int.MaxValue, int.MaxValue);
        var tried = 0;
        foreach (var order in orders)
        {
            tried++;
            var plan = Simulate(fleet, order, upgraded, profile, moves);
            var score = (plan.Guests.Count(g => g.Outcome == UpgradeOutcome.ColdRestart), plan.Guests.Count(g => g.Outcome == UpgradeOutcome.Stays));
            if (score.CompareTo(bestScore) < 0)
            {
                (best, bestScore) = (plan, score);
            }

            if (score == (0, 0))
            {
                break;
            }
        }

        return best! with { OrdersTried = tried };
    }

    /// <summary>A node after the upgrade: the profile's releases and host CPU, the node's name, capacity and hardware limits.</summary>
    /// <param name="node">The node.</param>
    /// <param name="profile">The target releases.</param>
    /// <returns>The upgraded node.</returns>
    public static FleetMember Upgraded(FleetMember node, NodeProfile profile)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(profile);
        var maxVcpus = profile.HostSource.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) && File.Exists(profile.HostSource)
            ? TryMaxVcpus(profile.HostSource)
            : null;
        return node.With(Node.Resolve(profile with { Name = node.Name }), node.Limits with { MaxVcpus = maxVcpus ?? node.Limits.MaxVcpus });
    }

    private static int? TryMaxVcpus(string domcaps)
    {
        try
        {
            return FleetCapture.MaxVcpus(InputFile.ReadAllText(domcaps));
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    private static UpgradePlan Simulate(RunningFleet fleet, IReadOnlyList<string> order, Dictionary<string, FleetMember> upgraded, NodeProfile profile, GuestMoves moves)
    {
        var current = fleet.Nodes.ToDictionary(n => n.Name, n => n, StringComparer.Ordinal);
        var position = fleet.Nodes.Select((n, i) => (n.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var freeVcpus = fleet.Nodes.ToDictionary(n => n.Name, n => n.Vcpus is { } v ? v - (long)n.UsedVcpus : long.MaxValue, StringComparer.Ordinal);
        var freeMemory = fleet.Nodes.ToDictionary(n => n.Name, n => n.MemoryMiB is { } m ? m - n.UsedMemoryMiB : long.MaxValue, StringComparer.Ordinal);
        var guests = fleet.Domains.Select(d => (Domain: d, Route: new List<FleetMember> { fleet.Find(d.NodeName) }, At: d.NodeName)).ToList();
        var pending = new HashSet<string>(order, StringComparer.Ordinal);
        var steps = ImmutableArray.CreateBuilder<UpgradeStep>();
        foreach (var name in order)
        {
            pending.Remove(name);
            var after = upgraded[name];
            var stepGuests = ImmutableArray.CreateBuilder<UpgradeGuest>();
            var returning = new List<(string Target, FleetDomain Domain)>();
            for (var i = 0; i < guests.Count; i++)
            {
                var (d, route, at) = guests[i];
                if (at != name)
                {
                    continue;
                }

                var candidates = current.Values.Where(t => t.Name != name)
                    .Select(t => (Node: t, Leave: moves.Route(d, [.. route, t]), Back: moves.Route(d, [.. route, t, after])))
                    .ToList();
                var fits = candidates.Where(c => c.Leave.IsSafe && freeVcpus[c.Node.Name] >= d.Vcpus && freeMemory[c.Node.Name] >= d.MemoryMiB)
                    .OrderBy(c => c.Back.IsSafe ? 0 : 1).ThenBy(c => pending.Contains(c.Node.Name) ? 1 : 0).ThenBy(c => position[c.Node.Name])
                    .ToList();
                if (fits.Count > 0)
                {
                    var (t, leave, back) = fits[0];
                    freeVcpus[t.Name] -= d.Vcpus;
                    freeMemory[t.Name] -= d.MemoryMiB;
                    if (back.IsSafe)
                    {
                        returning.Add((t.Name, d));
                        guests[i] = (d, [.. route, t, after], name);
                        stepGuests.Add(new UpgradeGuest(d, name, UpgradeOutcome.Returns, t.Name, leave, back, []));
                    }
                    else
                    {
                        freeVcpus[name] += d.Vcpus;
                        freeMemory[name] += d.MemoryMiB;
                        guests[i] = (d, [.. route, t], t.Name);
                        stepGuests.Add(new UpgradeGuest(d, name, UpgradeOutcome.Stays, t.Name, leave, back, [$"cannot come back to {name} after the upgrade: {back.Step}", .. back.Causes]));
                    }

                    continue;
                }

                var refusal = candidates.Where(c => !c.Leave.IsSafe).Select(c => c.Leave).FirstOrDefault()
                    ?? candidates.Select(c => c.Leave).FirstOrDefault()
                    ?? moves.Route(d, [.. route, route[^1]]);
                var notes = new List<string>();
                notes.Add(candidates.Any(c => c.Leave.IsSafe) ? "every node that takes it SAFE is full" : "no node takes it with the same vCPU");
                notes.AddRange(candidates.Where(c => !c.Leave.IsSafe).SelectMany(c => c.Leave.Causes).Distinct(StringComparer.Ordinal).Take(4));
                var restarts = moves.Restarts.Judge(d, [after, .. fleet.Nodes.Where(n => n.Name != name).Select(n => current[n.Name])]);
                notes.AddRange(restarts.Select(r => r.Sentence));
                guests[i] = (d, [after], name);
                stepGuests.Add(new UpgradeGuest(d, name, UpgradeOutcome.ColdRestart, null, refusal, null, [.. notes]) { ColdRestarts = restarts });
            }

            foreach (var (target, d) in returning)
            {
                freeVcpus[target] += d.Vcpus;
                freeMemory[target] += d.MemoryMiB;
            }

            current[name] = after;
            steps.Add(new UpgradeStep(name, stepGuests.ToImmutable()));
        }

        return new UpgradePlan($"libvirt {upgraded.Values.First().Node.Libvirt.ToString(2)}, QEMU {profile.Hypervisor.QemuVersion.ToString(2)}", [.. order], steps.ToImmutable(), 0);
    }

    private static IEnumerable<List<string>> Permutations(List<string> items)
    {
        if (items.Count <= 1)
        {
            yield return [.. items];
            yield break;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var rest = items.Where((_, j) => j != i).ToList();
            foreach (var p in Permutations(rest))
            {
                yield return [items[i], .. p];
            }
        }
    }
}
