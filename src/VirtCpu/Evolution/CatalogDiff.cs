using System.Collections.Immutable;
using System.Diagnostics;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Migration;
using VirtCpu.Qemu;

namespace VirtCpu.Evolution;

/// <summary>
/// <c>catalog diff OLD NEW</c> (docs/design.md#41-catalog-changes): the structural differences of two
/// management catalogs, and for every changed model and every feature added to or removed from it
/// (markers included) the start and migration model over both directions, hosts that offer or lack
/// the feature and the check modes none, partial and full, set beside the same runs within one
/// catalog version.
/// </summary>
/// <remarks>
/// <para>Hosts: the vendor and first signature of the model; the features of the hypervisor's model
/// (the version the machine type resolves to and the latest version), every feature either catalog's
/// model holds (in the hypervisor's names), <c>x2apic</c>, <c>hypervisor</c> and <c>svm</c> (AMD,
/// Hygon) or <c>vmx</c> (Intel); then with or without the feature under study. So only the feature under
/// study decides between the two hosts.</para>
/// <para>Guests: <c>&lt;cpu mode='custom' match='exact' check='C'&gt;&lt;model&gt;X&lt;/model&gt;&lt;/cpu&gt;</c>. A
/// feature QEMU only keeps for nested guests (the SVM leaf 0x8000000A, the VMX capability MSRs
/// 0x480-0x491) is pruned unless the guest has <c>svm</c>/<c>vmx</c>, so for those the guest also
/// requires <c>svm</c> or <c>vmx</c> (worked example A): the plain guest cannot reveal the change (its CPU
/// never has the feature) and the nested guest reveals both the start and the migration effects.</para>
/// <para>A cross-version run (old→new, new→old) is a finding when it is worse than the same run with
/// the source's catalog on both sides (SAFE &lt; BLOCKED &lt; UNSAFE): BLOCKED makes a migration
/// regression, UNSAFE a silent change. A start regression is a guest that starts on a host under OLD
/// and not under NEW. Starts are memoized per (definition, node).</para>
/// </remarks>
public sealed class CatalogDiff
{
    private static readonly CpuCheck[] Checks = [CpuCheck.None, CpuCheck.Partial, CpuCheck.Full];

    private readonly CpuCatalog _old;
    private readonly CpuCatalog _new;
    private readonly QemuHypervisorCatalog _q;
    private readonly string _machine;
    private readonly QemuMachineType _machineType;
    private readonly Dictionary<(CpuCatalog, string), Node> _nodes = [];
    private readonly Dictionary<(string, Node, string), GuestStart> _starts = [];
    private int _runs;

    private CatalogDiff(CpuCatalog old, CpuCatalog @new, QemuHypervisorCatalog q, string machine)
    {
        _old = old;
        _new = @new;
        _q = q;
        _machine = machine;
        _machineType = QemuMachineTypes.Find(q, machine);
    }

    /// <summary>The default machine type (QEMU 10.0's q35, as the worked examples use).</summary>
    public const string DefaultMachine = "pc-q35-9.2";

    /// <summary>Compares two catalogs and studies every change.</summary>
    /// <param name="old">The old catalog.</param>
    /// <param name="new">The new catalog.</param>
    /// <param name="hypervisor">The hypervisor catalog for every node (default qemu-10.0).</param>
    /// <param name="machine">The machine type (default <see cref="DefaultMachine"/>).</param>
    /// <param name="models">Study only these changed models (null: all); the structural diff is always complete.</param>
    /// <returns>The report.</returns>
    public static CatalogDiffReport Compute(CpuCatalog old, CpuCatalog @new, QemuHypervisorCatalog? hypervisor = null, string? machine = null, IReadOnlyCollection<string>? models = null)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(@new);
        var clock = Stopwatch.StartNew();
        var q = hypervisor ?? BuiltInHypervisors.Get();
        var diff = new CatalogDiff(old, @new, q, machine ?? DefaultMachine);
        var changed = ChangedModels(old, @new);
        var studies = ImmutableArray.CreateBuilder<ChangeStudy>();
        foreach (var model in changed)
        {
            if (models is not null && !models.Contains(model.Name, StringComparer.Ordinal))
            {
                continue;
            }

            if (model.Features.IsEmpty)
            {
                studies.Add(diff.Study(model.Name, null));
            }

            foreach (var change in model.Features)
            {
                studies.Add(diff.Study(model.Name, change));
            }
        }

