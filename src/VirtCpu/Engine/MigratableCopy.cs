using VirtCpu.Catalog;
using VirtCpu.Cpu;

namespace VirtCpu.Engine;

/// <summary>libvirt's <c>virCPUx86CopyMigratable</c> (<c>docs/design.md#56-update-copy-migratable-translate-expand</c>): the definition without migration-blocking features.</summary>
public static class MigratableCopy
{
    /// <summary>Copies a definition, dropping every feature named like a migration blocker (<c>invtsc</c>, <c>xsaves</c>).</summary>
    /// <param name="catalog">The catalog that says which features block migration.</param>
    /// <param name="cpu">The definition.</param>
    /// <returns>The copy.</returns>
    public static CpuDefinition Create(CpuCatalog catalog, CpuDefinition cpu)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(cpu);
        var copy = CpuDefinitionCopies.CopyWithoutModel(cpu);
        return CpuDefinitionCopies.CopyModel(copy, cpu, resetPolicy: false, f => catalog.FindFeature(f.Name) is not { Migratable: false });
    }
}
