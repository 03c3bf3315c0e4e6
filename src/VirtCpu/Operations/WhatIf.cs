using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Migration;

namespace VirtCpu.Operations;

/// <summary>One running guest whose valid targets a fleet change alters.</summary>
/// <param name="Domain">The domain.</param>
/// <param name="Before">Its valid targets (SAFE) before the change, in fleet order.</param>
/// <param name="After">Its valid targets after the change.</param>
public sealed record WhatIfGuest(FleetDomain Domain, ImmutableArray<string> Before, ImmutableArray<string> After);

/// <summary>The answer of <c>virtcpu fleet what-if</c>.</summary>
/// <param name="Change">The change in words (<c>add NAME (releases)</c>, <c>remove NAME</c>).</param>
/// <param name="Guests">How many running guests were judged.</param>
/// <param name="Lose">Guests that have a valid target today and none after the change.</param>
/// <param name="Gain">Guests that have no valid target today and one after the change.</param>
/// <param name="Displaced">For a removal: the removed node's guests, with their valid targets among the rest.</param>
/// <param name="Shape">How the pools, baselines and x86-64 levels change.</param>
public sealed record WhatIfReport(string Change, int Guests, ImmutableArray<WhatIfGuest> Lose, ImmutableArray<WhatIfGuest> Gain, ImmutableArray<WhatIfGuest> Displaced, FleetShapeChange Shape);

/// <summary>
/// <c>virtcpu fleet what-if --add PROFILE | --remove HOST</c>: how the pools, baselines and x86-64
/// levels change (<see cref="FleetShape"/>), and which running guests gain or lose every valid target
/// (a node that takes them SAFE, CPU and beyond CPUID) when a node joins or leaves the fleet. Guests with the same CPU, machine type and platform needs on nodes that behave the same
/// share one computation, and so do target nodes that behave the same.
/// </summary>
public static class WhatIf
{
    /// <summary>What removing a node changes.</summary>
    /// <param name="fleet">The fleet.</param>
    /// <param name="host">The node to remove.</param>
    /// <param name="moves">The verdict cache, or null.</param>
    /// <param name="maxPools">The most pools per vendor.</param>
    /// <returns>The report.</returns>
    /// <exception cref="InputException">No such node.</exception>
    public static WhatIfReport Remove(RunningFleet fleet, string host, GuestMoves? moves = null, int maxPools = 4)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        var removed = fleet.Find(host);
        moves ??= new GuestMoves();
        var targets = Targets(fleet, moves);
        var lose = ImmutableArray.CreateBuilder<WhatIfGuest>();
        var displaced = ImmutableArray.CreateBuilder<WhatIfGuest>();
        foreach (var (d, valid) in targets)
        {
            if (d.NodeName == removed.Name)
            {
                displaced.Add(new WhatIfGuest(d, valid, valid));
            }
            else if (!valid.IsEmpty && valid.All(n => n == removed.Name))
            {
                lose.Add(new WhatIfGuest(d, valid, []));
            }
        }

