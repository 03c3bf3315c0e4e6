using System.Collections.Immutable;
using VirtCpu.Catalog;

namespace VirtCpu.Migration;

/// <summary>
/// Names what caused a BLOCKED or UNSAFE verdict in release and catalog terms, so that an operator
/// who upgrades one side knows which release behaviour or catalog change to blame: a feature one
/// QEMU release sets from the topology and the other does not, a model whose features differ
/// between the two catalogs, a model or machine type one side does not know.
/// </summary>
public static class VerdictCauses
{
    /// <summary>The causes of a verdict (empty for SAFE, or when none of the rules applies).</summary>
    /// <param name="verdict">The verdict.</param>
    /// <returns>One sentence per cause.</returns>
    public static ImmutableArray<string> Explain(MigrationVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        if (verdict.Verdict is Verdict.Safe or Verdict.SourceFails || verdict.Destination is not { } destination)
        {
            return [];
        }

        var source = verdict.Source.Node;
        var target = destination.Node;
        var causes = ImmutableArray.CreateBuilder<string>();
        var names = verdict.Names.Concat(verdict.Lost).Concat(verdict.Gained).Distinct(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            if (TopologyCause(name, source, target, verdict.Source) is { } topology)
            {
                causes.Add(topology);
            }
            else if (ModelCause(name, verdict) is { } model)
            {
                causes.Add(model);
            }
            else if (TcgCause(name, source, target) is { } tcg)
            {
                causes.Add(tcg);
            }
            else if (target.Hypervisor.Feature(name) is null && target.Hypervisor.Feature(name.Replace('_', '-')) is null
                && (source.Hypervisor.Feature(name) ?? source.Hypervisor.Feature(name.Replace('_', '-'))) is not null)
            {
                causes.Add($"{name}: {source.Hypervisor.Name} has this feature and {target.Hypervisor.Name} does not (QEMU dropped it), so the destination cannot give it to the guest");
            }
        }

        if (verdict.Step == StartStep.Parse && verdict.Migrated?.Model is { } m && target.Catalog.FindModel(m) is null)
        {
            causes.Add($"model {m}: {target.Catalog.Name} (libvirt {target.Libvirt.ToString(2)}) does not know it; {source.Catalog.Name} does");
        }

        if (verdict.Step == StartStep.Hypervisor && destination.Unknown.Contains(verdict.Source.Machine))
        {
            causes.Add($"machine type {verdict.Source.Machine}: {target.Hypervisor.Name} does not have it (a guest keeps its machine type when it migrates; start it with one both QEMU releases know)");
        }

        return causes.ToImmutable();
    }

    private static string? TopologyCause(string name, Node source, Node target, GuestStart start)
    {
        var feature = target.Hypervisor.Feature(name) ?? target.Hypervisor.Feature(name.Replace('_', '-'));
        if (feature is null)
        {
            return null;
        }

        string[] keys = start.Vendor is "GenuineIntel" or "CentaurHauls" or "  Shanghai  " ? ["multi-cpu-package"] : ["multi-cpu-package", "multi-cpu-package-non-intel"];
        var entry = keys.Select(target.QemuBehaviour.Entry).FirstOrDefault(e => e is not null && e.Values.Contains(feature.Name));
        if (entry is null || keys.Any(k => source.QemuBehaviour.Values(k).Contains(feature.Name)))
        {
            return null;
        }

        return $"{name}: QEMU {target.QemuBehaviour.Release.ToString(2)} sets it in every vCPU of a guest with more than one CPU per package ({target.QemuBehaviour.Name} behaviour '{entry.Key}': {entry.Source}); QEMU {source.QemuBehaviour.Release.ToString(2)} on the source does not, so libvirt {source.Libvirt.ToString(2)} never recorded it";
    }

    private static string? TcgCause(string name, Node source, Node target)
    {
        if (source.Host.TcgCpu is not { } from || target.Host.TcgCpu is not { } to)
        {
            return null;
        }

        var s = source.Hypervisor.Feature(name) ?? source.Hypervisor.Feature(name.Replace('_', '-'));
        var t = target.Hypervisor.Feature(name) ?? target.Hypervisor.Feature(name.Replace('_', '-'));
        return s is not null && from.Contains(s.Index) && (t is null || !to.Contains(t.Index))
            ? $"{name}: the TCG CPU of {source.Hypervisor.Name} offers it and that of {target.Hypervisor.Name} does not, so the destination cannot give it to the guest"
            : null;
    }

    private static string? ModelCause(string name, MigrationVerdict verdict)
    {
        var model = verdict.Migrated?.Model;
        if (model is null)
        {
            return null;
        }

        var sourceCatalog = verdict.Source.Node.Catalog;
        var targetCatalog = verdict.Destination!.Node.Catalog;
        if (sourceCatalog.FindModel(model) is not { } sourceModel || targetCatalog.FindModel(model) is not { } targetModel || CatalogNames.FindFeature(sourceCatalog, name) is not { } sourceFeature || CatalogNames.FindFeature(targetCatalog, name) is not { } targetFeature)
        {
            return null;
        }

        var inSource = sourceModel.Features.Contains(sourceFeature.Index);
        var inTarget = targetModel.Features.Contains(targetFeature.Index);
        return inSource == inTarget ? null
            : $"{name}: model {model} holds it in {(inTarget ? targetCatalog.Name : sourceCatalog.Name)} but not in {(inTarget ? sourceCatalog.Name : targetCatalog.Name)} (a catalog change to an existing model)";
    }
}
