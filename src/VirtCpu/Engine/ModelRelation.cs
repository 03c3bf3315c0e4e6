using VirtCpu.Catalog;

namespace VirtCpu.Engine;

/// <summary>The relation of two feature data sets, computed item by item as libvirt's <c>x86ModelCompare</c> does.</summary>
public enum ModelRelation
{
    /// <summary>The first set is smaller.</summary>
    Subset,

    /// <summary>Both sets are equal.</summary>
    Equal,

    /// <summary>The first set is larger.</summary>
    Superset,

    /// <summary>Items disagree.</summary>
    Unrelated,
}

/// <summary>libvirt's item-level comparison of two data sets (<c>docs/design.md#54-compare</c>).</summary>
public static class ModelComparison
{
    /// <summary>Compares two data sets per CPUID/MSR item, with libvirt's voting.</summary>
    /// <param name="catalog">The catalog both sets index.</param>
    /// <param name="m1">The first set.</param>
    /// <param name="m2">The second set.</param>
    /// <returns>The relation of <paramref name="m1"/> to <paramref name="m2"/>.</returns>
    public static ModelRelation Compare(CpuCatalog catalog, FeatureSet m1, FeatureSet m2)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var masks = CatalogTables.For(catalog).ItemMasks;
        var result = ModelRelation.Equal;
        var voted = false;

        foreach (var mask in masks)
        {
            var i1 = m1 & mask;
            if (i1.IsEmpty)
            {
                continue;
            }

            var i2 = m2 & mask;
            if (i1 == i2)
            {
                continue;
            }

            var vote = !i2.IsEmpty && !i1.ContainsAll(i2) ? ModelRelation.Subset : ModelRelation.Superset;
            if (!Vote(ref result, ref voted, vote))
            {
                return ModelRelation.Unrelated;
            }
        }

        foreach (var mask in masks)
        {
            var i2 = m2 & mask;
            if (i2.IsEmpty)
            {
                continue;
            }

            var i1 = m1 & mask;
            if (i1 == i2)
            {
                continue;
            }

            var vote = !i1.IsEmpty && !i2.ContainsAll(i1) ? ModelRelation.Superset : ModelRelation.Subset;
            if (!Vote(ref result, ref voted, vote))
            {
                return ModelRelation.Unrelated;
            }
        }

        return result;
    }

    private static bool Vote(ref ModelRelation result, ref bool voted, ModelRelation vote)
    {
        if (!voted)
        {
            result = vote;
            voted = true;
            return true;
        }

        return result == vote;
    }
}
