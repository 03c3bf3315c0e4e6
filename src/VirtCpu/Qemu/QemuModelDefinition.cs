using System.Collections.Immutable;
using VirtCpu.Catalog;

namespace VirtCpu.Qemu;

/// <summary>A bit of a feature word that QEMU's table sets but that has no feature name.</summary>
/// <param name="Word">The word's name (<c>FEAT_VMX_EPT_VPID_CAPS</c>).</param>
/// <param name="Bit">The bit number.</param>
public readonly record struct QemuWordBit(string Word, int Bit)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Word}[{Bit}]";
}

/// <summary>
/// What one model definition loads into a CPU before any accelerator, machine or user property:
/// the base definition (QEMU's LEGACY version) or a version with the props of v1..vN applied
/// cumulatively.
/// </summary>
public sealed record QemuModelDefinition
{
    /// <summary>The 12-character vendor string (<c>GenuineIntel</c>).</summary>
    public required string Vendor { get; init; }

    /// <summary>CPUID family.</summary>
    public required int Family { get; init; }

    /// <summary>CPUID model.</summary>
    public required int Model { get; init; }

    /// <summary>CPUID stepping.</summary>
    public required int Stepping { get; init; }

    /// <summary>The brand string.</summary>
    public required string ModelId { get; init; }

    /// <summary>The minimum basic CPUID level (<c>min-level</c>).</summary>
    public required uint Level { get; init; }

    /// <summary>The minimum extended CPUID level (<c>min-xlevel</c>).</summary>
    public required uint XLevel { get; init; }

    /// <summary>The <c>avx10-version</c> property (10.0; 0 when unused).</summary>
    public int Avx10Version { get; init; }

    /// <summary>The named features whose bits are all set, indexed by the hypervisor catalog's feature order.</summary>
    public required FeatureSet Features { get; init; }

    /// <summary>Bits set by the table that no feature name covers.</summary>
    public ImmutableArray<QemuWordBit> UnnamedBits { get; init; } = [];

    /// <summary>The cache descriptor set in effect (<c>epyc_cache_info</c>), or null for QEMU's legacy cache descriptors.</summary>
    public string? CacheInfo { get; init; }

    /// <inheritdoc/>
    public bool Equals(QemuModelDefinition? other) =>
        other is not null && Vendor == other.Vendor && Family == other.Family && Model == other.Model && Stepping == other.Stepping
        && ModelId == other.ModelId && Level == other.Level && XLevel == other.XLevel && Avx10Version == other.Avx10Version
        && Features == other.Features && UnnamedBits.SequenceEqual(other.UnnamedBits) && CacheInfo == other.CacheInfo;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Vendor, Family, Model, Stepping, ModelId, Features);
}
