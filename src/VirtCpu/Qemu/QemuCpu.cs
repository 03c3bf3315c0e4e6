using System.Collections.Immutable;
using VirtCpu.Catalog;

namespace VirtCpu.Qemu;

/// <summary>The virtual CPU QEMU builds for a configuration: the guest-visible vendor, signature, brand and features.</summary>
public sealed record QemuCpu
{
    /// <summary>The hypervisor catalog the sets are indexed by.</summary>
    public required QemuHypervisorCatalog Catalog { get; init; }

    /// <summary>The model name given and what it resolved to.</summary>
    public required QemuModelResolution Resolution { get; init; }

    /// <summary>The accelerator.</summary>
    public required QemuAccelerator Accelerator { get; init; }

    /// <summary>The 12-character vendor string the guest sees.</summary>
    public required string Vendor { get; init; }

    /// <summary>CPUID family.</summary>
    public required int Family { get; init; }

    /// <summary>CPUID model.</summary>
    public required int Model { get; init; }

    /// <summary>CPUID stepping.</summary>
    public required int Stepping { get; init; }

    /// <summary>The brand string.</summary>
    public required string ModelId { get; init; }

    /// <summary>The minimum basic CPUID level (QEMU may raise the effective level for features).</summary>
    public required uint MinLevel { get; init; }

    /// <summary>The minimum extended CPUID level.</summary>
    public required uint MinXLevel { get; init; }

    /// <summary>The enabled named features (a name counts only when all of its bits are set).</summary>
    public required FeatureSet Enabled { get; init; }

    /// <summary>
    /// The filtered features: those the host offer lacks, plus user-requested ones whose
    /// prerequisite is missing (QEMU's <c>unavailable-features</c> / <c>filtered-features</c>).
    /// </summary>
    public required FeatureSet Filtered { get; init; }

    /// <summary>The final value of every feature word, unnamed bits included, indexed by <see cref="QemuFeatureWord.Number"/>.</summary>
    public required ImmutableArray<ulong> Words { get; init; }

    /// <summary>The enabled feature names, canonical, sorted ordinally.</summary>
    public IEnumerable<string> EnabledNames => Catalog.NamesOf(Enabled).Order(StringComparer.Ordinal);

    /// <summary>The filtered feature names, canonical, sorted ordinally.</summary>
    public IEnumerable<string> FilteredNames => Catalog.NamesOf(Filtered).Order(StringComparer.Ordinal);
}
