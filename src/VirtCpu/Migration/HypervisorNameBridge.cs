using System.Runtime.CompilerServices;
using VirtCpu.Catalog;
using VirtCpu.Qemu;

namespace VirtCpu.Migration;

/// <summary>
/// Maps feature sets between two hypervisor catalogs (e.g. qemu-7.2 and qemu-10.0) by QEMU feature
/// name: the vocabulary in which guest ABIs are compared across QEMU versions.
/// </summary>
public sealed class HypervisorNameBridge
{
    private static readonly ConditionalWeakTable<QemuHypervisorCatalog, ConditionalWeakTable<QemuHypervisorCatalog, HypervisorNameBridge>> Cache = [];

    private readonly int[] _targetOfSource;
    private readonly FeatureSet _unmappedSource;

    private HypervisorNameBridge(QemuHypervisorCatalog source, QemuHypervisorCatalog target)
    {
        Source = source;
        Target = target;
        _targetOfSource = new int[source.Features.Length];
        var unmapped = FeatureSet.Empty;
        foreach (var f in source.Features)
        {
            var targetFeature = target.Feature(f.Name);
            _targetOfSource[f.Index] = targetFeature?.Index ?? -1;
            if (targetFeature is null)
            {
                unmapped = unmapped.With(f.Index);
            }
        }

        _unmappedSource = unmapped;
    }

    /// <summary>The source catalog.</summary>
    public QemuHypervisorCatalog Source { get; }

    /// <summary>The target catalog.</summary>
    public QemuHypervisorCatalog Target { get; }

    /// <summary>Returns the (cached) bridge for two catalogs.</summary>
    /// <param name="source">The source catalog.</param>
    /// <param name="target">The target catalog.</param>
    /// <returns>The bridge.</returns>
    public static HypervisorNameBridge For(QemuHypervisorCatalog source, QemuHypervisorCatalog target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        return Cache.GetValue(source, _ => []).GetValue(target, targetCatalog => new HypervisorNameBridge(source, targetCatalog));
    }

    /// <summary>Compares two enabled sets by name.</summary>
    /// <param name="source">Enabled on the source (source index space).</param>
    /// <param name="target">Enabled on the target (target index space).</param>
    /// <returns>Names enabled on the source only (lost) and on the target only (gained), ordinal order.</returns>
    public (List<string> Lost, List<string> Gained) Compare(FeatureSet source, FeatureSet target)
    {
        if (ReferenceEquals(Source, Target))
        {
            return ([.. Source.NamesOf(source - target).Order(StringComparer.Ordinal)], [.. Target.NamesOf(target - source).Order(StringComparer.Ordinal)]);
        }

        var mapped = FeatureSet.Empty;
        var lost = new List<string>();
        foreach (var i in source)
        {
            var targetIndex = _targetOfSource[i];
            if (targetIndex < 0)
            {
                lost.Add(Source.Features[i].Name);
            }
            else
            {
                mapped = mapped.With(targetIndex);
            }
        }

        lost.AddRange(Target.NamesOf(mapped - target));
        var gained = Target.NamesOf(target - mapped).ToList();
        lost.Sort(StringComparer.Ordinal);
        gained.Sort(StringComparer.Ordinal);
        return (lost, gained);
    }

    /// <summary>Whether two enabled sets are equal by name.</summary>
    /// <param name="source">Enabled on the source.</param>
    /// <param name="target">Enabled on the target.</param>
    /// <returns>True when equal.</returns>
    public bool AreEqual(FeatureSet source, FeatureSet target)
    {
        if (ReferenceEquals(Source, Target))
        {
            return source == target;
        }

        if (source.Overlaps(_unmappedSource) || source.Count != target.Count)
        {
            return false;
        }

        foreach (var i in source)
        {
            if (!target.Contains(_targetOfSource[i]))
            {
                return false;
            }
        }

        return true;
    }
}
