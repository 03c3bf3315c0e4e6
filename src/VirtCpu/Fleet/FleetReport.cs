using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Engine;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Migration;
using VirtCpu.Qemu;

namespace VirtCpu.Fleet;

/// <summary>What all hosts of one vendor have in common.</summary>
/// <param name="Vendor">The vendor name.</param>
/// <param name="Hosts">The host indices (decoded hosts only).</param>
/// <param name="CommonModels">The models of that vendor (or vendor-less) usable on every one of these hosts, newest first.</param>
/// <param name="Baseline">The baseline CPU of these hosts (libvirt's <c>--migratable</c> baseline), or null.</param>
/// <param name="BaselineError">Why there is no baseline, or null.</param>
/// <param name="Level">The x86-64 level all these hosts reach (0 for none).</param>
public sealed record VendorSummary(string Vendor, ImmutableArray<int> Hosts, ImmutableArray<CpuModel> CommonModels, CpuDefinition? Baseline, string? BaselineError, int Level);

/// <summary>A compatibility pool: hosts that share a usable model as new as possible.</summary>
/// <param name="Vendor">The vendor of every member.</param>
/// <param name="Hosts">The member host indices.</param>
/// <param name="Model">The newest model usable on every member, or null.</param>
/// <param name="Baseline">The baseline CPU of the members (<c>--migratable</c>), or null.</param>
/// <param name="BaselineError">Why there is no baseline, or null.</param>
/// <param name="Level">The x86-64 level every member reaches.</param>
/// <param name="HeldBackBy">The members that keep the pool from a newer model (empty when none does).</param>
/// <param name="Gain">The newest common model of the pool without <paramref name="HeldBackBy"/>, or null.</param>
public sealed record CompatibilityPool(string Vendor, ImmutableArray<int> Hosts, CpuModel? Model, CpuDefinition? Baseline, string? BaselineError, int Level, ImmutableArray<int> HeldBackBy, CpuModel? Gain);

/// <summary>Options of a fleet report.</summary>
public sealed record FleetOptions
{
    /// <summary>The most pools per vendor (the clustering merges pools until there are at most this many).</summary>
    public int MaxPoolsPerVendor { get; init; } = 4;

    /// <summary>Whether to compute the baselines (per vendor and per pool).</summary>
    public bool Baselines { get; init; } = true;
}

/// <summary>
/// The fleet report (issue 7): the hosts × models matrix, per vendor the common models and the
/// baseline, compatibility pools with the hosts holding them back, and x86-64 levels.
/// </summary>
public sealed record FleetReport
{
    /// <summary>The management catalog.</summary>
    public required CpuCatalog Catalog { get; init; }

    /// <summary>The hypervisor catalog (for x86-64 levels).</summary>
    public required QemuHypervisorCatalog Hypervisor { get; init; }

    /// <summary>The hosts, in file order.</summary>
    public required ImmutableArray<FleetHost> Hosts { get; init; }

    /// <summary>The files skipped.</summary>
    public required ImmutableArray<SkippedCapture> Skipped { get; init; }

    /// <summary>The matrix (rows = <see cref="Hosts"/>).</summary>
    public required UsabilityMatrix Matrix { get; init; }

    /// <summary>The x86-64 level of each host.</summary>
    public required ImmutableArray<int> Levels { get; init; }

    /// <summary>The x86-64 level every decoded host reaches, whatever its vendor (0 for none, or no host).</summary>
    public int Level { get; init; }

    /// <summary>Per vendor: common models and baseline.</summary>
    public required ImmutableArray<VendorSummary> Vendors { get; init; }

    /// <summary>The compatibility pools.</summary>
    public required ImmutableArray<CompatibilityPool> Pools { get; init; }