        return new CatalogDiffReport
        {
            Old = old.Name,
            New = @new.Name,
            Hypervisor = q.Name,
            Machine = diff._machine,
            AddedFeatures = [.. @new.Features.Where(f => old.FindFeature(f.Name) is null).Select(f => f.Name)],
            RemovedFeatures = [.. old.Features.Where(f => @new.FindFeature(f.Name) is null).Select(f => f.Name)],
            ChangedFeatures = [.. old.Features.Where(f => @new.FindFeature(f.Name) is { } n && (n.Migratable != f.Migratable || !n.Bits.SequenceEqual(f.Bits))).Select(f => f.Name)],
            AddedModels = [.. @new.Models.Where(m => old.FindModel(m.Name) is null).Select(m => m.Name)],
            RemovedModels = [.. old.Models.Where(m => @new.FindModel(m.Name) is null).Select(m => m.Name)],
            ChangedModels = changed,
            Studies = studies.ToImmutable(),
            VersionedViolations = VersionedViolations(old, @new),
            Runs = diff._runs,
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary>
    /// The versioned models (<c>X-vN</c>) that changed or disappeared between two catalogs, with the
    /// catalog lock's rule (<see cref="CatalogLock"/>: same canonical text, same fingerprint).
    /// </summary>
    /// <param name="old">The old catalog.</param>
    /// <param name="new">The new catalog.</param>
    /// <returns>The forbidden differences, named after the new catalog.</returns>
    public static ImmutableArray<CatalogLockDifference> VersionedViolations(CpuCatalog old, CpuCatalog @new)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(@new);
        var label = @new.Name;
        var locked = CatalogLock.Compute(CatalogLock.SourcesOf(old).Select(s => s with { Catalog = label }));
        var current = CatalogLock.Compute(CatalogLock.SourcesOf(@new));
        return [.. CatalogLock.Check(locked, current).Where(d => d.IsForbidden)];
    }

    /// <summary>The models both catalogs have whose definitions differ, with their feature changes.</summary>
    /// <param name="old">The old catalog.</param>
    /// <param name="new">The new catalog.</param>
    /// <returns>The changed models, in the new catalog's order.</returns>
    public static ImmutableArray<ChangedModel> ChangedModels(CpuCatalog old, CpuCatalog @new)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(@new);
        var result = ImmutableArray.CreateBuilder<ChangedModel>();
        foreach (var n in @new.Models)
        {
            if (old.FindModel(n.Name) is not { } o
                || string.Equals(CatalogLock.CanonicalText(old, o), CatalogLock.CanonicalText(@new, n), StringComparison.Ordinal))
            {
                continue;
            }

            var differences = new List<string>();
            if (!string.Equals(o.Vendor?.CpuidString, n.Vendor?.CpuidString, StringComparison.Ordinal))
            {
                differences.Add($"vendor {o.Vendor?.Name ?? "none"} → {n.Vendor?.Name ?? "none"}");
            }

            if (!o.Signatures.SequenceEqual(n.Signatures))
            {
                differences.Add($"signatures {Signatures(o)} → {Signatures(n)}");
            }

            if (o.DecodeHost != n.DecodeHost || o.DecodeGuest != n.DecodeGuest)
            {
                differences.Add($"decode host={OnOff(o.DecodeHost)} guest={OnOff(o.DecodeGuest)} → host={OnOff(n.DecodeHost)} guest={OnOff(n.DecodeGuest)}");
            }

            if (o.CompatCheck != n.CompatCheck)
            {
                differences.Add(n.CompatCheck ? "gains <check partial='compat'/>" : "loses <check partial='compat'/>");
            }

            if (!string.Equals(o.Ancestor, n.Ancestor, StringComparison.Ordinal) || o.IsAlias != n.IsAlias)
            {
                differences.Add($"ancestor {o.Ancestor ?? "none"}{(o.IsAlias ? " (alias)" : "")} → {n.Ancestor ?? "none"}{(n.IsAlias ? " (alias)" : "")}");
            }

            result.Add(new ChangedModel(n.Name, n.IsVersioned, [.. differences], FeatureChanges(old, o, @new, n)));
        }

