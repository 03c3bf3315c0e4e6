using System.Collections.Immutable;
using System.Globalization;
using VirtCpu.Migration;

namespace VirtCpu.Operations;

/// <summary>Targets of one guest that refuse it for the same reason.</summary>
/// <param name="Move">The verdict (as computed for the first node of the group).</param>
/// <param name="Nodes">The nodes, in fleet order.</param>
public sealed record RefusalGroup(GuestMove Move, ImmutableArray<string> Nodes);

/// <summary>One running guest of the host being evacuated.</summary>
/// <param name="Domain">The domain.</param>
/// <param name="ValidTargets">The nodes it can move to with the same vCPU (SAFE), in fleet order.</param>
/// <param name="Refused">The other nodes, grouped by verdict and reason.</param>
/// <param name="PlacedOn">The node the plan moves it to, or null when it has none.</param>
/// <param name="Unblock">When it has no place: what would give it one.</param>
/// <param name="ColdRestarts">When no node takes it live: where a cold restart from its inactive definition starts and where it is refused (empty otherwise).</param>
public sealed record EvacuationGuest(FleetDomain Domain, ImmutableArray<string> ValidTargets, ImmutableArray<RefusalGroup> Refused, string? PlacedOn, ImmutableArray<string> Unblock, ImmutableArray<ColdRestartOutcome> ColdRestarts);

/// <summary>An evacuation plan for one host.</summary>
/// <param name="Host">The host.</param>
/// <param name="Guests">Its running guests, by name.</param>
/// <param name="Commands">The <c>virsh migrate</c> commands of the plan, in the order to run them.</param>
public sealed record EvacuationPlan(FleetMember Host, ImmutableArray<EvacuationGuest> Guests, ImmutableArray<string> Commands)
{
    /// <summary>Whether every guest has a place.</summary>
    public bool Complete => Guests.All(g => g.PlacedOn is not null);
}

