using VirtCpu.Catalog;
using VirtCpu.Cpu;

namespace VirtCpu.Engine;

/// <summary>
/// libvirt's <c>virCPUUpdateLive</c> (<c>docs/design.md#57-live-update</c>): after the hypervisor started a guest, records what
/// it really enabled and disabled, or (with <c>check='full'</c>) fails on any unexplained difference.
/// </summary>
public sealed class LiveCpuUpdater
{
    private readonly CpuCatalog _catalog;

    /// <summary>Creates an updater for a catalog.</summary>
    /// <param name="catalog">The catalog.</param>
    public LiveCpuUpdater(CpuCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
    }

    /// <summary>True when libvirt's generic wrapper runs the update for this CPU (custom mode or <c>check='full'</c>).</summary>
    /// <param name="cpu">The live guest CPU.</param>
    /// <returns>Whether <see cref="Update"/> applies.</returns>
    public static bool Applies(CpuDefinition cpu)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        return cpu.Mode == CpuMode.Custom || cpu.Check == CpuCheck.Full;
    }

    /// <summary>Updates the live CPU from the features the hypervisor enabled and disabled.</summary>
    /// <param name="cpu">The live guest CPU.</param>
    /// <param name="enabled">The features the guest sees.</param>
    /// <param name="disabled">The features requested but filtered out.</param>
    /// <returns>The updated CPU.</returns>
    /// <exception cref="CpuEngineException">Conflicting data, or a mismatch under <c>check='full'</c>.</exception>
    public CpuDefinition Update(CpuDefinition cpu, FeatureSet enabled, FeatureSet disabled)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        var hostPassthrough = cpu.Mode is CpuMode.HostPassthrough or CpuMode.Maximum;
        var full = cpu.Check == CpuCheck.Full;
        var modelData = ModelData.FromCpu(_catalog, cpu, null);
        var md = ModelData.FromCpu(_catalog, cpu, FeaturePolicy.Disable).Data;
        var added = FeatureSet.Of(modelData.AddedFeatures.AsSpan());
        var x = disabled;
        var list = new CpuFeatureList(cpu.Type, cpu.Features);
        List<string>? extra = null;
        List<string>? missing = null;

        foreach (var feature in _catalog.Features)
        {
            var i = feature.Index;
            FeaturePolicy? expected = null;
            var isExplicit = false;
            if (modelData.Data.Contains(i))
            {
                expected = FeaturePolicy.Require;
                isExplicit = true;
            }
            else if (md.Contains(i))
            {
                expected = FeaturePolicy.Disable;
                isExplicit = true;
            }
            else if (!hostPassthrough)
            {
                expected = FeaturePolicy.Disable;
            }

            var inEnabled = enabled.Contains(i);
            var inDisabled = x.Contains(i);
            if (inEnabled && inDisabled)
            {
                throw new CpuEngineException($"hypervisor provided conflicting CPU data: feature '{feature.Name}' is both enabled and disabled at the same time");
            }

            var ignore = !isExplicit && added.Contains(i);
            if (expected == FeaturePolicy.Disable && inEnabled)
            {
                if (full && !ignore)
                {
                    (extra ??= []).Add(feature.Name);
                }
                else
                {
                    list.UpdateFeature(feature.Name, FeaturePolicy.Require);
                }
            }

            if (inDisabled || (expected == FeaturePolicy.Require && !inEnabled))
            {
                if (full && !ignore)
                {
                    (missing ??= []).Add(feature.Name);
                }
                else
                {
                    list.UpdateFeature(feature.Name, FeaturePolicy.Disable);
                    x = x.Without(i);
                }
            }
        }

        foreach (var r in modelData.RemovedFeatures)
        {
            list.AddFeatureIfMissing(_catalog.Features[r].Name, FeaturePolicy.Disable);
        }

        if (extra is not null || missing is not null || (full && !x.IsEmpty))
        {
            throw CpuEngineException.Mismatch(extra ?? [], missing ?? []);
        }

        return cpu with { Features = list.ToImmutable() };
    }
}
