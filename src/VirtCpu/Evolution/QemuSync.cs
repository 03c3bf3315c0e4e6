using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using VirtCpu.Catalog;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Qemu;

namespace VirtCpu.Evolution;

/// <summary>One model file the sync adds.</summary>
/// <param name="Model">The model, in the extended catalog's terms.</param>
/// <param name="QemuVersion">The QEMU model or model version it comes from (<c>EPYC-Turin</c>, <c>EPYC-Turin-v1</c>).</param>
/// <param name="Skipped">What of QEMU's definition has no libvirt name (hypervisor-leaf bits, unnamed bits).</param>
/// <param name="Note">For a pointer, what it points at and why; null for a full definition.</param>
public sealed record SyncProposal(CpuModel Model, string QemuVersion, ImmutableArray<string> Skipped, string? Note);

/// <summary>The result of <c>catalog sync-qemu</c>.</summary>
/// <param name="Catalog">The catalog with the additions (existing models, features and vendors untouched).</param>
/// <param name="Proposals">The model files added, in QEMU's model order.</param>
/// <param name="Present">How many QEMU model versions the catalog already has (left as they are).</param>
public sealed record SyncResult(CpuCatalog Catalog, ImmutableArray<SyncProposal> Proposals, int Present)
{
    /// <summary>The features added to <c>x86_features.xml</c> because a new model lists them.</summary>
    public ImmutableArray<Feature> AddedFeatures { get; init; } = [];

    /// <summary>The vendors added to <c>x86_vendors.xml</c>.</summary>
    public ImmutableArray<Vendor> AddedVendors { get; init; } = [];
}

/// <summary>
/// Syncs QEMU's model table into a libvirt map as libvirt's maintainers do (<c>sync_qemu_models_i386.py</c>,
/// and the maps it produced: <c>docs/catalogs.md</c>): for a model family the map lacks, its unversioned
/// base (QEMU's table entry, <c>decode host='on' guest='on'</c>) and <c>X-v1</c> pointing at it; for every
/// other missing version <c>X-vN</c> a full definition (<c>decode host='on' guest='off'</c>, the base model's
/// signatures) or, when QEMU gives the version an alias, a pointer to the alias model. The features new
/// models list and the map lacks are added with their CPUID/MSR bit and libvirt's name
/// (<see cref="SyncVocabulary"/>), new vendors likewise; features the libvirt release never passes to QEMU
/// are not listed in models. Existing models, features and vendors are never edited; each addition goes
/// next to its family (features: next to their CPUID register or MSR).
/// </summary>
public static class QemuSync
{
    /// <summary>Computes the additions.</summary>
    /// <param name="hypervisor">The QEMU catalog to take models from.</param>
    /// <param name="catalog">The libvirt map to extend.</param>
    /// <param name="reference">libvirt's own map that names bits and vendors <paramref name="catalog"/> lacks (its newest built-in map), or null.</param>
    /// <param name="libvirt">The behaviour of <paramref name="catalog"/>'s libvirt release (its spelling table, its never-passed features).</param>
    /// <returns>The additions and the extended catalog.</returns>
    public static SyncResult Propose(QemuHypervisorCatalog hypervisor, CpuCatalog catalog, CpuCatalog? reference, ReleaseBehaviour libvirt)
    {
        ArgumentNullException.ThrowIfNull(hypervisor);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(libvirt);
        var state = new SyncState(hypervisor, catalog, new SyncVocabulary(catalog, reference, libvirt));
        foreach (var baseModel in hypervisor.Models)
        {
            state.Family(baseModel);
        }

        return state.Assemble();
    }

    /// <summary>The sync as text: a summary, the features and vendors added, then each new model file.</summary>
    /// <param name="result">The result.</param>
    /// <param name="hypervisorName">The QEMU catalog name.</param>
    /// <returns>The text.</returns>
    public static string Write(SyncResult result, string hypervisorName)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder();
        var pointers = result.Proposals.Count(p => p.Note is not null);
        sb.Append(CultureInfo.InvariantCulture, $"catalog sync-qemu --from {hypervisorName} --into {result.Catalog.Name}: {result.Proposals.Length} model file(s) added ({result.Proposals.Length - pointers} definition(s), {pointers} pointer(s)), {result.AddedFeatures.Length} feature(s) and {result.AddedVendors.Length} vendor(s) added; {result.Present} QEMU version(s) already present and left untouched.\n");
        sb.Append("Existing models, features and vendors are never edited. Conventions: a new family gets X (decode host='on' guest='on') and X-v1 pointing at it; X-vN gets decode host='on' guest='off'.\n");
        foreach (var v in result.AddedVendors)
        {
            sb.Append(CultureInfo.InvariantCulture, $"x86_vendors.xml: + vendor '{v.Name}' string '{v.CpuidString}'\n");
        }