    /// <summary>Computes a report.</summary>
    /// <param name="catalog">The management catalog.</param>
    /// <param name="hypervisor">The hypervisor catalog.</param>
    /// <param name="hosts">The hosts.</param>
    /// <param name="skipped">The skipped files.</param>
    /// <param name="options">Options, or null for the defaults.</param>
    /// <returns>The report.</returns>
    public static FleetReport Compute(CpuCatalog catalog, QemuHypervisorCatalog hypervisor, IReadOnlyList<FleetHost> hosts, IEnumerable<SkippedCapture>? skipped = null, FleetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(hypervisor);
        ArgumentNullException.ThrowIfNull(hosts);
        options ??= new FleetOptions();
        var matrix = UsabilityMatrix.Compute(catalog, [.. hosts.Select(h => h.HostCpu is null ? (FeatureSet?)null : h.Features)]);
        var bridge = VocabularyBridge.For(catalog, hypervisor);
        var levelOfRow = new Dictionary<int, int>();
        var levels = ImmutableArray.CreateBuilder<int>(hosts.Count);
        for (var i = 0; i < hosts.Count; i++)
        {
            var row = matrix.RowOf(i);
            if (!levelOfRow.TryGetValue(row, out var level))
            {
                level = hosts[i].HostCpu is null ? 0 : LevelOf(hypervisor, bridge, hosts[i].Features);
                levelOfRow.Add(row, level);
            }

            levels.Add(level);
        }

        var vendors = ImmutableArray.CreateBuilder<VendorSummary>();
        var pools = ImmutableArray.CreateBuilder<CompatibilityPool>();
        var baseline = new CpuBaseline(catalog);
        foreach (var group in Enumerable.Range(0, hosts.Count).Where(i => hosts[i].HostCpu is not null).GroupBy(i => hosts[i].Vendor ?? "unknown", StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = group.ToImmutableArray();
            var candidates = Candidates(catalog, group.Key);
            var common = Intersection(hosts, members);
            var commonModels = candidates.Where(m => common.ContainsAll(catalog.Models[m].Features)).Reverse().Select(m => catalog.Models[m]).ToImmutableArray();
            var (b, be) = options.Baselines ? Baseline(baseline, hosts, members) : (null, "not computed");
            vendors.Add(new VendorSummary(group.Key, members, commonModels, b, be, LevelOf(hypervisor, bridge, common)));
            foreach (var pool in PoolBuilder.Build(matrix, hosts, members, candidates, options.MaxPoolsPerVendor))
            {
                var (pb, pbe) = options.Baselines ? Baseline(baseline, hosts, pool.Hosts) : (null, "not computed");
                var level = LevelOf(hypervisor, bridge, Intersection(hosts, pool.Hosts));
                pools.Add(new CompatibilityPool(group.Key, pool.Hosts, pool.Model is { } pm ? catalog.Models[pm] : null, pb, pbe, level, pool.HeldBackBy, pool.Gain is { } g ? catalog.Models[g] : null));
            }
        }

        return new FleetReport
        {
            Catalog = catalog,
            Hypervisor = hypervisor,
            Hosts = [.. hosts],
            Skipped = skipped?.ToImmutableArray() ?? [],
            Matrix = matrix,
            Levels = levels.MoveToImmutable(),
            Level = hosts.Any(h => h.HostCpu is not null) ? LevelOf(hypervisor, bridge, Intersection(hosts, Enumerable.Range(0, hosts.Count).Where(i => hosts[i].HostCpu is not null))) : 0,
            Vendors = vendors.ToImmutable(),
            Pools = pools.ToImmutable(),
        };
    }

    /// <summary>The model indices a vendor's hosts are offered: models of that vendor and vendor-less models, oldest first.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="vendor">The vendor name.</param>
    /// <returns>The model indices, in catalog order.</returns>
    public static int[] Candidates(CpuCatalog catalog, string vendor)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return [.. Enumerable.Range(0, catalog.Models.Length).Where(m => catalog.Models[m].Vendor is not { } v || string.Equals(v.Name, vendor, StringComparison.Ordinal))];
    }

    /// <summary>The newest model (vendor-matching) usable on a host, or null.</summary>
    /// <param name="host">The host index.</param>
    /// <returns>The model.</returns>
    public CpuModel? NewestUsable(int host)
    {
        if (Hosts[host].HostCpu is null)
        {
            return null;
        }

        var candidates = Candidates(Catalog, Hosts[host].Vendor ?? "unknown");
        for (var k = candidates.Length - 1; k >= 0; k--)
        {
            if (Matrix.IsUsable(host, candidates[k]))
            {
                return Catalog.Models[candidates[k]];
            }
        }

        return null;
    }

    internal static FeatureSet Intersection(IReadOnlyList<FleetHost> hosts, IEnumerable<int> members)
    {
        FeatureSet? common = null;
        foreach (var i in members)
        {
            common = common is { } c ? c & hosts[i].Features : hosts[i].Features;
        }

        return common ?? FeatureSet.Empty;
    }

    private static int LevelOf(QemuHypervisorCatalog hypervisor, VocabularyBridge bridge, FeatureSet features) =>
        X86Level.Of(hypervisor, bridge.ToHypervisor(features));

    private static (CpuDefinition? Cpu, string? Error) Baseline(CpuBaseline baseline, IReadOnlyList<FleetHost> hosts, IEnumerable<int> members)
    {
        // Identical host CPUs add nothing to a baseline: compute it over the distinct ones.
        var distinct = new Dictionary<(string?, FeatureSet), CpuDefinition>();
        foreach (var i in members)
        {
            distinct.TryAdd((hosts[i].HostCpu!.Model, hosts[i].Features), hosts[i].HostCpu!);
        }

        try
        {
            return (baseline.Compute([.. distinct.Values], migratable: true), null);
        }
        catch (CpuEngineException e)
        {
            return (null, e.Message);
        }
    }
}
