using System.Runtime.CompilerServices;
using VirtCpu.Catalog;

namespace VirtCpu.Engine;

/// <summary>
/// What the algorithms need from a catalog, precomputed once per catalog: models newest first,
/// item masks as a plain array, the TSX feature bits.
/// </summary>
internal sealed class CatalogTables
{
    private static readonly ConditionalWeakTable<CpuCatalog, CatalogTables> Cache = [];

    private CatalogTables(CpuCatalog catalog)
    {
        Catalog = catalog;
        ModelsNewestFirst = [.. catalog.Models.Reverse()];
        ItemMasks = [.. catalog.ItemMasks];
        var tsx = FeatureSet.Empty;
        foreach (var name in (string[])["hle", "rtm"])
        {
            if (catalog.FindFeature(name) is { } f)
            {
                tsx = tsx.With(f.Index);
            }
        }

        TsxFeatures = tsx;
    }

    /// <summary>The catalog.</summary>
    public CpuCatalog Catalog { get; }

    /// <summary>The models in reverse catalog order (libvirt's decode walks them backwards).</summary>
    public CpuModel[] ModelsNewestFirst { get; }

    /// <summary>The features of each CPUID/MSR item.</summary>
    public FeatureSet[] ItemMasks { get; }

    /// <summary><c>hle</c> and <c>rtm</c>.</summary>
    public FeatureSet TsxFeatures { get; }

    /// <summary>The tables of a catalog (computed once).</summary>
    /// <param name="catalog">The catalog.</param>
    /// <returns>The tables.</returns>
    public static CatalogTables For(CpuCatalog catalog) => Cache.GetValue(catalog, c => new CatalogTables(c));
}
