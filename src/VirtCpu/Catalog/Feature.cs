using System.Collections.Immutable;

namespace VirtCpu.Catalog;

/// <summary>Another spelling of a feature, with where it comes from (<c>qemu</c>, <c>linux</c>).</summary>
/// <param name="Name">The other spelling.</param>
/// <param name="Source">Who spells it that way.</param>
public sealed record FeatureAlias(string Name, string Source);

/// <summary>One named CPU feature: a set of CPUID or MSR bits.</summary>
public sealed record Feature
{
    /// <summary>Creates a feature.</summary>
    /// <param name="name">The canonical name (libvirt's <c>name</c> attribute).</param>
    /// <param name="bits">The CPUID/MSR bits that make the feature; at least one.</param>
    /// <param name="migratable">False for migration blockers (<c>invtsc</c>, <c>xsaves</c>).</param>
    /// <param name="aliases">Other spellings.</param>
    public Feature(string name, ImmutableArray<FeatureBits> bits, bool migratable = true, ImmutableArray<FeatureAlias> aliases = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (bits.IsDefaultOrEmpty)
        {
            throw new CatalogException($"feature {name} has no CPUID or MSR bits");
        }

        Name = name;
        Bits = bits;
        Migratable = migratable;
        Aliases = aliases.IsDefault ? [] : aliases;
    }

    /// <summary>The canonical name.</summary>
    public string Name { get; }

    /// <summary>The position of the feature in its catalog (set by the catalog).</summary>
    public int Index { get; internal init; } = -1;

    /// <summary>The CPUID/MSR bits of the feature.</summary>
    public ImmutableArray<FeatureBits> Bits { get; }

    /// <summary>False for features that block migration.</summary>
    public bool Migratable { get; }

    /// <summary>Other spellings of the name.</summary>
    public ImmutableArray<FeatureAlias> Aliases { get; }

    /// <summary>True when any bit of the feature lives in an MSR.</summary>
    public bool IsMsr => Bits.Any(b => b.Key.Kind == CpuDataKind.Msr);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
