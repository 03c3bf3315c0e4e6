using System.Collections.Concurrent;
using System.Collections.Immutable;
using VirtCpu.Migration;

namespace VirtCpu.Operations;

/// <summary>
/// The verdict on moving one running domain from its node to another: the CPU verdict of
/// <see cref="MigrationCheck"/> together with the blockers beyond CPUID, the step an operator reads
/// (source start, destination start, libvirt check, vCPU change, platform) and the causes in release
/// and catalog terms.
/// </summary>
public sealed record GuestMove
{
    /// <summary>The overall verdict (SAFE only when the CPU verdict is SAFE and nothing beyond CPUID objects).</summary>
    public required Verdict Verdict { get; init; }

    /// <summary>The step: empty for SAFE; <c>source start</c>, <c>destination start</c>, <c>libvirt check</c>, <c>vCPU change</c> or <c>platform</c>.</summary>
    public required string Step { get; init; }

    /// <summary>One or two plain sentences of why.</summary>
    public required string Reason { get; init; }

    /// <summary>The causes, in release behaviour and catalog terms (empty for SAFE).</summary>
    public ImmutableArray<string> Causes { get; init; } = [];

    /// <summary>The CPU verdict of the last hop checked.</summary>
    public required MigrationVerdict Cpu { get; init; }

    /// <summary>The blockers beyond CPUID.</summary>
    public ImmutableArray<PlatformBlocker> Platform { get; init; } = [];

    /// <summary>Whether the move keeps the guest running with the same vCPU.</summary>
    public bool IsSafe => Verdict == Verdict.Safe;

    /// <summary>Combines a CPU verdict with the blockers beyond CPUID.</summary>
    /// <param name="cpu">The CPU verdict.</param>
    /// <param name="platform">The blockers beyond CPUID.</param>
    /// <param name="context">The nodes' names in the fleet and the guest's history, or null.</param>
    /// <returns>The move.</returns>
    public static GuestMove Combine(MigrationVerdict cpu, ImmutableArray<PlatformBlocker> platform, CauseContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        if (cpu.Verdict == Verdict.Blocked && cpu.Step == StartStep.Hypervisor)
        {
            platform = [.. platform.Where(p => p.What != "machine-type")];
        }

        var verdict = cpu.Verdict;
        if (verdict is Verdict.Safe or Verdict.Unsafe && platform.Any(p => p.Verdict == Verdict.Blocked))
        {
            verdict = Verdict.Blocked;
        }
        else if (verdict == Verdict.Safe && !platform.IsEmpty)
        {
            verdict = Verdict.Unsafe;
        }

        var step = cpu.Verdict == Verdict.Safe ? (verdict == Verdict.Safe ? "" : "platform") : VerdictCauses.Step(cpu);
        var reason = cpu.Verdict == Verdict.Safe && !platform.IsEmpty
            ? string.Join(" ", platform.Select(p => p.Reason))
            : string.Join(" ", new[] { cpu.Reason }.Concat(platform.Select(p => p.Reason)));
        return new GuestMove
        {
            Verdict = verdict,
            Step = step,
            Reason = reason,
            Causes = verdict == Verdict.Safe ? [] : [.. (cpu.Verdict == Verdict.Safe ? [] : VerdictCauses.Explain(cpu, context)), .. platform.Select(p => $"platform ({p.What}): {p.Reason}")],
            Cpu = cpu,
            Platform = platform,
        };
    }
}

/// <summary>
/// Computes <see cref="GuestMove"/>s for a fleet, sharing verdicts between domains with the same CPU
/// and machine type and between nodes that behave the same (thread-safe).
/// </summary>
public sealed class GuestMoves
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<MigrationVerdict>> _routes = new(StringComparer.Ordinal);

    /// <summary>The cold restarts judged so far (shared, like the routes).</summary>
    public ColdRestart Restarts { get; } = new();

    /// <summary>How many routes were computed (not taken from the cache).</summary>
    public int Computed => _routes.Count;

    /// <summary>The verdict on moving a domain from its node to another.</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="source">Its node.</param>
    /// <param name="target">The destination.</param>
    /// <returns>The move.</returns>
    public GuestMove Move(FleetDomain domain, FleetMember source, FleetMember target) => Route(domain, [source, target]);

    /// <summary>
    /// The verdict on a route of moves (the domain starts as its live definition on the first node, then
    /// migrates along the others): SAFE when every hop is SAFE; else the first hop that is not, with
    /// its causes. Blockers beyond CPUID are checked on every hop.
    /// </summary>
    /// <param name="domain">The domain.</param>
    /// <param name="route">Its node, then every destination (at least two nodes).</param>
    /// <returns>The move (for a SAFE route, the last hop's CPU verdict).</returns>
    /// <exception cref="InputException">A node of the route is captured for another accelerator than the domain runs with.</exception>
    public GuestMove Route(FleetDomain domain, IReadOnlyList<FleetMember> route)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(route);
        foreach (var node in route)
        {
            domain.RequireAccelerator(node);
        }

        var key = domain.CpuKey + "\n" + string.Join("\n", route.Select(n => n.Key));
        var verdicts = _routes.GetOrAdd(key, _ => MigrationCheck.CheckRoute(domain.Domain.Cpu, [.. route.Select(n => n.Node)], domain.Machine));
        for (var i = 0; i < verdicts.Count; i++)
        {
            var from = route[i];
            var to = route[i + 1];
            var cpu = verdicts[i];
            var platform = PlatformCheck.Check(domain.Domain, from.Node, from.Limits, to.Node, to.Limits, cpu.Source.Succeeded ? cpu.Source.EnabledNames : []);
            var move = GuestMove.Combine(cpu, platform, new CauseContext { SourceName = from.Name, TargetName = to.Name, Inactive = domain.Inactive?.Cpu, Origin = route[0].Node });
            if (!move.IsSafe || i == verdicts.Count - 1)
            {
                return route.Count > 2 && i > 0 ? move with { Reason = $"hop {i + 1} ({from.Name} → {to.Name}): {move.Reason}" } : move;
            }
        }

        throw new InvalidOperationException("a route of at least two nodes has at least one verdict");
    }
}
