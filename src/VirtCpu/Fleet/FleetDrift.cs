using System.Collections.Immutable;
using VirtCpu.Cpu;
using VirtCpu.Engine;
using VirtCpu.Formats;
using VirtCpu.Migration;

namespace VirtCpu.Fleet;

/// <summary>How one host changed between two captures.</summary>
/// <param name="Name">The host name.</param>
/// <param name="Lost">Features the host CPU lost (management catalog names).</param>
/// <param name="Gained">Features it gained.</param>
/// <param name="NowUnusable">Models usable before, not after.</param>
/// <param name="NowUsable">Models usable after, not before.</param>
public sealed record HostDrift(string Name, ImmutableArray<string> Lost, ImmutableArray<string> Gained, ImmutableArray<string> NowUnusable, ImmutableArray<string> NowUsable)
{
    /// <summary>True when nothing changed.</summary>
    public bool IsEmpty => Lost.IsEmpty && Gained.IsEmpty && NowUnusable.IsEmpty && NowUsable.IsEmpty;
}

/// <summary>A guest that started on a host before and no longer does.</summary>
/// <param name="Guest">The guest name.</param>
/// <param name="Host">The host name.</param>
/// <param name="Reason">Why it fails now.</param>
public sealed record GuestStartDrift(string Guest, string Host, string Reason);

/// <summary>A guest whose migration between two hosts was safe before and no longer is.</summary>
/// <param name="Guest">The guest name.</param>
/// <param name="Source">The source host.</param>
/// <param name="Target">The destination host.</param>
/// <param name="Verdict">The verdict now (blocked, unsafe, source-fails).</param>
/// <param name="Reason">The reason.</param>
public sealed record GuestMigrationDrift(string Guest, string Source, string Target, string Verdict, string Reason);

/// <summary>
/// Drift between two captures of the same hosts (issue 7 item 3): hosts are matched by name; for
/// each, the features lost and gained and the models that became (un)usable; with guests, those
/// that started on a host before and no longer do (<see cref="GuestStarter"/>), and the ordered host
/// pairs a guest migrated between safely before and no longer does (<see cref="MigrationCheck"/>;
/// pairs whose source no longer starts the guest are left to the start list).
/// </summary>
/// <param name="Hosts">The hosts present in both captures, in name order.</param>
/// <param name="Removed">Hosts only in the old capture.</param>
/// <param name="Added">Hosts only in the new capture.</param>
/// <param name="NoLongerStart">Guests that no longer start, per host.</param>
/// <param name="NoLongerMigrate">Guest migrations that are no longer safe.</param>
public sealed record FleetDrift(ImmutableArray<HostDrift> Hosts, ImmutableArray<string> Removed, ImmutableArray<string> Added, ImmutableArray<GuestStartDrift> NoLongerStart, ImmutableArray<GuestMigrationDrift> NoLongerMigrate)
{
    /// <summary>Compares two fleets.</summary>
    /// <param name="before">The old report.</param>
    /// <param name="after">The new report (same catalogs).</param>
    /// <param name="guests">Guests to check (their hosts need nodes), or none.</param>
    /// <returns>The drift.</returns>
    public static FleetDrift Compute(FleetReport before, FleetReport after, IReadOnlyList<(string Name, CpuDefinition Cpu)>? guests = null)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var oldIndex = Index(before);
        var newIndex = Index(after);
        var catalog = after.Catalog;
        var hosts = ImmutableArray.CreateBuilder<HostDrift>();
        var common = new List<(int Old, int New)>();
        foreach (var (name, o) in oldIndex.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!newIndex.TryGetValue(name, out var n))
            {
                continue;
            }

