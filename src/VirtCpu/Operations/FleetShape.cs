using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Cpuid;
using VirtCpu.Engine;
using VirtCpu.Fleet;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Migration;
using VirtCpu.Qemu;

namespace VirtCpu.Operations;

/// <summary>A vendor's hosts or one compatibility pool, as the fleet report computes it.</summary>
/// <param name="Hosts">The member nodes, in fleet order.</param>
/// <param name="Model">The newest model usable on every member, or null.</param>
/// <param name="Baseline">The members' baseline CPU (<c>virsh cpu-baseline --migratable</c>), or null.</param>
/// <param name="BaselineError">Why there is no baseline, or null.</param>
/// <param name="BaselineFeatures">Every feature the baseline gives a guest (its model's and its own), in catalog order.</param>
/// <param name="Level">The x86-64 level every member reaches.</param>
public sealed record ShapeGroup(ImmutableArray<string> Hosts, string? Model, CpuDefinition? Baseline, string? BaselineError, ImmutableArray<string> BaselineFeatures, int Level);

/// <summary>One vendor's hosts or one pool before and after a fleet change.</summary>
/// <param name="Vendor">The vendor.</param>
/// <param name="PoolBefore">The pool's number before (1-based, as the fleet report numbers pools), or null (a vendor, or a new pool).</param>
/// <param name="PoolAfter">The pool's number after, or null (a vendor, or a pool that is gone).</param>
/// <param name="Before">The group before, or null when it did not exist.</param>
/// <param name="After">The group after, or null when it no longer exists.</param>
public sealed record ShapeChange(string Vendor, int? PoolBefore, int? PoolAfter, ShapeGroup? Before, ShapeGroup? After)
{
    /// <summary>Features the baseline gave a guest before and no longer gives (empty when either side has no baseline).</summary>
    public ImmutableArray<string> FeaturesLost => Before?.Baseline is null || After?.Baseline is null ? [] : [.. Before.BaselineFeatures.Except(After.BaselineFeatures, StringComparer.Ordinal)];

    /// <summary>Features the baseline gives a guest after and did not before.</summary>
    public ImmutableArray<string> FeaturesGained => Before?.Baseline is null || After?.Baseline is null ? [] : [.. After.BaselineFeatures.Except(Before.BaselineFeatures, StringComparer.Ordinal)];
}

/// <summary>How a fleet change moves the pools, baselines and x86-64 levels.</summary>
/// <param name="Catalog">The management catalog the pools and baselines are computed in.</param>
/// <param name="LevelsBy">The QEMU catalog the levels are computed with.</param>
/// <param name="LevelBefore">The level every node reached before.</param>
/// <param name="LevelAfter">The level every node reaches after.</param>
/// <param name="Vendors">Per vendor: all its hosts.</param>
/// <param name="Pools">The pools, matched before to after by their members.</param>
public sealed record FleetShapeChange(string Catalog, string LevelsBy, int LevelBefore, int LevelAfter, ImmutableArray<ShapeChange> Vendors, ImmutableArray<ShapeChange> Pools);

/// <summary>
/// The fleet report's pools (<see cref="FleetReport"/>, <c>PoolBuilder</c>), baselines and x86-64
/// levels over a running fleet's nodes, each node's host as it offers it to guests (on a TCG node,
/// QEMU's TCG CPU), before and after a change. Both sides are computed in one vocabulary: the
/// management catalog of the oldest libvirt release among the nodes (a baseline every node's libvirt
/// knows) and the QEMU catalog of the oldest QEMU release.
/// </summary>
public static class FleetShape
{
    private static readonly string[] Header = ["", "before", "after"];

    /// <summary>Compares the shape of a fleet before and after a change.</summary>
    /// <param name="before">The fleet before.</param>
    /// <param name="after">The fleet after.</param>
    /// <param name="maxPools">The most pools per vendor (as <c>fleet report --max-pools</c>).</param>
    /// <returns>The change.</returns>
    public static FleetShapeChange Compare(RunningFleet before, RunningFleet after, int maxPools = 4)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var nodes = before.Nodes.Concat(after.Nodes).ToList();
        var catalog = nodes.OrderBy(n => n.Node.Libvirt).Select(n => n.Node.Catalog).FirstOrDefault() ?? BuiltInCatalogs.Get(BuiltInCatalogs.Default);
        var hypervisor = nodes.OrderBy(n => n.Node.Hypervisor.QemuVersion).Select(n => n.Node.Hypervisor).FirstOrDefault() ?? BuiltInHypervisors.Get(BuiltInHypervisors.Default);
        var options = new FleetOptions { MaxPoolsPerVendor = maxPools };
        var a = FleetReport.Compute(catalog, hypervisor, Hosts(before, catalog, hypervisor), options: options);
        var b = FleetReport.Compute(catalog, hypervisor, Hosts(after, catalog, hypervisor), options: options);
        var vendors = a.Vendors.Select(v => v.Vendor).Union(b.Vendors.Select(v => v.Vendor), StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(v => new ShapeChange(v, null, null, Vendor(a, v), Vendor(b, v)))
            .ToImmutableArray();
        return new FleetShapeChange(catalog.Name, hypervisor.Name, a.Level, b.Level, vendors, MatchPools(a, b));
    }