        var shape = FleetShape.Compare(fleet, new RunningFleet(fleet.Nodes.Where(n => !ReferenceEquals(n, removed))), maxPools);
        return new WhatIfReport($"remove {removed.Name} ({removed.Releases})", targets.Count, lose.ToImmutable(), [], displaced.ToImmutable(), shape);
    }

    /// <summary>What adding a node changes.</summary>
    /// <param name="fleet">The fleet.</param>
    /// <param name="node">The node to add (no running domains).</param>
    /// <param name="moves">The verdict cache, or null.</param>
    /// <param name="maxPools">The most pools per vendor.</param>
    /// <returns>The report.</returns>
    /// <exception cref="InputException">A node of that name is already in the fleet.</exception>
    public static WhatIfReport Add(RunningFleet fleet, FleetMember node, GuestMoves? moves = null, int maxPools = 4)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(node);
        if (fleet.Nodes.Any(n => n.Name == node.Name))
        {
            throw new InputException(node.Name, "a node of this name is already in the fleet (give --name)");
        }

        moves ??= new GuestMoves();
        var grown = new RunningFleet([.. fleet.Nodes, node]);
        var before = Targets(fleet, moves).ToDictionary(x => x.Domain, x => x.Valid);
        var gain = ImmutableArray.CreateBuilder<WhatIfGuest>();
        foreach (var (d, valid) in Targets(grown, moves))
        {
            if (before[d].IsEmpty && !valid.IsEmpty)
            {
                gain.Add(new WhatIfGuest(d, [], valid));
            }
        }

        return new WhatIfReport($"add {node.Name} ({node.Releases})", before.Count, [], gain.ToImmutable(), [], FleetShape.Compare(fleet, grown, maxPools));
    }

    /// <summary>A node to add: a profile with a name and capacity, its limits from the profile's domain capabilities.</summary>
    /// <param name="profile">The node profile.</param>
    /// <param name="name">The node's name.</param>
    /// <param name="vcpus">The vCPUs guests may use, or null.</param>
    /// <param name="memoryMiB">The memory guests may use (MiB), or null.</param>
    /// <returns>The node, with no running domains.</returns>
    /// <exception cref="InputException">A bad profile.</exception>
    public static FleetMember NewNode(NodeProfile profile, string name, int? vcpus, long? memoryMiB)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var bare = RunningFleet.Member(new FleetNodeEntry { Name = name, Profile = profile.File, Vcpus = vcpus, MemoryMiB = memoryMiB }, Node.Resolve(profile with { Name = name }), []);
        return UpgradeCheck.Upgraded(bare, profile);
    }

    /// <summary>Writes a report as text.</summary>
    /// <param name="report">The report.</param>
    /// <param name="output">The writer.</param>
    public static void Write(WhatIfReport report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"what-if {report.Change}: {report.Guests} running guests judged; {report.Lose.Length} lose every valid target, {report.Gain.Length} gain a first one"));
        output.WriteLine();
        FleetShape.Write(report.Shape, output);
        Section(output, "lose every valid target (only the removed node takes them today):", report.Lose, g => g.Before);
        Section(output, "gain a first valid target:", report.Gain, g => g.After);
        if (!report.Displaced.IsEmpty)
        {
            var stranded = report.Displaced.Count(g => g.After.IsEmpty);
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"its {report.Displaced.Length} running guests must move: {report.Displaced.Length - stranded} have a valid target, {stranded} have none"));
            foreach (var g in report.Displaced)
            {
                output.WriteLine($"  {g.Domain.Name}: {(g.After.IsEmpty ? "no valid target (see virtcpu evacuate)" : Short(g.After))}");
            }
        }
    }

    /// <summary>Writes a report as JSON.</summary>
    /// <param name="report">The report.</param>
    /// <param name="w">The writer.</param>
    public static void WriteJson(WhatIfReport report, Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteString("change", report.Change);
        w.WriteNumber("guests", report.Guests);
        w.WritePropertyName("shape");
        FleetShape.WriteJson(report.Shape, w);
        foreach (var (name, list) in new[] { ("lose", report.Lose), ("gain", report.Gain), ("displaced", report.Displaced) })
        {
            w.WriteStartArray(name);
            foreach (var g in list)
            {
                w.WriteStartObject();
                w.WriteString("name", g.Domain.Name);
                w.WriteString("node", g.Domain.NodeName);
                w.WriteStringArray("before", g.Before);
                w.WriteStringArray("after", g.After);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>Every running guest's valid targets (other nodes that take it SAFE), in fleet order.</summary>
    /// <param name="fleet">The fleet.</param>
    /// <param name="moves">The verdict cache.</param>
    /// <returns>(domain, valid targets) in fleet order.</returns>
    public static List<(FleetDomain Domain, ImmutableArray<string> Valid)> Targets(RunningFleet fleet, GuestMoves moves)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(moves);
        var groups = fleet.Nodes.GroupBy(n => n.Key, StringComparer.Ordinal).Select(g => g.ToList()).ToList();
        var safeGroups = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        var position = fleet.Nodes.Select((n, i) => (n.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var result = new List<(FleetDomain, ImmutableArray<string>)>();
        foreach (var node in fleet.Nodes)
        {
            foreach (var d in node.Domains)
            {
                var key = string.Create(CultureInfo.InvariantCulture, $"{d.CpuKey}\n{node.Key}\n{d.Domain.Vcpus}\n{d.Domain.MaxPhysAddr}\n{d.Domain.TscFrequency}");
                if (!safeGroups.TryGetValue(key, out var safe))
                {
                    safe = [.. groups.Select(g => moves.Move(d, node, g[0]).IsSafe)];
                    safeGroups[key] = safe;
                }

                var valid = groups.Where((g, i) => safe[i]).SelectMany(g => g).Where(t => !ReferenceEquals(t, node)).Select(t => t.Name);
                result.Add((d, [.. valid.OrderBy(n => position[n])]));
            }
        }

        return result;
    }

    private static void Section(TextWriter output, string title, ImmutableArray<WhatIfGuest> list, Func<WhatIfGuest, ImmutableArray<string>> targets)
    {
        if (list.IsEmpty)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine(title);
        foreach (var g in list)
        {
            output.WriteLine($"  {g.Domain.Name} on {g.Domain.NodeName}: {Short(targets(g))}");
        }
    }

    private static string Short(ImmutableArray<string> names) =>
        names.Length <= 6 ? string.Join(", ", names) : string.Join(", ", names.Take(6)) + string.Create(CultureInfo.InvariantCulture, $" (+{names.Length - 6} more)");
}
