using System.Collections.Immutable;

namespace VirtCpu.Qemu;

/// <summary>
/// One CPU compat property of a machine type (<c>hw/i386/pc.c</c> <c>pc_compat_X_Y[]</c>): a global
/// property for every x86 CPU class (<see cref="Model"/> null) or for exactly one class (the
/// unversioned or alias name; never an <c>X-vN</c> class).
/// </summary>
/// <param name="Release">The array's release: the entry applies to machine types of this release or older.</param>
/// <param name="Model">The exact model class name, or null for <c>TYPE_X86_CPU</c> (every CPU).</param>
/// <param name="Property">The property (a feature name, <c>family</c>, <c>model</c>, <c>stepping</c>, <c>model-id</c>, <c>min-level</c>, <c>min-xlevel</c>, <c>xlevel</c>).</param>
/// <param name="Value">The value.</param>
public sealed record QemuCompatProperty(Version Release, string? Model, string Property, string Value);

/// <summary>
/// Which CPU compat properties of a catalog (<see cref="QemuHypervisorCatalog.CompatProperties"/>,
/// imported from QEMU's <c>hw/i386/pc.c</c>) reach a CPU class under a machine type.
/// </summary>
public static class QemuCompatProperties
{
    /// <summary>
    /// The entries that reach a CPU class under a machine type, in the order QEMU applies them
    /// (newest array first, so older arrays win).
    /// </summary>
    /// <param name="catalog">The hypervisor catalog (its release's arrays).</param>
    /// <param name="machine">The machine type.</param>
    /// <param name="className">The model name as given (the QOM class); per-model entries match it exactly.</param>
    /// <returns>The entries.</returns>
    public static IEnumerable<QemuCompatProperty> For(QemuHypervisorCatalog catalog, QemuMachineType machine, string className)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(machine);
        if (machine.CompatVersion is not { } m)
        {
            return [];
        }

        var release = new Version(catalog.QemuVersion.Major, catalog.QemuVersion.Minor);
        return catalog.CompatProperties.Where(e => e.Release >= m && e.Release <= release && (e.Model is null || e.Model == className));
    }

    /// <summary>Whether a compat property shapes the guest-visible model (and so belongs in a catalog).</summary>
    /// <param name="catalog">The catalog (its feature names).</param>
    /// <param name="property">The property name.</param>
    /// <returns>True for a feature name or alias, family, model, stepping, model-id and the CPUID levels.</returns>
    public static bool IsModelled(QemuHypervisorCatalog catalog, string property)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return property is "family" or "model" or "stepping" or "model-id" or "level" or "min-level" or "xlevel" or "min-xlevel" || catalog.Feature(property) is not null;
    }
}
