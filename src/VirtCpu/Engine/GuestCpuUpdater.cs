using VirtCpu.Catalog;
using VirtCpu.Cpu;

namespace VirtCpu.Engine;

/// <summary>
/// libvirt's <c>virCPUUpdate</c> (<c>docs/design.md#56-update-copy-migratable-translate-expand</c>): resolves optional features against the host, turns
/// host-model and <c>match='minimum'</c> CPUs into custom ones, and applies the removed-feature policy.
/// </summary>
public sealed class GuestCpuUpdater
{
    private readonly CpuCatalog _catalog;

    /// <summary>Creates an updater for a catalog.</summary>
    /// <param name="catalog">The catalog.</param>
    public GuestCpuUpdater(CpuCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
    }

    /// <summary>Updates a guest CPU for a host.</summary>
    /// <param name="guest">The guest CPU.</param>
    /// <param name="host">The host CPU (in libvirt's QEMU driver, the migratable host-model CPU), or null.</param>
    /// <param name="removedPolicy">The policy for features removed from the model: <c>disable</c> for fresh starts, <c>require</c> for incoming migration and restore.</param>
    /// <returns>The updated guest CPU (unchanged for host-passthrough and maximum).</returns>
    /// <exception cref="CpuEngineException">Unknown host CPU, model or feature.</exception>
    public CpuDefinition Update(CpuDefinition guest, CpuDefinition? host, FeaturePolicy removedPolicy = FeaturePolicy.Disable)
    {
        ArgumentNullException.ThrowIfNull(guest);
        bool relative;
        switch (guest.Mode)
        {
            case CpuMode.HostPassthrough or CpuMode.Maximum:
                return guest;
            case CpuMode.HostModel:
                relative = true;
                break;
            default:
                relative = guest.Match == CpuMatch.Minimum || guest.Features.Any(f => f.Policy == FeaturePolicy.Optional);
                break;
        }

        if (relative)
        {
            if (host is null)
            {
                throw new CpuEngineException("unknown host CPU model");
            }

            var hostData = ModelData.FromCpu(_catalog, host, null).Data;
            var list = new CpuFeatureList(guest.Type, guest.Features);
            foreach (var f in guest.Features)
            {
                if (f.Policy == FeaturePolicy.Optional)
                {
                    var has = HasFeature.Contains(_catalog, hostData, f.Name);
                    list.UpdateFeature(f.Name, has ? FeaturePolicy.Require : FeaturePolicy.Disable);
                }
            }

            guest = guest with { Features = list.ToImmutable() };
            if (guest.Mode == CpuMode.HostModel || guest.Match == CpuMatch.Minimum)
            {
                guest = UpdateHostModel(guest, host);
            }
        }

        var model = (guest.Model is null ? null : _catalog.FindModel(guest.Model)) ?? throw CpuEngineException.UnknownModel(guest.Model);
        if (!model.RemovedFeatures.IsEmpty)
        {
            var list = new CpuFeatureList(guest.Type, guest.Features);
            foreach (var r in model.RemovedFeatures)
            {
                list.AddFeatureIfMissing(_catalog.Features[r].Name, removedPolicy);
            }

            guest = guest with { Features = list.ToImmutable() };
        }

        return guest;
    }

    /// <summary>libvirt's <c>x86UpdateHostModel</c>: the host's model and features with the guest's features applied on top.</summary>
    /// <param name="guest">The guest CPU (host-model, or custom with match minimum).</param>
    /// <param name="host">The host CPU.</param>
    /// <returns>The guest as a custom CPU with match exact.</returns>
    internal static CpuDefinition UpdateHostModel(CpuDefinition guest, CpuDefinition host)
    {
        var updated = CpuDefinitionCopies.CopyWithoutModel(host) with { Type = CpuType.Guest, Mode = CpuMode.Custom };
        updated = CpuDefinitionCopies.CopyModel(updated, host, resetPolicy: true);
        if (guest.VendorId is not null)
        {
            updated = updated with { VendorId = guest.VendorId };
        }

        var list = new CpuFeatureList(CpuType.Guest, updated.Features);
        foreach (var f in guest.Features)
        {
            list.UpdateFeature(f.Name, f.Policy);
        }

        updated = updated with { Features = list.ToImmutable() };
        var result = CpuDefinitionCopies.StealModel(guest, updated, keepVendor: guest.Mode == CpuMode.Custom);
        return result with { Mode = CpuMode.Custom, Match = CpuMatch.Exact };
    }
}
