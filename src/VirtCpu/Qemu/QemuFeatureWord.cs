using VirtCpu.Catalog;

namespace VirtCpu.Qemu;

/// <summary>
/// One of QEMU's feature words (<c>feature_word_info[]</c> in <c>target/i386/cpu.c</c>): a CPUID
/// register (leaf, optional subleaf, register) or a 64-bit MSR, e.g. <c>FEAT_1_ECX</c> or
/// <c>FEAT_ARCH_CAPABILITIES</c>.
/// </summary>
public sealed record QemuFeatureWord
{
    /// <summary>Creates a word.</summary>
    /// <param name="name">QEMU's enum name (<c>FEAT_7_0_EBX</c>).</param>
    /// <param name="kind">CPUID or MSR.</param>
    /// <param name="index">The CPUID leaf (<c>eax_in</c>) or the MSR index.</param>
    /// <param name="subleaf">The CPUID subleaf (<c>ecx_in</c>) when the leaf uses one, else null (always null for MSRs).</param>
    /// <param name="register">The CPUID output register (MSR words: <see cref="CpuRegister.Eax"/>, unused).</param>
    public QemuFeatureWord(string name, CpuDataKind kind, uint index, uint? subleaf, CpuRegister register)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Kind = kind;
        Index = index;
        Subleaf = kind == CpuDataKind.Msr ? null : subleaf;
        Register = kind == CpuDataKind.Msr ? CpuRegister.Eax : register;
    }

    /// <summary>QEMU's enum name.</summary>
    public string Name { get; }

    /// <summary>CPUID or MSR.</summary>
    public CpuDataKind Kind { get; }

    /// <summary>The CPUID leaf or MSR index.</summary>
    public uint Index { get; }

    /// <summary>The CPUID subleaf, or null when the leaf has none (and for MSRs).</summary>
    public uint? Subleaf { get; }

    /// <summary>The CPUID register (unused for MSR words).</summary>
    public CpuRegister Register { get; }

    /// <summary>The position of the word in its catalog (set by the catalog).</summary>
    public int Number { get; internal set; } = -1;

    /// <summary>The number of usable bits: 32 for CPUID registers, 64 for MSRs.</summary>
    public int Width => Kind == CpuDataKind.Msr ? 64 : 32;

    /// <summary>The CPU data item the word lives in.</summary>
    public CpuDataKey Key => Kind == CpuDataKind.Msr ? CpuDataKey.Msr(Index) : CpuDataKey.Cpuid(Index, Subleaf ?? 0);

    /// <summary>
    /// The CPUID/MSR bits of a mask of this word, as <see cref="FeatureBits"/> (MSR bits 0-31 are
    /// EAX, bits 32-63 are EDX).
    /// </summary>
    /// <param name="mask">Bits of the word.</param>
    /// <returns>One or two register masks (none when the mask is zero).</returns>
    public IEnumerable<FeatureBits> ToFeatureBits(ulong mask)
    {
        if (Kind == CpuDataKind.Cpuid)
        {
            if ((uint)mask != 0)
            {
                yield return new FeatureBits(Key, Register, (uint)mask);
            }

            yield break;
        }

        if ((uint)mask != 0)
        {
            yield return new FeatureBits(Key, CpuRegister.Eax, (uint)mask);
        }

        if ((uint)(mask >> 32) != 0)
        {
            yield return new FeatureBits(Key, CpuRegister.Edx, (uint)(mask >> 32));
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
