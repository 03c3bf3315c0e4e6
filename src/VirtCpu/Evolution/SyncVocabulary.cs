using System.Collections.Immutable;
using System.Globalization;
using VirtCpu.Catalog;
using VirtCpu.Qemu;

namespace VirtCpu.Evolution;

/// <summary>
/// Names QEMU's feature bits and vendors in a libvirt map's vocabulary for <see cref="QemuSync"/>, bit by
/// bit, as libvirt names them (<c>docs/catalogs.md</c>, "Syncing QEMU's models"): the target map's feature
/// at that bit; else, for a one-bit QEMU feature, the target's feature of the same name (QEMU's name through
/// the libvirt release's spelling table: libvirt 12.8 keeps VMX controls in the MSR's high half, QEMU numbers
/// them in its feature word); else a new feature named as the reference map (libvirt's own newest map)
/// names that bit, with its aliases; else QEMU's name through the spelling table. QEMU's irregular VMX
/// capability names follow from this: QEMU calls bits 25 and 41 of MSR 0x48c both
/// <c>vmx-invept-single-context</c> and bit 43 <c>vmx-invept-single-context-noglobals</c>; libvirt's maps name
/// bit 41 <c>vmx-invvpid-single-context</c> and bit 43 <c>vmx-invvpid-single-context-noglobals</c>. Bits of
/// the hypervisor leaves (0x40000000 and up) are libvirt internal features, never in a map. Features the
/// release never passes to QEMU or whose sync leaves them out of models (<c>never-passed</c>,
/// <c>sync-omits</c>) are not listed in models and not added for them.
/// </summary>
internal sealed class SyncVocabulary
{
    private const uint HypervisorLeaves = 0x40000000;
    private const uint HypervisorLeavesEnd = 0x50000000;
    private readonly CpuCatalog _target;
    private readonly CpuCatalog? _reference;
    private readonly ReleaseBehaviour _libvirt;
    private readonly Dictionary<string, Feature> _added = new(StringComparer.Ordinal);
    private readonly Dictionary<FeatureBits, string> _byBit = [];
    private readonly Dictionary<string, Vendor> _addedVendors = new(StringComparer.Ordinal);

    public SyncVocabulary(CpuCatalog target, CpuCatalog? reference, ReleaseBehaviour libvirt)
    {
        _target = target;
        _reference = reference;
        _libvirt = libvirt;
        foreach (var f in target.Features.Where(f => f.Bits.Length == 1))
        {
            _byBit.TryAdd(f.Bits[0], f.Name);
        }
    }

    /// <summary>The features added to the map so far, in the order they were first needed.</summary>
    public IReadOnlyCollection<Feature> AddedFeatures => _added.Values;

    /// <summary>The vendors added to the map so far.</summary>
    public IReadOnlyCollection<Vendor> AddedVendors => _addedVendors.Values;

    /// <summary>The libvirt names of the bits a QEMU feature sets that a model lists (never-passed ones left out); what cannot be named goes to <paramref name="skipped"/>.</summary>
    public IEnumerable<string> NamesOf(QemuFeature feature, List<string> skipped)
    {
        if (feature.Word.Kind == CpuDataKind.Cpuid && feature.Word.Index is >= HypervisorLeaves and < HypervisorLeavesEnd)
        {
            skipped.Add($"{feature.Name} (a hypervisor leaf: libvirt internal feature)");
            yield break;
        }

        if (_target.Features.FirstOrDefault(f => f.Bits.SequenceEqual(feature.FeatureBits)) is { } whole)
        {
            if (!Omitted(whole.Name))
            {
                yield return whole.Name;
            }

            yield break;
        }

        var first = true;
        foreach (var bit in feature.Bits)
        {
            var bits = feature.Word.ToFeatureBits(1UL << bit).Single();
            var name = NameOf(bits, feature, first && feature.Bits.Length == 1, first);
            first = false;
            if (name is null)
            {
                skipped.Add(string.Create(CultureInfo.InvariantCulture, $"{feature.Name} bit {bit} of {feature.Word.Name} (no libvirt name)"));
            }
            else if (!Omitted(name))
            {
                yield return name;
            }
        }
    }

    /// <summary>The libvirt name of a model bit QEMU has no name for (the target's or the reference map's feature at that bit), or null; never-passed features count as unnamed.</summary>
    public string? NameOfUnnamed(FeatureBits bits)
    {
        if (_byBit.TryGetValue(bits, out var known))
        {
            return Omitted(known) ? null : known;
        }

        return ReferenceFeature(bits) is { } reference && !Omitted(reference.Name) && Add(reference.Name, bits, reference) ? reference.Name : null;
    }

    /// <summary>How the target or the reference map names one bit, or null (nothing is added).</summary>
    public string? LibvirtNameOf(FeatureBits bits) => _byBit.GetValueOrDefault(bits) ?? ReferenceFeature(bits)?.Name;

    /// <summary>The target's vendor with a CPUID string, or a new one named as the reference map names it (else by the string itself).</summary>
    public Vendor VendorOf(string cpuidString)
    {
        if (_target.FindVendorByCpuidString(cpuidString) is { } known)
        {
            return known;
        }

        if (!_addedVendors.TryGetValue(cpuidString, out var vendor))
        {
            var name = _reference?.FindVendorByCpuidString(cpuidString)?.Name ?? cpuidString.Trim();
            vendor = new Vendor(_target.FindVendor(name) is null ? name : cpuidString, cpuidString);
            _addedVendors.Add(cpuidString, vendor);
        }

        return vendor;
    }

    private string? NameOf(FeatureBits bits, QemuFeature feature, bool byName, bool mayTakeQemuName)
    {
        if (_byBit.TryGetValue(bits, out var known))
        {
            return known;
        }

        var spelt = _libvirt.Spelling.ToLibvirt(feature.Name);
        if (byName && _target.FindFeature(spelt) is { Bits.Length: 1 } sameName && sameName.Bits[0].Key == bits.Key)
        {
            return sameName.Name;
        }

        if (ReferenceFeature(bits) is { } reference)
        {
            // A feature the release never passes to QEMU is named but never needed by a model: not added.
            return Omitted(reference.Name) || Add(reference.Name, bits, reference) ? reference.Name : null;
        }

        if (!mayTakeQemuName)
        {
            return null;
        }

        var aliases = spelt == feature.Name ? ImmutableArray<FeatureAlias>.Empty : [new FeatureAlias(feature.Name, "qemu")];
        return Omitted(spelt) || Add(spelt, bits, new Feature(spelt, [bits], feature.Migratable, aliases)) ? spelt : null;
    }

    /// <summary>Whether models never list a feature: the release never passes it to QEMU, or its model sync leaves it out.</summary>
    private bool Omitted(string name) => _libvirt.NeverPassed(name) || _libvirt.SyncOmits(name);

    private Feature? ReferenceFeature(FeatureBits bits) =>
        _reference?.Features.FirstOrDefault(f => f.Bits.Length == 1 && f.Bits[0] == bits);

    /// <summary>Adds a feature at one bit under a name (its migratability and aliases from <paramref name="model"/>), unless the name is taken.</summary>
    private bool Add(string name, FeatureBits bits, Feature model)
    {
        if (_target.FindFeature(name) is not null || (_added.TryGetValue(name, out var existing) && existing.Bits[0] != bits))
        {
            return false;
        }

        if (!_added.ContainsKey(name))
        {
            _added.Add(name, new Feature(name, [bits], model.Migratable, model.Aliases));
            _byBit.Add(bits, name);
        }

        return true;
    }
}
