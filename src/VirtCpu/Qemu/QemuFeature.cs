using System.Collections.Immutable;
using VirtCpu.Catalog;

namespace VirtCpu.Qemu;

/// <summary>
/// One named QEMU CPU feature: a QOM boolean property that drives one or more bits of one
/// feature word. Most names own one bit; <c>kvmclock</c> (bits 0 and 3 of 0x40000001.EAX) and
/// <c>vmx-invept-single-context</c> (bits 25 and 41 of IA32_VMX_EPT_VPID_CAP) own two, and the
/// property reads true only when all of them are set.
/// </summary>
public sealed record QemuFeature
{
    /// <summary>Creates a feature.</summary>
    /// <param name="name">The canonical QEMU name (<c>sse4.1</c>, <c>lahf-lm</c>).</param>
    /// <param name="word">The feature word.</param>
    /// <param name="bits">The bit numbers within the word (0-31 for CPUID words, 0-63 for MSRs); at least one.</param>
    /// <param name="aliases">Registered QOM alias spellings (<c>sse4_1</c>, <c>sse4-1</c>).</param>
    /// <param name="migratable">False when the word's <c>unmigratable_flags</c> covers the feature (<c>invtsc</c>).</param>
    /// <param name="tcg">True when TCG can provide the feature (the word's <c>tcg_features</c> mask).</param>
    /// <param name="autoEnable">False for <c>no_autoenable_flags</c> bits, never enabled by <c>-cpu host</c>/<c>max</c> by themselves.</param>
    public QemuFeature(string name, QemuFeatureWord word, ImmutableArray<int> bits, ImmutableArray<string> aliases = default, bool migratable = true, bool tcg = false, bool autoEnable = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(word);
        if (bits.IsDefaultOrEmpty)
        {
            throw new CatalogException($"QEMU feature {name} has no bits");
        }

        ulong mask = 0;
        foreach (var b in bits)
        {
            if (b < 0 || b >= word.Width)
            {
                throw new CatalogException($"QEMU feature {name}: bit {b} is outside word {word.Name}");
            }

            mask |= 1UL << b;
        }

        Name = name;
        Word = word;
        Bits = bits;
        Mask = mask;
        Aliases = aliases.IsDefault ? [] : aliases;
        Migratable = migratable;
        Tcg = tcg;
        AutoEnable = autoEnable;
    }

    /// <summary>The canonical QEMU name.</summary>
    public string Name { get; }

    /// <summary>The feature word.</summary>
    public QemuFeatureWord Word { get; }

    /// <summary>The bit numbers within <see cref="Word"/>, in table order.</summary>
    public ImmutableArray<int> Bits { get; }

    /// <summary>The bits as a mask of <see cref="Word"/>.</summary>
    public ulong Mask { get; }

    /// <summary>Registered alias spellings.</summary>
    public ImmutableArray<string> Aliases { get; }

    /// <summary>False only for features QEMU marks unmigratable (<c>invtsc</c>).</summary>
    public bool Migratable { get; }

    /// <summary>True when TCG can provide the feature.</summary>
    public bool Tcg { get; }

    /// <summary>False for features <c>-cpu host</c>/<c>max</c> never enable by themselves.</summary>
    public bool AutoEnable { get; }

    /// <summary>The position of the feature in its catalog (the <see cref="FeatureSet"/> index; set by the catalog).</summary>
    public int Index { get; internal set; } = -1;

    /// <summary>The CPUID/MSR bits of the feature.</summary>
    public ImmutableArray<FeatureBits> FeatureBits => [.. Word.ToFeatureBits(Mask)];

    /// <inheritdoc/>
    public override string ToString() => Name;
}
