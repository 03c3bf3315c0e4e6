using VirtCpu.Catalog;

namespace VirtCpu.Cpuid;

/// <summary>
/// CPU data as the engines see it, relative to one catalog: the catalog features present, the
/// 12-character vendor string (or null) and CPUID leaf 1 EAX (0 when unknown). This is libvirt's
/// "data" with everything no catalog feature describes dropped.
/// </summary>
/// <param name="Features">The catalog features present.</param>
/// <param name="VendorString">The CPUID vendor string, or null.</param>
/// <param name="Leaf1Eax">CPUID leaf 1 EAX, or 0.</param>
public readonly record struct CpuData(FeatureSet Features, string? VendorString = null, uint Leaf1Eax = 0)
{
    /// <summary>The signature bits of leaf 1 EAX (libvirt masks reserved and processor-type bits), or 0.</summary>
    public uint Signature => Leaf1Eax & CpuSignature.Leaf1Mask;

    /// <summary>Projects raw CPUID/MSR data onto a catalog: a feature is present when all its bits are set.</summary>
    /// <param name="raw">The raw data.</param>
    /// <param name="catalog">The catalog.</param>
    /// <returns>The data relative to the catalog.</returns>
    public static CpuData FromRaw(CpuidData raw, CpuCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(catalog);
        var set = FeatureSet.Empty;
        foreach (var f in catalog.Features)
        {
            var all = true;
            foreach (var b in f.Bits)
            {
                if (!raw.Has(b))
                {
                    all = false;
                    break;
                }
            }

            if (all)
            {
                set = set.With(f.Index);
            }
        }

        return new CpuData(set, raw.VendorString, raw.Leaf1Eax);
    }
}