/// <summary>
/// <c>virtcpu evacuate HOST</c>: for every running guest of a host, its valid targets (SAFE: same vCPU,
/// nothing beyond CPUID objects), the other nodes with verdict and reason, and a plan that places each
/// guest on one valid target within the targets' free vCPUs and memory. Greedy and deterministic: the
/// largest guests first (vCPUs, then memory, then name), each on the valid target with the most free
/// memory left (then the most free vCPUs, then fleet order). Guests without a place get what would
/// unblock them.
/// </summary>
public static class Evacuation
{
    /// <summary>Plans the evacuation of a host.</summary>
    /// <param name="fleet">The fleet.</param>
    /// <param name="hostName">The host to drain.</param>
    /// <param name="moves">The verdict cache (shared between calls), or null.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="InputException">No such host.</exception>
    public static EvacuationPlan Plan(RunningFleet fleet, string hostName, GuestMoves? moves = null)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        var host = fleet.Find(hostName);
        moves ??= new GuestMoves();
        var targets = fleet.Nodes.Where(n => !ReferenceEquals(n, host)).ToList();
        var judged = new (FleetDomain Domain, GuestMove[] Moves)[host.Domains.Length];
        try
        {
            Parallel.For(0, host.Domains.Length, i =>
            {
                var d = host.Domains[i];
                judged[i] = (d, [.. targets.Select(t => moves.Move(d, host, t))]);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is InputException) is InputException first)
        {
            throw new InputException(first.Message, first);
        }

        var freeVcpus = targets.ToDictionary(t => t.Name, t => t.Vcpus is { } v ? v - (long)t.UsedVcpus : long.MaxValue, StringComparer.Ordinal);
        var freeMemory = targets.ToDictionary(t => t.Name, t => t.MemoryMiB is { } m ? m - t.UsedMemoryMiB : long.MaxValue, StringComparer.Ordinal);
        var order = targets.Select((t, i) => (t.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var placed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (d, ms) in judged.OrderByDescending(j => j.Domain.Vcpus).ThenByDescending(j => j.Domain.MemoryMiB).ThenBy(j => j.Domain.Name, StringComparer.Ordinal))
        {
            var best = Enumerable.Range(0, targets.Count)
                .Where(i => ms[i].IsSafe && freeVcpus[targets[i].Name] >= d.Vcpus && freeMemory[targets[i].Name] >= d.MemoryMiB)
                .Select(i => targets[i].Name)
                .OrderByDescending(n => freeMemory[n]).ThenByDescending(n => freeVcpus[n]).ThenBy(n => order[n])
                .FirstOrDefault();
            if (best is not null)
            {
                placed[d.Name] = best;
                freeVcpus[best] -= d.Vcpus;
                freeMemory[best] -= d.MemoryMiB;
            }
        }

        var guests = ImmutableArray.CreateBuilder<EvacuationGuest>();
        foreach (var (d, ms) in judged)
        {
            var valid = Enumerable.Range(0, targets.Count).Where(i => ms[i].IsSafe).Select(i => targets[i].Name).ToImmutableArray();
            var refused = Enumerable.Range(0, targets.Count).Where(i => !ms[i].IsSafe)
                .GroupBy(i => (ms[i].Verdict, ms[i].Step, string.Join("\n", ms[i].Causes), ms[i].Cpu.Reason))
                .Select(g => new RefusalGroup(ms[g.First()], [.. g.Select(i => targets[i].Name)]))
                .ToImmutableArray();
            var at = placed.GetValueOrDefault(d.Name);
            var restarts = at is null && valid.IsEmpty ? moves.Restarts.Judge(d, targets) : [];
            var unblock = at is null ? Unblock(d, host, valid, freeVcpus, freeMemory, moves, restarts) : [];
            guests.Add(new EvacuationGuest(d, valid, refused, at, unblock, restarts));
        }

        var commands = judged.Where(j => placed.ContainsKey(j.Domain.Name))
            .OrderByDescending(j => j.Domain.Vcpus).ThenByDescending(j => j.Domain.MemoryMiB).ThenBy(j => j.Domain.Name, StringComparer.Ordinal)
            .Select(j => MigrateCommand(host, j.Domain.Name, fleet.Find(placed[j.Domain.Name])))
            .ToImmutableArray();
        return new EvacuationPlan(host, guests.ToImmutable(), commands);
    }

    /// <summary>The <c>virsh migrate</c> command that moves a running domain (URIs quoted for a POSIX shell).</summary>
    /// <param name="source">The source node.</param>
    /// <param name="domain">The domain name.</param>
    /// <param name="target">The destination node.</param>
    /// <returns>The command line.</returns>
    public static string MigrateCommand(FleetMember source, string domain, FleetMember target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        return $"virsh -c {Quote(source.Uri ?? $"URI-OF-{source.Name}")} migrate --live {Quote(domain)} {Quote(target.Uri ?? $"URI-OF-{target.Name}")}";
    }

    private static string Quote(string s) =>
        s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '+' or ',' or '@') ? s : "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static ImmutableArray<string> Unblock(FleetDomain d, FleetMember host, ImmutableArray<string> valid, Dictionary<string, long> freeVcpus, Dictionary<string, long> freeMemory, GuestMoves moves, ImmutableArray<ColdRestartOutcome> restarts)
    {
        var list = ImmutableArray.CreateBuilder<string>();
        if (!valid.IsEmpty)
        {
            list.Add(string.Create(CultureInfo.InvariantCulture, $"capacity: it needs {d.Vcpus} free vCPUs and {d.MemoryMiB} MiB on one of its valid targets ({string.Join(", ", valid.Take(8))}{(valid.Length > 8 ? ", ..." : "")}); the most free there: {valid.Max(n => Clamp(freeVcpus[n]))} vCPUs, {valid.Max(n => Clamp(freeMemory[n]))} MiB"));
            return list.ToImmutable();
        }

        var self = moves.Move(d, host, host);
        list.Add(self.IsSafe
            ? $"a target release: a node with {host.Name}'s releases ({host.Releases}) and host CPU would take it"
            : $"none by placement: it cannot migrate even to a node identical to {host.Name}: {self.Reason}");
        list.AddRange(restarts.Select(r => r.Sentence));
        if (!restarts.Any(r => r.Starts))
        {
            list.Add("a restart with another definition: its definition starts on no other node; choose a CPU model every target offers (virtcpu fleet report's baseline) and a machine type every target's QEMU has");
        }

        return list.ToImmutable();
    }

    private static long Clamp(long free) => free == long.MaxValue ? -1 : free;
}