        return result.ToImmutable();
    }

    private static ImmutableArray<ModelFeatureChange> FeatureChanges(CpuCatalog old, CpuModel o, CpuCatalog @new, CpuModel n)
    {
        var oldData = old.NamesOf(o.Features).ToHashSet(StringComparer.Ordinal);
        var newData = @new.NamesOf(n.Features).ToHashSet(StringComparer.Ordinal);
        var oldRemoved = o.RemovedFeatures.Select(i => old.Features[i].Name).ToHashSet(StringComparer.Ordinal);
        var newRemoved = n.RemovedFeatures.Select(i => @new.Features[i].Name).ToHashSet(StringComparer.Ordinal);
        var oldAdded = o.AddedFeatures.Select(i => old.Features[i].Name).ToHashSet(StringComparer.Ordinal);
        var newAdded = n.AddedFeatures.Select(i => @new.Features[i].Name).ToHashSet(StringComparer.Ordinal);
        var changes = new List<ModelFeatureChange>();
        var names = new SortedSet<string>(StringComparer.Ordinal);
        names.UnionWith(oldData);
        names.UnionWith(newData);
        names.UnionWith(oldRemoved);
        names.UnionWith(newRemoved);
        names.UnionWith(oldAdded);
        names.UnionWith(newAdded);
        foreach (var f in names)
        {
            bool inOld = oldData.Contains(f), inNew = newData.Contains(f);
            bool rOld = oldRemoved.Contains(f), rNew = newRemoved.Contains(f);
            bool aOld = oldAdded.Contains(f), aNew = newAdded.Contains(f);
            if (inOld && !inNew)
            {
                changes.Add(new(n.Name, f, rNew ? ModelFeatureChangeKind.RemovedWithMarker : ModelFeatureChangeKind.RemovedFromData));
            }
            else if (!inOld && inNew)
            {
                changes.Add(new(n.Name, f, ModelFeatureChangeKind.AddedToData));
            }
            else if (rOld != rNew)
            {
                changes.Add(new(n.Name, f, rNew ? ModelFeatureChangeKind.RemovedMarkerAdded : ModelFeatureChangeKind.RemovedMarkerDeleted));
            }
            else if (aOld != aNew)
            {
                changes.Add(new(n.Name, f, aNew ? ModelFeatureChangeKind.AddedMarker : ModelFeatureChangeKind.AddedMarkerDeleted));
            }
        }

        return [.. changes];
    }

    private static string Signatures(CpuModel m) => m.Signatures.IsEmpty
        ? "none"
        : string.Join(" ", m.Signatures.Select(s => $"{s.Family}/{s.Model}{(s.SteppingText() is { } st ? "/" + st : "")}"));

    private static string OnOff(bool value) => value ? "on" : "off";

    /// <summary>The nested-virtualization feature a feature depends on: svm for the SVM leaf, vmx for the VMX MSRs, else null.</summary>
    /// <param name="feature">The feature.</param>
    /// <returns><c>svm</c>, <c>vmx</c> or null.</returns>
    public static string? NestedDependency(Feature feature)
    {
        ArgumentNullException.ThrowIfNull(feature);
        foreach (var b in feature.Bits)
        {
            if (b.Key.Kind == CpuDataKind.Cpuid && b.Key.Index == 0x8000000A)
            {
                return "svm";
            }

            if (b.Key.Kind == CpuDataKind.Msr && b.Key.Index is >= 0x480 and <= 0x491)
            {
                return "vmx";
            }
        }

        return null;
    }

    private ChangeStudy Study(string modelName, ModelFeatureChange? change)
    {
        var o = _old.FindModel(modelName)!;
        var n = _new.FindModel(modelName)!;
        var feature = change is null ? null : _new.FindFeature(change.Feature) ?? _old.FindFeature(change.Feature);
        var notes = new List<string>();
        var baseHost = BaseHost(o, n, notes);
        if (baseHost is null)
        {
            return new ChangeStudy(modelName, change, ChangeImpact.Safe, 0, [], [.. notes]);
        }

        var dependency = feature is null ? null : NestedDependency(feature);
        var guests = StudyGuests(modelName, dependency);
        if (dependency is not null)
        {
            notes.Add($"These features depend on {dependency}: the guests require {dependency} (without it QEMU prunes them and no run could show the change).");
        }

        var hostVariants = feature is null ? [true] : new[] { true, false };
        var tally = new StudyTally();
        foreach (var guest in guests)
        {
            var guestText = CatalogDiffReport.OneLine(guest);
            StudyStarts(guest, guestText, baseHost, feature, hostVariants, tally);
            StudyMigrations(guest, guestText, baseHost, feature, hostVariants, tally);
        }

        _runs += tally.Runs;
        if (change is not null)
        {
            notes.AddRange(Explain(change, tally.Impact));
        }

        return new ChangeStudy(modelName, change, tally.Impact, tally.Runs, tally.Findings.ToImmutable(), [.. notes]) { Unchanged = tally.Unchanged, UnchangedExample = tally.UnchangedExample };
    }

    /// <summary>The guests a study runs: the model under every check mode, requiring the features' nested-virtualization dependency when they have one.</summary>
    private static List<CpuDefinition> StudyGuests(string modelName, string? dependency)
    {
        var guests = new List<CpuDefinition>();
        foreach (var check in Checks)
        {
            var features = dependency is null
                ? ImmutableArray<CpuFeature>.Empty
                : [new CpuFeature(dependency, FeaturePolicy.Require)];
            guests.Add(new CpuDefinition { Type = CpuType.Guest, Mode = CpuMode.Custom, Match = CpuMatch.Exact, Check = check, Model = modelName, Features = features });
        }

        return guests;
    }

    /// <summary>Starts: OLD and NEW on the same host; a guest that starts under OLD but not under NEW is a start regression.</summary>
    private void StudyStarts(CpuDefinition guest, string guestText, HostBase baseHost, Feature? feature, bool[] hostVariants, StudyTally tally)
    {
        foreach (var h in hostVariants)
        {
            tally.Runs++;
            var so = Start(guest, NodeFor(_old, baseHost, feature, h));
            var sn = Start(guest, NodeFor(_new, baseHost, feature, h));
            if (so.Succeeded && !sn.Succeeded)
            {
                tally.Impact |= ChangeImpact.StartRegression;
                tally.Findings.Add(new ImpactFinding(ChangeImpact.StartRegression, guestText, "start", feature is null ? null : h, null,
                    $"fails under {_new.Name} at {GuestStart.StepName(sn.Step)}: {sn.Reason}", [$"{_old.Name}: starts"]));
            }
        }
    }

    /// <summary>Migrations across versions, beside the same runs within one version: only what is worse across versions is a finding.</summary>
    private void StudyMigrations(CpuDefinition guest, string guestText, HostBase baseHost, Feature? feature, bool[] hostVariants, StudyTally tally)
    {
        foreach (var hs in hostVariants)
        {
            foreach (var ht in hostVariants)
            {
                foreach (var (from, to) in new[] { (_old, _new), (_new, _old) })
                {
                    tally.Runs++;
                    var cross = Migrate(guest, from, to, baseHost, feature, hs, ht);
                    if (cross.Verdict is Verdict.Safe or Verdict.SourceFails)
                    {
                        continue;
                    }

                    var within = Migrate(guest, from, from, baseHost, feature, hs, ht);
                    var other = Migrate(guest, to, to, baseHost, feature, hs, ht);
                    if (Rank(cross.Verdict) <= Rank(within.Verdict))
                    {
                        tally.Unchanged++;
                        tally.UnchangedExample ??= $"{Side(from)}→{Side(to)}{(feature is null ? "" : $", source host {(hs ? "with" : "without")} {feature.Name}, destination host {(ht ? "with" : "without")}")}, guest {guestText}: {CatalogDiffReport.Describe(cross)} (within one version: {Short(within)})";
                        continue;
                    }

                    if (feature is not null && !Mentions(cross, feature, to))
                    {
                        // Worse across versions, but for another feature: that feature's own study reports it.
                        continue;
                    }

                    var kind = cross.Verdict == Verdict.Unsafe ? ChangeImpact.SilentChange : ChangeImpact.MigrationRegression;
                    tally.Impact |= kind;
                    tally.Findings.Add(new ImpactFinding(kind, guestText, $"{Side(from)}→{Side(to)}", feature is null ? null : hs, feature is null ? null : ht,
                        CatalogDiffReport.Describe(cross),
                        [$"{Side(from)}→{Side(from)}: {Short(within)}", $"{Side(to)}→{Side(to)}: {Short(other)}"]));
                }
            }
        }
    }

    /// <summary>What one study has found so far.</summary>
    private sealed class StudyTally
    {
        public ImmutableArray<ImpactFinding>.Builder Findings { get; } = ImmutableArray.CreateBuilder<ImpactFinding>();

        public ChangeImpact Impact { get; set; } = ChangeImpact.Safe;

        public int Runs { get; set; }

        public int Unchanged { get; set; }

        public string? UnchangedExample { get; set; }
    }

    private static IEnumerable<string> Explain(ModelFeatureChange change, ChangeImpact impact)
    {
        switch (change.Kind)
        {
            case ModelFeatureChangeKind.RemovedWithMarker when impact == ChangeImpact.Safe:
                yield return "The removed='yes' marker keeps this removal safe: a guest started under the new catalog records 'disable' for the feature in its live definition, so an old destination, whose model still holds it, does not expect it; and a guest coming from the old catalog already recorded 'disable' because QEMU's model does not enable it.";
                break;
            case ModelFeatureChangeKind.RemovedFromData when (impact & ChangeImpact.MigrationRegression) != 0:
                yield return "Without a removed='yes' marker nothing records that the feature is off: an old destination expects it (its model holds it) and the live check fails. Mark it removed='yes'.";
                break;
            case ModelFeatureChangeKind.AddedMarker when impact == ChangeImpact.Safe:
                yield return "The added='yes' marker keeps the feature out of the model's data (no partial-check or model-choice change), lets the live check tolerate it and drops it from migration XML, so no cross-version run is worse than within one version. It does not stop the feature from being lost silently when a destination host lacks it: that happens within one version too (see 'unchanged').";
                break;
            case ModelFeatureChangeKind.AddedToData:
                yield return "Adding a feature to a released model's data changes what the model means: add a new version (X-vN) instead.";
                break;
            default:
                break;
        }
    }

    private bool Mentions(MigrationVerdict verdict, Feature feature, CpuCatalog target)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { feature.Name };
        foreach (var catalog in new[] { _old, _new, target })
        {
            if (catalog.FindFeature(feature.Name) is { } f && VocabularyBridge.For(catalog, _q).QemuOf(f.Index) is var qi and >= 0)
            {
                names.Add(_q.Features[qi].Name);
            }
        }

        return verdict.Names.Any(names.Contains) || verdict.Lost.Any(names.Contains) || verdict.Gained.Any(names.Contains)
            || verdict.VendorChange is not null || verdict.SignatureChange is not null;
    }

    private static int Rank(Verdict v) => v switch
    {
        Verdict.Safe => 0,
        Verdict.Blocked => 1,
        Verdict.Unsafe => 2,
        _ => -1,
    };

    private static string Short(MigrationVerdict v) => v.Verdict switch
    {
        Verdict.Safe => "SAFE",
        Verdict.SourceFails => $"source fails at {GuestStart.StepName(v.Step)}",
        Verdict.Blocked => $"BLOCKED at {GuestStart.StepName(v.Step)}{(v.Names.IsEmpty ? "" : " (" + string.Join(", ", v.Names) + ")")}",
        _ => $"UNSAFE{(v.Lost.IsEmpty ? "" : " lost " + string.Join(",", v.Lost))}{(v.Gained.IsEmpty ? "" : " gained " + string.Join(",", v.Gained))}",
    };

    private string Side(CpuCatalog c) => ReferenceEquals(c, _old) ? "old" : "new";

    private MigrationVerdict Migrate(CpuDefinition guest, CpuCatalog from, CpuCatalog to, HostBase baseHost, Feature? feature, bool hs, bool ht)
    {
        var s = Start(guest, NodeFor(from, baseHost, feature, hs));
        if (!s.Succeeded)
        {
            return MigrationCheck.SourceFailed(s);
        }

        var migrated = MigrationCheck.MigratableDefinition(s, guest);
        var t = Start(migrated, NodeFor(to, baseHost, feature, ht), s.Machine);
        return MigrationCheck.Judge(s, migrated, t);
    }

    private GuestStart Start(CpuDefinition guest, Node node, string? machine = null)
    {
        var key = (CpuXml.Format(guest), node, machine ?? node.Machine);
        if (!_starts.TryGetValue(key, out var start))
        {
            start = GuestStarter.Start(guest, node, machine);
            _starts.Add(key, start);
        }

        return start;
    }

    /// <summary>The host offer every run of a model starts from, in QEMU's names.</summary>
    private sealed record HostBase(string Vendor, uint Family, uint Model, uint Stepping, ImmutableArray<string> Qemu);

    private HostBase? BaseHost(CpuModel o, CpuModel n, List<string> notes)
    {
        var vendor = n.Vendor ?? o.Vendor;
        var names = new SortedSet<string>(StringComparer.Ordinal) { "x2apic", "hypervisor" };
        var vendorString = vendor?.CpuidString ?? "GenuineIntel";
        names.Add(string.Equals(vendorString, "GenuineIntel", StringComparison.Ordinal) ? "vmx" : "svm");
        var qemuModel = n.IsAlias && n.Ancestor is not null ? n.Ancestor : n.Name;
        try
        {
            var resolution = QemuModelResolution.Resolve(_q, qemuModel, _machineType);
            names.UnionWith(_q.NamesOf(resolution.Definition.Features));
            names.UnionWith(_q.NamesOf(resolution.Base.Latest.Definition.Features));
        }
        catch (InputException)
        {
            notes.Add($"{_q.Name} has no model {qemuModel}: hosts offer only the catalog model's features.");
        }

        foreach (var (catalog, model) in new[] { (_old, o), (_new, n) })
        {
            var bridge = VocabularyBridge.For(catalog, _q);
            foreach (var i in model.Features)
            {
                if (bridge.QemuOf(i) is var qi and >= 0)
                {
                    names.Add(_q.Features[qi].Name);
                }
            }
        }

        var signature = (n.Signatures.IsEmpty ? o.Signatures : n.Signatures) is { IsEmpty: false } sigs ? sigs[0] : new ModelSignature(6, 6, 3);
        return new HostBase(vendorString, signature.Family, signature.Model, signature.LowestStepping, [.. names]);
    }

    private Node NodeFor(CpuCatalog catalog, HostBase host, Feature? feature, bool with)
    {
        var names = new List<string>(host.Qemu.Length + 1);
        string? qemuName = null;
        string? ownName = null;
        if (feature is not null)
        {
            var own = catalog.FindFeature(feature.Name);
            if (own is not null && VocabularyBridge.For(catalog, _q).QemuOf(own.Index) is var qi and >= 0)
            {
                qemuName = _q.Features[qi].Name;
            }
            else if (own is not null)
            {
                ownName = own.Name;
            }
            else
            {
                // The catalog does not know the feature: find it in QEMU by bit location via the other catalog.
                var other = ReferenceEquals(catalog, _old) ? _new : _old;
                if (other.FindFeature(feature.Name) is { } of && VocabularyBridge.For(other, _q).QemuOf(of.Index) is var oq and >= 0)
                {
                    qemuName = _q.Features[oq].Name;
                }
            }
        }

        foreach (var name in host.Qemu)
        {
            if (!with && string.Equals(name, qemuName, StringComparison.Ordinal))
            {
                continue;
            }

            names.Add(name);
        }

        if (with && qemuName is not null && !names.Contains(qemuName, StringComparer.Ordinal))
        {
            names.Add(qemuName);
        }

        if (with && ownName is not null)
        {
            names.Add(ownName);
        }

        var key = (catalog, $"{host.Vendor}|{host.Family}|{host.Model}|{host.Stepping}|{string.Join(",", names)}");
        if (!_nodes.TryGetValue(key, out var node))
        {
            node = Node.Create(catalog.Name, catalog, _q, _machine, QemuAccelerator.Kvm, new InlineHost(host.Vendor, host.Family, host.Model, host.Stepping, [.. names]));
            _nodes.Add(key, node);
        }

        return node;
    }
}
