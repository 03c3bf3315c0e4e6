using VirtCpu.Cpu;

namespace VirtCpu.Engine;

/// <summary>libvirt's whole-definition copy helpers (<c>docs/design.md#53-cpu-definitions</c>): copy without model, copy model, steal model.</summary>
internal static class CpuDefinitionCopies
{
    /// <summary>
    /// A copy of <paramref name="src"/> keeping type, mode, match, check, fallback, arch,
    /// topology, signature, tsc and the attributes, but no model, vendor, vendor_id, microcode or features.
    /// </summary>
    /// <param name="src">The definition.</param>
    /// <returns>The copy.</returns>
    public static CpuDefinition CopyWithoutModel(CpuDefinition src) =>
        src with { Model = null, Vendor = null, VendorId = null, Microcode = 0, Features = [] };

    /// <summary>
    /// Gives <paramref name="dst"/> the model, vendor, vendor_id, microcode and (filtered)
    /// features of <paramref name="src"/>, resetting policies when asked and the types differ.
    /// </summary>
    /// <param name="dst">The destination.</param>
    /// <param name="src">The source.</param>
    /// <param name="resetPolicy">Whether to translate policies between host and guest types.</param>
    /// <param name="keep">Which features to copy, or null for all.</param>
    /// <returns>The new destination.</returns>
    public static CpuDefinition CopyModel(CpuDefinition dst, CpuDefinition src, bool resetPolicy, Func<CpuFeature, bool>? keep = null)
    {
        var list = new CpuFeatureList(CpuType.Guest);
        foreach (var f in src.Features)
        {
            if (keep is not null && !keep(f))
            {
                continue;
            }

            var policy = f.Policy;
            if (resetPolicy && dst.Type != src.Type)
            {
                if (dst.Type == CpuType.Host)
                {
                    policy = null;
                }
                else if (policy is null)
                {
                    policy = FeaturePolicy.Require;
                }
            }

            list.AddFeature(f.Name, policy);
        }

        return dst with
        {
            Model = src.Model,
            Vendor = src.Vendor,
            VendorId = src.VendorId,
            Microcode = src.Microcode,
            Features = list.ToImmutable(),
        };
    }

    /// <summary>Replaces the model, microcode and features of <paramref name="dst"/> with those of <paramref name="src"/>.</summary>
    /// <param name="dst">The destination.</param>
    /// <param name="src">The source (consumed).</param>
    /// <param name="keepVendor">True to keep the destination's vendor and vendor_id (even when null).</param>
    /// <returns>The new destination.</returns>
    public static CpuDefinition StealModel(CpuDefinition dst, CpuDefinition src, bool keepVendor) => dst with
    {
        Model = src.Model,
        Microcode = src.Microcode,
        Features = src.Features,
        Vendor = keepVendor ? dst.Vendor : src.Vendor,
        VendorId = keepVendor ? dst.VendorId : src.VendorId,
    };
}
