namespace VirtCpu.Catalog;

/// <summary>The two kinds of CPU data item: a CPUID leaf or a model-specific register.</summary>
public enum CpuDataKind
{
    /// <summary>A CPUID leaf (input EAX) and subleaf (input ECX).</summary>
    Cpuid = 0,

    /// <summary>A model-specific register (MSR).</summary>
    Msr = 1,
}

/// <summary>A register of a CPU data item. MSR items use <see cref="Eax"/> (low half) and <see cref="Edx"/> (high half).</summary>
public enum CpuRegister
{
    /// <summary>EAX (for MSRs, the low 32 bits).</summary>
    Eax = 0,

    /// <summary>EBX.</summary>
    Ebx = 1,

    /// <summary>ECX.</summary>
    Ecx = 2,

    /// <summary>EDX (for MSRs, the high 32 bits).</summary>
    Edx = 3,
}

/// <summary>
/// The key of one CPU data item: a CPUID leaf/subleaf or an MSR index. Keys sort as libvirt
/// sorts them: every CPUID item before every MSR, CPUID by leaf then subleaf, MSRs by index.
/// </summary>
/// <param name="Kind">CPUID or MSR.</param>
/// <param name="Index">The CPUID leaf (<c>eax_in</c>) or the MSR index.</param>
/// <param name="Subleaf">The CPUID subleaf (<c>ecx_in</c>); 0 for MSRs.</param>
public readonly record struct CpuDataKey(CpuDataKind Kind, uint Index, uint Subleaf) : IComparable<CpuDataKey>
{
    /// <summary>A CPUID key.</summary>
    /// <param name="leaf">The leaf (<c>eax_in</c>).</param>
    /// <param name="subleaf">The subleaf (<c>ecx_in</c>).</param>
    /// <returns>The key.</returns>
    public static CpuDataKey Cpuid(uint leaf, uint subleaf = 0) => new(CpuDataKind.Cpuid, leaf, subleaf);

    /// <summary>An MSR key.</summary>
    /// <param name="index">The MSR index.</param>
    /// <returns>The key.</returns>
    public static CpuDataKey Msr(uint index) => new(CpuDataKind.Msr, index, 0);

    /// <inheritdoc/>
    public int CompareTo(CpuDataKey other)
    {
        var c = Kind.CompareTo(other.Kind);
        if (c != 0)
        {
            return c;
        }

        c = Index.CompareTo(other.Index);
        return c != 0 ? c : Subleaf.CompareTo(other.Subleaf);
    }

    /// <summary>Orders keys.</summary>
    /// <param name="left">A key.</param>
    /// <param name="right">Another key.</param>
    /// <returns>True when <paramref name="left"/> sorts first.</returns>
    public static bool operator <(CpuDataKey left, CpuDataKey right) => left.CompareTo(right) < 0;

    /// <summary>Orders keys.</summary>
    /// <param name="left">A key.</param>
    /// <param name="right">Another key.</param>
    /// <returns>True when <paramref name="left"/> sorts last.</returns>
    public static bool operator >(CpuDataKey left, CpuDataKey right) => left.CompareTo(right) > 0;

    /// <summary>Orders keys.</summary>
    /// <param name="left">A key.</param>
    /// <param name="right">Another key.</param>
    /// <returns>True when <paramref name="left"/> does not sort last.</returns>
    public static bool operator <=(CpuDataKey left, CpuDataKey right) => left.CompareTo(right) <= 0;

    /// <summary>Orders keys.</summary>
    /// <param name="left">A key.</param>
    /// <param name="right">Another key.</param>
    /// <returns>True when <paramref name="left"/> does not sort first.</returns>
    public static bool operator >=(CpuDataKey left, CpuDataKey right) => left.CompareTo(right) >= 0;

    /// <inheritdoc/>
    public override string ToString() => Kind == CpuDataKind.Cpuid
        ? $"CPUID 0x{Index:x}.{Subleaf}"
        : $"MSR 0x{Index:x}";
}

/// <summary>Bits of one register of one CPU data item.</summary>
/// <param name="Key">The item.</param>
/// <param name="Register">The register.</param>
/// <param name="Mask">The bits.</param>
public readonly record struct FeatureBits(CpuDataKey Key, CpuRegister Register, uint Mask);
