using System.Collections.Immutable;
using VirtCpu.Engine;

namespace VirtCpu.Fleet;

/// <summary>
/// KubeVirt-style node labels (issue 7 item 2), all with the value <c>true</c>:
/// <c>cpu-model.node.kubevirt.io/&lt;model&gt;</c> for every model usable on the host (the matrix);
/// <c>cpu-feature.node.kubevirt.io/&lt;feature&gt;</c> for every migratable feature of the host CPU;
/// <c>host-model-cpu.node.kubevirt.io/&lt;model&gt;</c> for the model of the host-model CPU (libvirt's
/// guest decode of the host) and <c>host-model-required-features.node.kubevirt.io/&lt;feature&gt;</c>
/// for the features that CPU requires on top of its model.
/// </summary>
public static class FleetLabels
{
    /// <summary>The labels of one host, sorted.</summary>
    /// <param name="report">The report.</param>
    /// <param name="host">The host index.</param>
    /// <returns>The label keys (each means <c>key=true</c>); empty for an undecoded host.</returns>
    public static ImmutableArray<string> Of(FleetReport report, int host)
    {
        ArgumentNullException.ThrowIfNull(report);
        var h = report.Hosts[host];
        if (h.HostCpu is null)
        {
            return [];
        }

        var catalog = report.Catalog;
        var labels = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var m in report.Matrix.UsableModels(host))
        {
            labels.Add("cpu-model.node.kubevirt.io/" + catalog.Models[m].Name);
        }

        foreach (var f in catalog.NamesOf(h.Features - catalog.NonMigratable))
        {
            labels.Add("cpu-feature.node.kubevirt.io/" + f);
        }

        try
        {
            var hostModel = new CpuDecoder(catalog).DecodeGuest(h.Data);
            if (hostModel.Model is { } model)
            {
                labels.Add("host-model-cpu.node.kubevirt.io/" + model);
            }

            foreach (var f in hostModel.Features)
            {
                if (f.Policy is null or Cpu.FeaturePolicy.Require)
                {
                    labels.Add("host-model-required-features.node.kubevirt.io/" + f.Name);
                }
            }
        }
        catch (CpuEngineException)
        {
            // No host-model CPU: no host-model labels.
        }

        return [.. labels];
    }
}
