using System.Collections.Immutable;
using VirtCpu.Cpu;
using VirtCpu.Engine;
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
        var hosts = ImmutableArray.CreateBuilder<HostDrift>();
        var common = new List<(int Old, int New)>();
        foreach (var (name, o) in oldIndex.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!newIndex.TryGetValue(name, out var n))
            {
                continue;
            }

            common.Add((o, n));
            hosts.Add(CompareHost(before, after, name, o, n));
        }

        var removed = oldIndex.Keys.Where(k => !newIndex.ContainsKey(k)).Order(StringComparer.Ordinal).ToImmutableArray();
        var added = newIndex.Keys.Where(k => !oldIndex.ContainsKey(k)).Order(StringComparer.Ordinal).ToImmutableArray();
        var starts = ImmutableArray.CreateBuilder<GuestStartDrift>();
        var migrations = ImmutableArray.CreateBuilder<GuestMigrationDrift>();
        foreach (var (guest, cpu) in guests ?? [])
        {
            CompareGuest(before, after, common, guest, cpu, starts, migrations);
        }

        return new FleetDrift(hosts.ToImmutable(), removed, added, starts.ToImmutable(), migrations.ToImmutable());
    }

    /// <summary>One host present in both reports: features lost and gained, models that became unusable or usable.</summary>
    private static HostDrift CompareHost(FleetReport before, FleetReport after, string name, int o, int n)
    {
        var catalog = after.Catalog;
        var oldHost = before.Hosts[o];
        var newHost = after.Hosts[n];
        var lost = catalog.NamesOf(oldHost.Features - newHost.Features).ToImmutableArray();
        var gained = catalog.NamesOf(newHost.Features - oldHost.Features).ToImmutableArray();
        var unusable = ImmutableArray.CreateBuilder<string>();
        var usable = ImmutableArray.CreateBuilder<string>();
        var models = after.Matrix.Models;
        for (var model = 0; model < models.Length; model++)
        {
            var usableBefore = before.Catalog.FindModel(models[model].Name) is { } oldModel && before.Matrix.IsUsable(o, oldModel.Index);
            var usableAfter = after.Matrix.IsUsable(n, model);
            if (usableBefore && !usableAfter)
            {
                unusable.Add(models[model].Name);
            }
            else if (usableAfter && !usableBefore)
            {
                usable.Add(models[model].Name);
            }
        }

        return new HostDrift(name, lost, gained, unusable.ToImmutable(), usable.ToImmutable());
    }

    /// <summary>One guest on the hosts present in both reports: starts that no longer succeed, and migrations SAFE before that no longer are.</summary>
    private static void CompareGuest(FleetReport before, FleetReport after, List<(int Old, int New)> common, string guest, CpuDefinition cpu,
        ImmutableArray<GuestStartDrift>.Builder starts, ImmutableArray<GuestMigrationDrift>.Builder migrations)
    {
        var usableHosts = new List<(int Old, int New)>();
        foreach (var (o, n) in common)
        {
            if (before.Hosts[o].Node is not { } oldNode || after.Hosts[n].Node is not { } newNode)
            {
                continue;
            }

            var startBefore = Start(cpu, oldNode);
            var startAfter = Start(cpu, newNode);
            if (startBefore.Succeeded && !startAfter.Succeeded)
            {
                starts.Add(new GuestStartDrift(guest, after.Hosts[n].Name, startAfter.Reason));
            }

            if (startBefore.Succeeded)
            {
                usableHosts.Add((o, n));
            }
        }

        foreach (var (sourceOld, sourceNew) in usableHosts)
        {
            foreach (var (targetOld, targetNew) in common)
            {
                if (sourceOld == targetOld || before.Hosts[targetOld].Node is null || after.Hosts[targetNew].Node is null)
                {
                    continue;
                }

                var verdictBefore = Check(cpu, before.Hosts[sourceOld].Node!, before.Hosts[targetOld].Node!);
                if (verdictBefore.Verdict != Verdict.Safe)
                {
                    continue;
                }

                var verdictAfter = Check(cpu, after.Hosts[sourceNew].Node!, after.Hosts[targetNew].Node!);
                // A guest that no longer starts on the source is already listed under NoLongerStart.
                if (verdictAfter.Verdict is not (Verdict.Safe or Verdict.SourceFails))
                {
                    migrations.Add(new GuestMigrationDrift(guest, after.Hosts[sourceNew].Name, after.Hosts[targetNew].Name, MigrationVerdict.Name(verdictAfter.Verdict), verdictAfter.Reason));
                }
            }
        }
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
