using VirtCpu.Catalog;
using VirtCpu.Cpu;

namespace VirtCpu.Engine;

/// <summary>libvirt's <c>virCPUExpandFeatures</c> (<c>docs/design.md#56-update-copy-migratable-translate-expand</c>): lists every feature of the model explicitly, sorted by name.</summary>
public static class FeatureExpander
{
    /// <summary>Expands a definition's model into explicit features.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="cpu">The definition (host or guest).</param>
    /// <returns>The definition with the model's features listed, sorted ordinally by name.</returns>
    /// <exception cref="CpuEngineException">Unknown model.</exception>
    public static CpuDefinition Expand(CpuCatalog catalog, CpuDefinition cpu)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(cpu);
        var model = (cpu.Model is null ? null : catalog.FindModel(cpu.Model))
            ?? throw new CpuEngineException($"unknown CPU model {cpu.Model ?? "(null)"}");
        var guest = cpu.Type == CpuType.Guest;
        var list = new CpuFeatureList(cpu.Type);
        foreach (var i in model.Features)
        {
            list.AddFeature(catalog.Features[i].Name, FeaturePolicy.Require);
        }

        foreach (var f in cpu.Features)
        {
            if (guest && f.Policy is not (FeaturePolicy.Require or FeaturePolicy.Disable))
            {
                continue;
            }

            list.UpdateFeature(f.Name, f.Policy);
        }

        if (guest)
        {
            foreach (var r in model.RemovedFeatures)
            {
                list.AddFeatureIfMissing(catalog.Features[r].Name, FeaturePolicy.Disable);
            }
        }

        var features = list.ToImmutable().Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return cpu with { Features = features };
    }
}
