using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Cpu;

namespace VirtCpu.Engine;

/// <summary>
/// libvirt's "model" built from a CPU definition (<c>x86ModelFromCPU</c>, <c>docs/design.md#54-compare</c>): feature data
/// plus the vendor, signatures, removed and added features of the named catalog model.
/// </summary>
/// <param name="Data">The feature data.</param>
/// <param name="Model">The catalog model the definition names, or null.</param>
internal readonly record struct ModelData(FeatureSet Data, CpuModel? Model)
{
    /// <summary>The model's vendor, or null.</summary>
    public Vendor? Vendor => Model?.Vendor;

    /// <summary>The model's signatures.</summary>
    public ImmutableArray<ModelSignature> Signatures => Model?.Signatures ?? [];

    /// <summary>The model's removed features.</summary>
    public ImmutableArray<int> RemovedFeatures => Model?.RemovedFeatures ?? [];

    /// <summary>The model's added features.</summary>
    public ImmutableArray<int> AddedFeatures => Model?.AddedFeatures ?? [];

    /// <summary>
    /// Builds the model of <paramref name="cpu"/> for one policy, or for "everything" when
    /// <paramref name="policy"/> is null (libvirt's −1).
    /// </summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="cpu">The definition.</param>
    /// <param name="policy">The policy to collect, or null for the effective CPU.</param>
    /// <returns>The model.</returns>
    /// <exception cref="CpuEngineException">Unknown model or feature.</exception>
    public static ModelData FromCpu(CpuCatalog catalog, CpuDefinition cpu, FeaturePolicy? policy)
    {
        if (cpu.Type == CpuType.Host && policy is not (null or FeaturePolicy.Require))
        {
            return default;
        }

        CpuModel? model = null;
        var data = FeatureSet.Empty;
        if (cpu.Model is not null && policy is null or FeaturePolicy.Require)
        {
            model = catalog.FindModel(cpu.Model) ?? throw CpuEngineException.UnknownModel(cpu.Model);
            data = model.Features;
        }

        foreach (var f in cpu.Features)
        {
            var fp = f.Policy ?? FeaturePolicy.Require;
            if ((policy is null && fp == FeaturePolicy.Optional) || (policy is not null && fp != policy))
            {
                continue;
            }

            var feature = catalog.FindFeature(f.Name) ?? throw CpuEngineException.UnknownFeature(f.Name);
            if (policy is null && fp is FeaturePolicy.Disable or FeaturePolicy.Forbid)
            {
                data = data.Without(feature.Index);
            }
            else
            {
                data = data.With(feature.Index);
            }
        }

        return new ModelData(data, model);
    }
}
