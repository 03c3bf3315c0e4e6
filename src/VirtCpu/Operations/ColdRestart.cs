using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Migration;

namespace VirtCpu.Operations;

/// <summary>Whether a guest starts on some nodes when it is cold-restarted there (shut down, then started from its definition).</summary>
/// <param name="Nodes">The nodes with this answer, in the order given.</param>
/// <param name="Starts">Whether it starts.</param>
/// <param name="FromInactive">True when judged from the recorded inactive definition; false when none was recorded and the live definition stood in.</param>
/// <param name="Step">For a refusal: the step (<c>parse</c>, <c>compare</c>, <c>hypervisor</c>, <c>live-check</c>, or <c>platform</c> for the vCPU limit).</param>
/// <param name="Detail">For a start: the CPU the guest then runs with; for a refusal: why.</param>
public sealed record ColdRestartOutcome(ImmutableArray<string> Nodes, bool Starts, bool FromInactive, string Step, string Detail)
{
    /// <summary>The outcome in one sentence: <c>cold restart on X, Y: starts ...</c> or <c>cold restart on X: refused at STEP because ...</c>.</summary>
    public string Sentence =>
        $"cold restart on {string.Join(", ", Nodes.Take(8))}{(Nodes.Length > 8 ? string.Create(CultureInfo.InvariantCulture, $" and {Nodes.Length - 8} more") : "")} from its {(FromInactive ? "inactive definition" : "live definition (no inactive definition recorded)")}: "
        + (Starts ? $"starts{Detail}" : $"refused at {Step} because {Detail}");
}

/// <summary>
/// Judges cold restarts: a guest whose live migration is refused may still be shut down and started
/// on another node from its inactive (persistent) definition, with that node's catalogs, releases and
/// host (a host-model guest then gets that node's host-model CPU). Without a recorded inactive
/// definition the live definition stands in, and the outcome says so. Nodes that behave alike share
/// one start (thread-safe).
/// </summary>
public sealed class ColdRestart
{
    private readonly ConcurrentDictionary<string, (bool Starts, string Step, string Detail)> _starts = new(StringComparer.Ordinal);

    /// <summary>Judges a cold restart of a domain on each of some nodes, grouping nodes with the same answer.</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="nodes">The nodes, in the order to report them.</param>
    /// <returns>The outcomes: nodes where it starts first, then each refusal.</returns>
    /// <exception cref="InputException">The recorded inactive definition is malformed, or a node is captured for another accelerator than the domain runs with.</exception>
    public ImmutableArray<ColdRestartOutcome> Judge(FleetDomain domain, IEnumerable<FleetMember> nodes)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(nodes);
        var definition = domain.Inactive ?? domain.Domain;
        var fromInactive = domain.Inactive is not null;
        return [.. nodes.Select(n => (Node: n, Outcome: Start(domain, definition, n)))
            .GroupBy(x => x.Outcome)
            .OrderBy(g => g.Key.Starts ? 0 : 1)
            .Select(g => new ColdRestartOutcome([.. g.Select(x => x.Node.Name)], g.Key.Starts, fromInactive, g.Key.Step, g.Key.Detail))];
    }

    private (bool Starts, string Step, string Detail) Start(FleetDomain domain, LibvirtDomain definition, FleetMember node)
    {
        domain.RequireAccelerator(node);
        if (node.Limits.MaxVcpus is { } max && definition.Vcpus > max)
        {
            return (false, "platform", string.Create(CultureInfo.InvariantCulture, $"the guest has {definition.Vcpus} vCPUs and {node.Name} allows at most {max} per guest"));
        }

        var key = CpuXml.Format(definition.Cpu) + "\n" + definition.Machine + "\n" + node.Node.Key;
        return _starts.GetOrAdd(key, _ =>
        {
            var start = GuestStarter.Start(definition.Cpu, node.Node, definition.MachineIsAlias ? null : definition.Machine);
            return start.Succeeded
                ? (true, "", $" ({Runs(definition, start)}; {VerdictCauses.Releases(node.Node)})")
                : (false, GuestStart.StepName(start.Step), start.Reason);
        });
    }

    private static string Runs(LibvirtDomain definition, GuestStart start) => start.LiveDefinition?.Model is { } model
        ? definition.Cpu.Mode == Cpu.CpuMode.HostModel ? $"host-model becomes that node's host-model CPU, {model}" : $"as {model}"
        : "as the host's CPU";
}