            common.Add((o, n));
            var ho = before.Hosts[o];
            var hn = after.Hosts[n];
            var lost = catalog.NamesOf(ho.Features - hn.Features).ToImmutableArray();
            var gained = catalog.NamesOf(hn.Features - ho.Features).ToImmutableArray();
            var unusable = ImmutableArray.CreateBuilder<string>();
            var usable = ImmutableArray.CreateBuilder<string>();
            var models = after.Matrix.Models;
            for (var m = 0; m < models.Length; m++)
            {
                var mo = before.Catalog.FindModel(models[m].Name) is { } om && before.Matrix.IsUsable(o, om.Index);
                var mn = after.Matrix.IsUsable(n, m);
                if (mo && !mn)
                {
                    unusable.Add(models[m].Name);
                }
                else if (mn && !mo)
                {
                    usable.Add(models[m].Name);
                }
            }

            hosts.Add(new HostDrift(name, lost, gained, unusable.ToImmutable(), usable.ToImmutable()));
        }

        var removed = oldIndex.Keys.Where(k => !newIndex.ContainsKey(k)).Order(StringComparer.Ordinal).ToImmutableArray();
        var added = newIndex.Keys.Where(k => !oldIndex.ContainsKey(k)).Order(StringComparer.Ordinal).ToImmutableArray();
        var starts = ImmutableArray.CreateBuilder<GuestStartDrift>();
        var migrations = ImmutableArray.CreateBuilder<GuestMigrationDrift>();
        foreach (var (guest, cpu) in guests ?? [])
        {
            var usableHosts = new List<(int Old, int New)>();
            foreach (var (o, n) in common)
            {
                if (before.Hosts[o].Node is not { } on || after.Hosts[n].Node is not { } nn)
                {
                    continue;
                }

                var so = Start(cpu, on);
                var sn = Start(cpu, nn);
                if (so.Succeeded && !sn.Succeeded)
                {
                    starts.Add(new GuestStartDrift(guest, after.Hosts[n].Name, sn.Reason));
                }

                if (so.Succeeded)
                {
                    usableHosts.Add((o, n));
                }
            }

            foreach (var (so, sn) in usableHosts)
            {
                foreach (var (to, tn) in common)
                {
                    if (so == to || before.Hosts[to].Node is null || after.Hosts[tn].Node is null)
                    {
                        continue;
                    }

                    var vo = Check(cpu, before.Hosts[so].Node!, before.Hosts[to].Node!);
                    if (vo.Verdict != Verdict.Safe)
                    {
                        continue;
                    }

                    var vn = Check(cpu, after.Hosts[sn].Node!, after.Hosts[tn].Node!);
                    // A guest that no longer starts on the source is already listed under NoLongerStart.
                    if (vn.Verdict is not (Verdict.Safe or Verdict.SourceFails))
                    {
                        migrations.Add(new GuestMigrationDrift(guest, after.Hosts[sn].Name, after.Hosts[tn].Name, MigrationVerdict.Name(vn.Verdict), vn.Reason));
                    }
                }
            }
        }

        return new FleetDrift(hosts.ToImmutable(), removed, added, starts.ToImmutable(), migrations.ToImmutable());
    }

    private static Dictionary<string, int> Index(FleetReport report)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < report.Hosts.Length; i++)
        {
            index.TryAdd(report.Hosts[i].Name, i);
        }

        return index;
    }

    private static GuestStart Start(CpuDefinition guest, Node node)
    {
        try
        {
            return GuestStarter.Start(guest, node);
        }
        catch (Exception e) when (e is InputException or CpuEngineException)
        {
            return new GuestStart { Node = node, Machine = node.Machine, Step = StartStep.Parse, Reason = e.Message };
        }
    }

    private static MigrationVerdict Check(CpuDefinition guest, Node source, Node target)
    {
        try
        {
            return MigrationCheck.Check(guest, source, target, advise: false);
        }
        catch (Exception e) when (e is InputException or CpuEngineException)
        {
            return new MigrationVerdict { Verdict = Verdict.Blocked, Reason = e.Message, Source = Start(guest, source) };
        }
    }
}
