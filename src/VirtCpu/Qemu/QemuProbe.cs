using System.Collections.Immutable;

namespace VirtCpu.Qemu;

/// <summary>
/// What a QMP probe of one QEMU binary records: the greeting, <c>query-cpu-definitions</c>, the
/// <c>full</c> expansion of every table model name, and the <c>static</c> expansion of <c>max</c>.
/// </summary>
/// <param name="GreetingJson">The greeting object as QEMU sent it (JSON text).</param>
/// <param name="Definitions">The CPU definitions.</param>
/// <param name="Expansions">Model name → full expansion.</param>
/// <param name="StaticMax">The static expansion of <c>max</c>, or null.</param>
public sealed record QemuProbe(string GreetingJson, ImmutableArray<QemuCpuDefinitionInfo> Definitions, ImmutableSortedDictionary<string, QemuModelExpansion> Expansions, QemuModelExpansion? StaticMax)
{
    /// <summary>
    /// The enabled canonical features of an expansion: the props whose value is <c>true</c> and whose
    /// name is a canonical feature of the catalog (alias spellings and non-feature booleans are not features).
    /// </summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <param name="expansion">A full (or static) expansion.</param>
    /// <returns>The names, sorted ordinally.</returns>
    public static IEnumerable<string> EnabledFeatures(QemuHypervisorCatalog catalog, QemuModelExpansion expansion)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(expansion);
        return expansion.Props
            .Where(p => p.Value.Kind == QemuValueKind.Boolean && p.Value.Boolean && catalog.Feature(p.Key) is { } f && f.Name == p.Key)
            .Select(p => p.Key)
            .Order(StringComparer.Ordinal);
    }

    /// <summary>Reads a string prop of an expansion.</summary>
    /// <param name="expansion">The expansion.</param>
    /// <param name="name">The prop.</param>
    /// <returns>The text, or null.</returns>
    public static string? Text(QemuModelExpansion expansion, string name)
    {
        ArgumentNullException.ThrowIfNull(expansion);
        return expansion.Props.FirstOrDefault(p => p.Key == name).Value is { Kind: QemuValueKind.Text } v ? v.Text : null;
    }

    /// <summary>Reads an integer prop of an expansion.</summary>
    /// <param name="expansion">The expansion.</param>
    /// <param name="name">The prop.</param>
    /// <returns>The number, or null.</returns>
    public static long? Number(QemuModelExpansion expansion, string name)
    {
        ArgumentNullException.ThrowIfNull(expansion);
        return expansion.Props.FirstOrDefault(p => p.Key == name).Value is { Kind: QemuValueKind.Number } v ? (long)v.Number : null;
    }
}
