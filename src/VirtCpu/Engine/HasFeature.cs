using VirtCpu.Catalog;
using VirtCpu.Cpu;

namespace VirtCpu.Engine;

/// <summary>libvirt's <c>checkFeature</c> (<c>docs/design.md#51-cpu-map</c>): does a CPU definition provide a feature.</summary>
public static class HasFeature
{
    /// <summary>
    /// True when the model and features of <paramref name="cpu"/> (everything but optional
    /// features, minus disabled ones) contain the feature. Internal hypervisor names are accepted and
    /// are never contained.
    /// </summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="cpu">The definition.</param>
    /// <param name="name">The feature name.</param>
    /// <returns>Whether the CPU has the feature.</returns>
    /// <exception cref="CpuEngineException">The name is neither a catalog feature nor an internal one, or the definition names unknown models/features.</exception>
    public static bool Check(CpuCatalog catalog, CpuDefinition cpu, string name) => Check(catalog, cpu, name, null);

    /// <summary>Like <see cref="Check(CpuCatalog, CpuDefinition, string)"/> on the data of one policy only.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="cpu">The definition.</param>
    /// <param name="name">The feature name.</param>
    /// <param name="policy">The policy whose data is tested, or null for the effective CPU.</param>
    /// <returns>Whether that data has the feature.</returns>
    public static bool Check(CpuCatalog catalog, CpuDefinition cpu, string name, FeaturePolicy? policy)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(cpu);
        ArgumentNullException.ThrowIfNull(name);
        var data = ModelData.FromCpu(catalog, cpu, policy).Data;
        return Contains(catalog, data, name);
    }

    /// <summary>libvirt's <c>dataCheckFeature</c>: does a data set contain a feature.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="data">The data.</param>
    /// <param name="name">The feature name (catalog or internal).</param>
    /// <returns>Whether the data has the feature.</returns>
    public static bool Contains(CpuCatalog catalog, FeatureSet data, string name)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(name);
        if (catalog.FindFeature(name) is { } f)
        {
            return data.Contains(f.Index);
        }

        return InternalFeatures.Contains(name) ? false : throw CpuEngineException.UnknownFeatureLower(name);
    }
}
