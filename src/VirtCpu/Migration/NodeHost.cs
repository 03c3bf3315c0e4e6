using VirtCpu.Catalog;
using VirtCpu.Cpuid;
using VirtCpu.Engine;
using VirtCpu.Qemu;

namespace VirtCpu.Migration;

/// <summary>
/// What a host plus its accelerator can give a guest (<c>docs/design.md#1-the-model</c>), in both
/// vocabularies of a node: QEMU's (what the hypervisor filters against; built with the QEMU layer's
/// <see cref="VirtCpu.Qemu.HostOffer"/>) and the management catalog's.
/// </summary>
/// <param name="VendorString">The 12-character CPUID vendor string, or null when unknown.</param>
/// <param name="Signature">The host's family/model/stepping.</param>
/// <param name="Qemu">The offered features in the hypervisor catalog's index space.</param>
/// <param name="Management">The offered features in the management catalog's index space.</param>
public sealed record NodeHost(string? VendorString, CpuSignature Signature, FeatureSet Qemu, FeatureSet Management)
{
    /// <summary>libvirt's host-model CPU for this host (domain capabilities), when the offer came from it.</summary>
    public VirtCpu.Cpu.CpuDefinition? HostModel { get; init; }

    /// <summary>What QEMU under TCG offers on this node, when known from the node itself (else the catalog's TCG mask).</summary>
    public FeatureSet? TcgCpu { get; init; }

    /// <summary>The offer as engine CPU data in the management vocabulary.</summary>
    public CpuData ManagementData => new(Management, VendorString, Signature.ToEax());

    /// <summary>Builds an offer from raw CPUID/MSR data (completed under KVM).</summary>
    /// <param name="bridge">The node's vocabulary bridge.</param>
    /// <param name="raw">The raw data.</param>
    /// <param name="accelerator">The accelerator.</param>
    /// <param name="qemu">The QEMU release's behaviour (what it synthesizes under KVM).</param>
    /// <returns>The offer.</returns>
    public static NodeHost FromRaw(VocabularyBridge bridge, CpuidData raw, QemuAccelerator accelerator, ReleaseBehaviour qemu)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        ArgumentNullException.ThrowIfNull(raw);
        var qemuFeatures = VirtCpu.Qemu.HostOffer.FromCpuid(bridge.Hypervisor, raw, "cpuid").Features;
        var managementFeatures = CpuData.FromRaw(raw, bridge.Management).Features;
        return Complete(bridge, new NodeHost(raw.VendorString, CpuSignature.FromEax(raw.Leaf1Eax), qemuFeatures, managementFeatures), accelerator, qemu);
    }

    /// <summary>Builds an offer from QEMU's <c>host</c> model expansion (already what KVM offers; not completed).</summary>
    /// <param name="bridge">The node's vocabulary bridge.</param>
    /// <param name="expansion">The expansion.</param>
    /// <param name="spelling">The node's libvirt release's spelling table (how libvirt reads QEMU's names).</param>
    /// <returns>The offer.</returns>
    public static NodeHost FromQemuHost(VocabularyBridge bridge, QemuModelExpansion expansion, FeatureSpelling spelling)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        ArgumentNullException.ThrowIfNull(expansion);
        var qemuFeatures = VirtCpu.Qemu.HostOffer.FromExpansion(bridge.Hypervisor, expansion, "qemu-host").Features;
        var data = QemuHostData.FromExpansion(bridge.Management, expansion, spelling);
        var managementFeatures = data.Features | bridge.ToManagement(qemuFeatures);
        return new NodeHost(data.VendorString, CpuSignature.FromEax(data.Leaf1Eax), qemuFeatures, managementFeatures);
    }

    /// <summary>
    /// Builds an offer from libvirt's host-model CPU (domain capabilities): the model's features plus
    /// the required ones, less the disabled ones. On a TCG node this is QEMU's TCG CPU as libvirt sees
    /// it, and QEMU's side of the offer is the catalog's TCG feature mask.
    /// </summary>
    /// <param name="bridge">The node's vocabulary bridge.</param>
    /// <param name="hostModel">The host-model CPU (custom mode, a model, vendor and features).</param>
    /// <param name="accelerator">The accelerator.</param>
    /// <param name="file">The file it came from (for messages).</param>
    /// <param name="qemu">The QEMU release's behaviour (what it synthesizes under KVM).</param>
    /// <returns>The offer.</returns>
    /// <exception cref="InputException">A model, vendor or feature the catalog does not know.</exception>
    public static NodeHost FromHostModel(VocabularyBridge bridge, VirtCpu.Cpu.CpuDefinition hostModel, QemuAccelerator accelerator, string file, ReleaseBehaviour qemu)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        ArgumentNullException.ThrowIfNull(hostModel);
        var catalog = bridge.Management;
        var model = catalog.FindModel(hostModel.Model ?? "") ?? throw new InputException(file, $"host-model CPU model '{hostModel.Model}' is not in {catalog.Name}");
        var features = model.Features;
        foreach (var f in hostModel.Features)
        {
            var feature = CatalogNames.FindFeature(catalog, f.Name) ?? throw new InputException(file, $"host-model feature '{f.Name}' is not in {catalog.Name}");
            features = f.Policy is VirtCpu.Cpu.FeaturePolicy.Disable or VirtCpu.Cpu.FeaturePolicy.Forbid ? features.Without(feature.Index) : features.With(feature.Index);
        }

        var vendor = (hostModel.Vendor is { } v ? catalog.FindVendor(v) : model.Vendor)?.CpuidString;
        var signature = model.Signatures.IsEmpty ? new CpuSignature(0, 0, 0) : new CpuSignature(model.Signatures[0].Family, model.Signatures[0].Model, 0);
        // Under TCG, QEMU offers its TCG mask less what libvirt's view of the TCG CPU lacks.
        var qemuOffer = accelerator == QemuAccelerator.Kvm ? bridge.ToHypervisor(features) : bridge.Hypervisor.Tcg - bridge.ToHypervisor(bridge.MappedManagement - features);
        var hostModelCpu = hostModel with { Type = VirtCpu.Cpu.CpuType.Guest, Mode = VirtCpu.Cpu.CpuMode.Custom };
        return Complete(bridge, new NodeHost(vendor, signature, qemuOffer, features) { HostModel = hostModelCpu, TcgCpu = accelerator == QemuAccelerator.Kvm ? null : qemuOffer }, accelerator, qemu);
    }

    /// <summary>Adds what KVM synthesizes for every guest (the QEMU release's <c>kvm-synthesized</c> features, the KVM paravirtual word).</summary>
    /// <param name="bridge">The node's vocabulary bridge.</param>
    /// <param name="offer">The offer.</param>
    /// <param name="accelerator">The accelerator (nothing is added for TCG).</param>
    /// <param name="qemu">The QEMU release's behaviour.</param>
    /// <returns>The completed offer.</returns>
    public static NodeHost Complete(VocabularyBridge bridge, NodeHost offer, QemuAccelerator accelerator, ReleaseBehaviour qemu)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        ArgumentNullException.ThrowIfNull(offer);
        if (accelerator != QemuAccelerator.Kvm)
        {
            return offer;
        }

        var add = new VirtCpu.Qemu.HostOffer(offer.Qemu, offer.VendorString, "node", Approximate: true).CompleteForKvm(bridge.Hypervisor, qemu).Features - offer.Qemu;
        return offer with { Qemu = offer.Qemu | add, Management = offer.Management | bridge.ToManagement(add) };
    }
}
