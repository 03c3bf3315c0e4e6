using System.Globalization;
using VirtCpu.Catalog;

namespace VirtCpu.Qemu.BinaryImport;

/// <summary>
/// Where a feature word lives, as a running QEMU shows it: a CPUID leaf, subleaf (when the word
/// needs one) and register, or an MSR index. QEMU's enum names (<c>FEAT_7_0_EBX</c>) are not
/// visible to a probe; this is what identifies a word across releases.
/// </summary>
/// <param name="Kind">CPUID or MSR.</param>
/// <param name="Index">The CPUID leaf or MSR index.</param>
/// <param name="Subleaf">The CPUID subleaf, or null when the word has none (and for MSRs).</param>
/// <param name="Register">The CPUID register (EAX for MSRs).</param>
public readonly record struct QemuWordLocation(CpuDataKind Kind, uint Index, uint? Subleaf, CpuRegister Register)
{
    /// <summary>A CPUID word.</summary>
    /// <param name="leaf">The leaf.</param>
    /// <param name="subleaf">The subleaf, or null.</param>
    /// <param name="register">The register.</param>
    /// <returns>The location.</returns>
    public static QemuWordLocation Cpuid(uint leaf, uint? subleaf, CpuRegister register) => new(CpuDataKind.Cpuid, leaf, subleaf, register);

    /// <summary>An MSR word.</summary>
    /// <param name="index">The MSR index.</param>
    /// <returns>The location.</returns>
    public static QemuWordLocation Msr(uint index) => new(CpuDataKind.Msr, index, null, CpuRegister.Eax);

    /// <summary>The location of a catalog word.</summary>
    /// <param name="word">The word.</param>
    /// <returns>The location.</returns>
    public static QemuWordLocation Of(QemuFeatureWord word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return new(word.Kind, word.Index, word.Kind == CpuDataKind.Msr ? null : word.Subleaf, word.Kind == CpuDataKind.Msr ? CpuRegister.Eax : word.Register);
    }

    /// <summary>A word name for a location no inherited catalog names, in the style of QEMU's enum (<c>FEAT_1E_1_EAX</c>, <c>FEAT_MSR_48E</c>).</summary>
    /// <returns>The name.</returns>
    public string MadeUpName() => Kind == CpuDataKind.Msr
        ? string.Create(CultureInfo.InvariantCulture, $"FEAT_MSR_{Index:X}")
        : string.Create(CultureInfo.InvariantCulture, $"FEAT_{Index:X}{(Subleaf is { } s ? $"_{s:X}" : "")}_{Register.ToString().ToUpperInvariant()}");

    /// <summary>Makes the catalog word.</summary>
    /// <param name="name">Its name.</param>
    /// <returns>The word.</returns>
    public QemuFeatureWord ToWord(string name) => new(name, Kind, Index, Subleaf, Register);

    /// <inheritdoc/>
    public override string ToString() => Kind == CpuDataKind.Msr
        ? string.Create(CultureInfo.InvariantCulture, $"MSR 0x{Index:x}")
        : string.Create(CultureInfo.InvariantCulture, $"CPUID 0x{Index:x}{(Subleaf is { } s ? $".{s}" : "")} {Register.ToString().ToUpperInvariant()}");
}
