using System.Runtime.CompilerServices;
using VirtCpu.Catalog;

namespace VirtCpu.Migration;

/// <summary>Name lookups that accept alias spellings and report what they resolved to.</summary>
public static class CatalogNames
{
    private static readonly ConditionalWeakTable<CpuCatalog, Dictionary<string, Feature>> AliasTables = [];

    /// <summary>Finds a feature by canonical name or alias.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="name">The name as written.</param>
    /// <returns>The feature, or null.</returns>
    public static Feature? FindFeature(CpuCatalog catalog, string name)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(name);
        if (catalog.FindFeature(name) is { } f)
        {
            return f;
        }

        var aliases = AliasTables.GetValue(catalog, c =>
        {
            var d = new Dictionary<string, Feature>(StringComparer.Ordinal);
            foreach (var feature in c.Features)
            {
                foreach (var a in feature.Aliases)
                {
                    d.TryAdd(a.Name, feature);
                }
            }

            return d;
        });
        return aliases.GetValueOrDefault(name);
    }
}