    /// <summary>The fleet's nodes as fleet report hosts: each node's host offer in one management catalog's vocabulary.</summary>
    /// <param name="fleet">The fleet.</param>
    /// <param name="catalog">The management catalog.</param>
    /// <param name="hypervisor">The QEMU catalog of the report.</param>
    /// <returns>The hosts, in fleet order.</returns>
    public static ImmutableArray<FleetHost> Hosts(RunningFleet fleet, CpuCatalog catalog, QemuHypervisorCatalog hypervisor)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(catalog);
        var resolver = new FleetHostResolver(catalog, hypervisor, "pc");
        return [.. fleet.Nodes.Select(n =>
        {
            var host = n.Node.Host;
            var features = ReferenceEquals(n.Node.Catalog, catalog) ? host.Management : VocabularyBridge.For(catalog, n.Node.Hypervisor).ToManagement(host.Qemu);
            return resolver.FromData(n.Name, n.Name, HostCaptureFormat.NodeProfile, new CpuData(features, host.VendorString, host.Signature.ToEax()));
        })];
    }

    private static ShapeGroup? Vendor(FleetReport report, string vendor) =>
        report.Vendors.FirstOrDefault(v => v.Vendor == vendor) is { } v ? Group(report, v.Hosts, v.CommonModels.FirstOrDefault()?.Name, v.Baseline, v.BaselineError, v.Level) : null;

    private static ShapeGroup Group(FleetReport report, ImmutableArray<int> hosts, string? model, CpuDefinition? baseline, string? error, int level)
    {
        var features = baseline is null ? [] : ModelData.FromCpu(report.Catalog, baseline, null).Data.ToArray().Select(i => report.Catalog.Features[i].Name).ToImmutableArray();
        return new ShapeGroup([.. hosts.Order().Select(i => report.Hosts[i].Name)], model, baseline, error, features, level);
    }

    private static ShapeGroup Pool(FleetReport report, CompatibilityPool p) => Group(report, p.Hosts, p.Model?.Name, p.Baseline, p.BaselineError, p.Level);

    /// <summary>Pairs pools of one vendor before and after by the most members in common (ties: the lower numbers); the rest are new or gone.</summary>
    private static ImmutableArray<ShapeChange> MatchPools(FleetReport before, FleetReport after)
    {
        var a = before.Pools.Select((p, i) => (Pool: p, Number: i + 1, Hosts: p.Hosts.Select(h => before.Hosts[h].Name).ToHashSet(StringComparer.Ordinal))).ToList();
        var b = after.Pools.Select((p, i) => (Pool: p, Number: i + 1, Hosts: p.Hosts.Select(h => after.Hosts[h].Name).ToHashSet(StringComparer.Ordinal))).ToList();
        var pairs = (from x in a
                     from y in b
                     where x.Pool.Vendor == y.Pool.Vendor
                     let common = x.Hosts.Count(y.Hosts.Contains)
                     where common > 0
                     orderby common descending, x.Number, y.Number
                     select (x.Number, y.Number)).ToList();
        var matched = new Dictionary<int, int>();
        foreach (var (x, y) in pairs)
        {
            if (!matched.ContainsKey(x) && !matched.ContainsValue(y))
            {
                matched[x] = y;
            }
        }

        var byAfter = matched.ToDictionary(m => m.Value, m => m.Key);
        var changes = b.Select(y => byAfter.TryGetValue(y.Number, out var x)
            ? new ShapeChange(y.Pool.Vendor, x, y.Number, Pool(before, a[x - 1].Pool), Pool(after, y.Pool))
            : new ShapeChange(y.Pool.Vendor, null, y.Number, null, Pool(after, y.Pool)));
        var gone = a.Where(x => !matched.ContainsKey(x.Number)).Select(x => new ShapeChange(x.Pool.Vendor, x.Number, null, Pool(before, x.Pool), null));
        return [.. changes.Concat(gone)];
    }

    /// <summary>Writes the change as a table: rows for the whole fleet, each vendor and each pool, columns before and after, and the features each baseline loses or gains.</summary>
    /// <param name="change">The change.</param>
    /// <param name="output">The writer.</param>
    public static void Write(FleetShapeChange change, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(output);
        List<string[]> rows = [Header, ["level of every node", X86Level.Name(change.LevelBefore), X86Level.Name(change.LevelAfter)]];
        var notes = new Dictionary<int, List<string>>();
        foreach (var v in change.Vendors)
        {
            Rows(rows, notes, v.Vendor, v);
        }

        foreach (var p in change.Pools)
        {
            var number = p.PoolAfter is { } n ? (p.PoolBefore is { } o && o != n ? $"{n} (was {o})" : $"{n}") : $"{p.PoolBefore} (gone)";
            Rows(rows, notes, $"pool {number} ({p.Vendor})", p);
        }

        output.WriteLine($"pools, baselines and levels (catalog {change.Catalog}, levels by {change.LevelsBy}; each node's host as it offers it to guests):");
        var widths = Enumerable.Range(0, 2).Select(c => rows.Max(r => r[c].Length)).ToArray();
        for (var i = 0; i < rows.Count; i++)
        {
            output.WriteLine(("  " + rows[i][0].PadRight(widths[0]) + "  " + rows[i][1].PadRight(widths[1]) + "  " + rows[i][2]).TrimEnd());
            foreach (var note in notes.GetValueOrDefault(i) ?? [])
            {
                output.WriteLine("      " + note);
            }
        }
    }

    private static void Rows(List<string[]> rows, Dictionary<int, List<string>> notes, string label, ShapeChange c)
    {
        rows.Add([label + " hosts", Hosts(c.Before), Hosts(c.After)]);
        rows.Add(["  newest common model", c.Before?.Model ?? "-", c.After?.Model ?? "-"]);
        rows.Add(["  baseline", Baseline(c.Before), Baseline(c.After)]);
        var list = new List<string>();
        if (!c.FeaturesLost.IsEmpty)
        {
            list.Add(string.Create(CultureInfo.InvariantCulture, $"baseline loses {c.FeaturesLost.Length}: {string.Join(", ", c.FeaturesLost)}"));
        }

        if (!c.FeaturesGained.IsEmpty)
        {
            list.Add(string.Create(CultureInfo.InvariantCulture, $"baseline gains {c.FeaturesGained.Length}: {string.Join(", ", c.FeaturesGained)}"));
        }

        notes[rows.Count - 1] = list;
        rows.Add(["  level", c.Before is { } b ? X86Level.Name(b.Level) : "-", c.After is { } a ? X86Level.Name(a.Level) : "-"]);
    }

    private static string Hosts(ShapeGroup? g) => g is null ? "-" : g.Hosts.Length <= 6 ? string.Join(", ", g.Hosts) : string.Join(", ", g.Hosts.Take(6)) + string.Create(CultureInfo.InvariantCulture, $" (+{g.Hosts.Length - 6} more)");

    private static string Baseline(ShapeGroup? g)
    {
        if (g is null)
        {
            return "-";
        }

        if (g.Baseline is not { } b)
        {
            return $"none ({g.BaselineError})";
        }

        var disabled = b.Features.Count(f => f.Policy is FeaturePolicy.Disable or FeaturePolicy.Forbid);
        return string.Create(CultureInfo.InvariantCulture, $"{b.Model}, {b.Features.Length - disabled} required, {disabled} disabled ({g.BaselineFeatures.Length} features in all)");
    }

    /// <summary>Writes the change as a JSON object.</summary>
    /// <param name="change">The change.</param>
    /// <param name="w">The writer.</param>
    public static void WriteJson(FleetShapeChange change, Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteString("catalog", change.Catalog);
        w.WriteString("levels-by", change.LevelsBy);
        w.WriteStartObject("level");
        w.WriteString("before", X86Level.Name(change.LevelBefore));
        w.WriteString("after", X86Level.Name(change.LevelAfter));
        w.WriteEndObject();
        foreach (var (name, list) in new[] { ("vendors", change.Vendors), ("pools", change.Pools) })
        {
            w.WriteStartArray(name);
            foreach (var c in list)
            {
                w.WriteStartObject();
                w.WriteString("vendor", c.Vendor);
                if (name == "pools")
                {
                    WriteNumberOrNull(w, "pool-before", c.PoolBefore);
                    WriteNumberOrNull(w, "pool-after", c.PoolAfter);
                }

                WriteGroup(w, "before", c.Before);
                WriteGroup(w, "after", c.After);
                w.WriteStringArray("features-lost", c.FeaturesLost);
                w.WriteStringArray("features-gained", c.FeaturesGained);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteGroup(Utf8JsonWriter w, string name, ShapeGroup? g)
    {
        if (g is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        w.WriteStringArray("hosts", g.Hosts);
        w.WriteStringOrNull("model", g.Model);
        if (g.Baseline is { } b)
        {
            w.WriteStartObject("baseline");
            w.WriteString("model", b.Model);
            w.WriteStartArray("features");
            foreach (var f in b.Features)
            {
                w.WriteStartObject();
                w.WriteString("name", f.Name);
                w.WriteString("policy", f.Policy is { } policy ? CpuXml.PolicyName(policy) : "require");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStringArray("all-features", g.BaselineFeatures);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("baseline");
            w.WriteStringOrNull("baseline-error", g.BaselineError);
        }

        w.WriteString("level", X86Level.Name(g.Level));
        w.WriteEndObject();
    }
}
