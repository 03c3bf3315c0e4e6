using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Cpuid;

namespace VirtCpu.Engine;

/// <summary>
/// libvirt's <c>virCPUTranslate</c> (<c>docs/design.md#56-update-copy-migratable-translate-expand</c>): rewrites a custom guest CPU whose model the
/// hypervisor lacks into the best model it offers, keeping the explicit features.
/// </summary>
public sealed class CpuTranslator
{
    private readonly CpuCatalog _catalog;
    private readonly CpuDecoder _decoder;

    /// <summary>Creates a translator for a catalog.</summary>
    /// <param name="catalog">The catalog.</param>
    public CpuTranslator(CpuCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
        _decoder = new CpuDecoder(catalog);
    }

    /// <summary>Translates a CPU to the hypervisor's models.</summary>
    /// <param name="cpu">The guest CPU.</param>
    /// <param name="models">The hypervisor's models, or null (no translation).</param>
    /// <returns>The CPU, unchanged when its model is offered or it is not a custom CPU.</returns>
    /// <exception cref="CpuEngineException">Fallback is forbidden, or no offered model fits.</exception>
    public CpuDefinition Translate(CpuDefinition cpu, HypervisorModels? models)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        if (cpu.Mode is CpuMode.HostModel or CpuMode.HostPassthrough or CpuMode.Maximum)
        {
            return cpu;
        }

        if (models is null || models.Contains(cpu.Model))
        {
            return cpu;
        }

        if (cpu.Fallback != CpuFallback.Allow)
        {
            throw CpuEngineException.NotSupportedByHypervisor(cpu.Model);
        }

        var stub = CpuDefinitionCopies.CopyWithoutModel(cpu) with { Mode = CpuMode.Custom };
        var modelData = ModelData.FromCpu(_catalog, cpu, null);
        var eax = modelData.Signatures.IsEmpty ? 0u : SignatureEax(modelData.Signatures[0]);
        var data = new CpuData(modelData.Data, modelData.Vendor?.CpuidString, eax);
        var translated = _decoder.Decode(stub, data, models);
        var list = new CpuFeatureList(translated.Type, translated.Features);
        foreach (var f in cpu.Features)
        {
            list.UpdateFeature(f.Name, f.Policy);
        }

        translated = translated with { Features = list.ToImmutable() };
        return CpuDefinitionCopies.StealModel(cpu, translated, keepVendor: true);
    }

    private static uint SignatureEax(ModelSignature s) => new CpuSignature(s.Family, s.Model, s.LowestStepping).ToEax();
}