        foreach (var f in result.AddedFeatures)
        {
            var b = f.Bits[0];
            var where = b.Key.Kind == CpuDataKind.Msr
                ? string.Create(CultureInfo.InvariantCulture, $"msr 0x{b.Key.Index:x8} {(b.Register == CpuRegister.Eax ? "eax" : "edx")} 0x{b.Mask:x8}")
                : string.Create(CultureInfo.InvariantCulture, $"cpuid 0x{b.Key.Index:x8},0x{b.Key.Subleaf:x4} {RegisterName(b.Register)} 0x{b.Mask:x8}");
            sb.Append(CultureInfo.InvariantCulture, $"x86_features.xml: + feature '{f.Name}' ({where}){(f.Aliases.IsEmpty ? "" : ", alias " + string.Join(", ", f.Aliases.Select(a => $"{a.Source}:{a.Name}")))}\n");
        }

        foreach (var p in result.Proposals)
        {
            sb.Append('\n').Append("== ").Append(LibvirtMapWriter.ModelFileName(p.Model.Name)).Append(" (from QEMU ").Append(p.QemuVersion).Append(")\n");
            if (p.Note is not null)
            {
                sb.Append("   ").Append(p.Note).Append('\n');
            }

            if (!p.Skipped.IsEmpty)
            {
                sb.Append("   not in the map: ").Append(string.Join(", ", p.Skipped)).Append('\n');
            }

            sb.Append(LibvirtMapWriter.Model(result.Catalog, result.Catalog.FindModel(p.Model.Name)!));
        }

        return sb.ToString();
    }

    private static string RegisterName(CpuRegister register) => register switch
    {
        CpuRegister.Eax => "eax",
        CpuRegister.Ebx => "ebx",
        CpuRegister.Ecx => "ecx",
        _ => "edx",
    };

    /// <summary>A model to add, with its features by libvirt name until the catalog is assembled.</summary>
    private sealed record Draft(string Name, string QemuName, string Family, Vendor? Vendor, ImmutableArray<ModelSignature> Signatures, ImmutableSortedSet<string> Features,
        string? PointsAt, bool DecodeGuest, ImmutableArray<string> Skipped, string? Note);

    /// <summary>The sync in progress.</summary>
    private sealed class SyncState(QemuHypervisorCatalog hypervisor, CpuCatalog catalog, SyncVocabulary vocabulary)
    {
        private readonly List<Draft> _drafts = [];
        private readonly HashSet<string> _names = [.. catalog.Models.Select(m => m.Name)];
        private readonly HashSet<string> _pointedAt = [.. catalog.Models.Where(m => m.IsAlias && m.Ancestor is not null).Select(m => m.Ancestor!)];
        private int _present;

        /// <summary>One QEMU model family: its base when the map lacks it, then every missing version.</summary>
        public void Family(QemuBaseModel baseModel)
        {
            var name = baseModel.Name;
            var signatures = catalog.FindModel(name) is { IsAlias: false } existing
                ? existing.Signatures
                : [new ModelSignature((uint)baseModel.Definition.Family, (uint)baseModel.Definition.Model, null)];
            if (!_names.Contains(name))
            {
                Add(Definition(name, name, name, baseModel.Definition, signatures, decodeGuest: true));
            }

            foreach (var version in baseModel.Versions)
            {
                if (_names.Contains(version.Name))
                {
                    _present++;
                    continue;
                }

                var alias = version.Alias ?? (version.Number == 1 ? name : null);
                if (alias is not null && !_names.Contains(alias))
                {
                    Add(Definition(alias, version.Name, name, version.Definition, signatures, decodeGuest: false));
                }

                if (alias is not null && !_pointedAt.Contains(alias))
                {
                    var why = version.Alias is null ? "v1 is the base model" : $"QEMU's alias of {version.Name}";
                    Add(new Draft(version.Name, version.Name, name, null, [], [], alias, false, [], $"points at {alias} ({why})"));
                    _pointedAt.Add(alias);
                }
                else
                {
                    Add(Definition(version.Name, version.Name, name, version.Definition, signatures, decodeGuest: false));
                }
            }
        }

        /// <summary>The extended catalog: features and models inserted beside their kin.</summary>
        public SyncResult Assemble()
        {
            var added = vocabulary.AddedFeatures.ToList();
            var features = Inserted(catalog.Features, added);
            var index = features.Select((f, i) => (f.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
            FeatureSet SetOf(IEnumerable<string> names) => FeatureSet.Of(names.Select(n => index[n]));
            var models = catalog.Models.Select(m => m with
            {
                Features = SetOf(catalog.NamesOf(m.Features)),
                RemovedFeatures = [.. m.RemovedFeatures.Select(i => index[catalog.Features[i].Name])],
                AddedFeatures = [.. m.AddedFeatures.Select(i => index[catalog.Features[i].Name])],
            }).ToList();
            var proposals = ImmutableArray.CreateBuilder<SyncProposal>();
            foreach (var d in _drafts)
            {
                var model = d.PointsAt is { } target
                    ? models.Single(m => m.Name == target) with { Name = d.Name, Ancestor = target, IsAlias = true, RemovedFeatures = [], AddedFeatures = [], DecodeHost = true, DecodeGuest = false, CompatCheck = false }
                    : new CpuModel { Name = d.Name, Vendor = d.Vendor, Signatures = d.Signatures, Features = SetOf(d.Features), DecodeHost = true, DecodeGuest = d.DecodeGuest };
                models.Insert(InsertionPoint(models, d), model);
                proposals.Add(new SyncProposal(model, d.QemuName, d.Skipped, d.Note));
            }

            var vendors = catalog.Vendors.Concat(vocabulary.AddedVendors).ToList();
            var extended = CpuCatalog.Create(catalog.Name, vendors, features, models);
            return new SyncResult(extended, proposals.ToImmutable(), _present)
            {
                AddedFeatures = [.. features.Where(f => catalog.FindFeature(f.Name) is null)],
                AddedVendors = [.. vocabulary.AddedVendors],
            };
        }

        private void Add(Draft draft)
        {
            _drafts.Add(draft);
            _names.Add(draft.Name);
        }

        /// <summary>A full definition of a QEMU definition in libvirt's names.</summary>
        private Draft Definition(string name, string qemuName, string family, QemuModelDefinition definition, ImmutableArray<ModelSignature> signatures, bool decodeGuest)
        {
            var skipped = new List<string>();
            var names = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
            foreach (var qemuIndex in definition.Features)
            {
                names.UnionWith(vocabulary.NamesOf(hypervisor.Features[qemuIndex], skipped));
            }

            foreach (var unnamed in definition.UnnamedBits)
            {
                var bits = hypervisor.Word(unnamed.Word)?.ToFeatureBits(1UL << unnamed.Bit).SingleOrDefault();
                if (bits is { } b && vocabulary.NameOfUnnamed(b) is { } libvirtName)
                {
                    names.Add(libvirtName);
                }
                else
                {
                    var known = bits is { } x ? vocabulary.LibvirtNameOf(x) : null;
                    skipped.Add(known is null ? $"{unnamed} (QEMU and libvirt have no name for it)" : $"{unnamed} (libvirt's {known}, left out of models by this libvirt release)");
                }
            }

            var vendor = definition.Vendor.Length == 12 ? vocabulary.VendorOf(definition.Vendor) : null;
            return new Draft(name, qemuName, family, vendor, signatures, names.ToImmutable(), null, decodeGuest, [.. skipped.Distinct()], null);
        }

        /// <summary>Where a model goes: after the last model of its family (and after the model it points at), else after the last of its vendor, else at the end.</summary>
        private static int InsertionPoint(List<CpuModel> models, Draft draft)
        {
            var family = models.FindLastIndex(m => (CpuModel.VersionOf(m.Name)?.Base ?? m.Name) == draft.Family);
            if (draft.PointsAt is { } pointsAt)
            {
                family = Math.Max(family, models.FindIndex(m => m.Name == pointsAt));
            }

            if (family >= 0)
            {
                return family + 1;
            }

            var vendor = draft.PointsAt is { } target ? models.Single(m => m.Name == target).Vendor : draft.Vendor;
            var last = vendor is null ? -1 : models.FindLastIndex(m => m.Vendor is { } v && v.CpuidString == vendor.CpuidString);
            return last >= 0 ? last + 1 : models.Count;
        }

        /// <summary>The features with the new ones placed after the last existing feature of the same CPUID register or MSR (else of the same leaf, else at the end).</summary>
        private static List<Feature> Inserted(ImmutableArray<Feature> existing, List<Feature> added)
        {
            var result = existing.ToList();
            foreach (var f in added.OrderBy(f => f.Bits[0].Key).ThenBy(f => f.Bits[0].Register).ThenBy(f => f.Bits[0].Mask))
            {
                var b = f.Bits[0];
                var at = result.FindLastIndex(x => x.Bits[0].Key == b.Key && x.Bits[0].Register == b.Register);
                at = at >= 0 ? at : result.FindLastIndex(x => x.Bits[0].Key == b.Key);
                result.Insert(at >= 0 ? at + 1 : result.Count, f);
            }

            return result;
        }
    }
}
