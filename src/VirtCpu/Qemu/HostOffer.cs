using VirtCpu.Catalog;
using VirtCpu.Cpuid;

namespace VirtCpu.Qemu;

/// <summary>
/// What a host (CPU + accelerator) can give guests, in a hypervisor catalog's feature vocabulary:
/// the offered features, the host's vendor, where the offer comes from and whether it is only an
/// approximation of what QEMU would report.
/// </summary>
/// <param name="Features">The offered features, indexed by the hypervisor catalog.</param>
/// <param name="Vendor">The host's 12-character vendor string, or null when unknown.</param>
/// <param name="Source">Where the offer comes from, in words.</param>
/// <param name="Approximate">True when the offer is derived (raw CPUID, plain list) rather than reported by QEMU.</param>
public sealed record HostOffer(FeatureSet Features, string? Vendor, string Source, bool Approximate)
{
    /// <summary>
    /// The offer from a QEMU expansion of the <c>host</c> model under KVM (live QMP, or a reply
    /// file's <c>query-cpu-model-expansion</c>): every boolean prop that is true and names a feature
    /// (canonical or alias) of the catalog; the vendor from the <c>vendor</c> prop. The <c>host</c>
    /// model never enables the <c>no_autoenable_flags</c> features (<c>ht</c>, <c>topoext</c>,
    /// <c>kvm-hint-dedicated</c>) by itself although KVM may support them, and QEMU filters against
    /// what KVM supports, not against the host model: those features are therefore counted as offered.
    /// With that rule the blockers reproduce QEMU 7.2's <c>unavailable-features</c> under KVM for all 129 names.
    /// </summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <param name="expansion">The expansion of <c>host</c> (static or full).</param>
    /// <param name="source">Where it comes from.</param>
    /// <returns>The offer (exact, as QEMU reports it).</returns>
    public static HostOffer FromExpansion(QemuHypervisorCatalog catalog, QemuModelExpansion expansion, string source)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(expansion);
        var set = FeatureSet.Empty;
        string? vendor = null;
        foreach (var (key, value) in expansion.Props)
        {
            if (value.Kind == QemuValueKind.Boolean && value.Boolean && catalog.Feature(key) is { } f)
            {
                set = set.With(f.Index);
            }
            else if (key == "vendor" && value.Kind == QemuValueKind.Text && value.Text is { Length: 12 } v)
            {
                vendor = v;
            }
        }

        foreach (var f in catalog.Features)
        {
            if (!f.AutoEnable)
            {
                set = set.With(f.Index);
            }
        }

        return new HostOffer(set, vendor, source, Approximate: false);
    }

    /// <summary>
    /// An approximate offer from raw CPUID/MSR data: a feature is offered when every one of its bits
    /// is set in the data (QEMU's feature words read directly by leaf, subleaf, register and bit).
    /// This ignores what KVM masks or emulates beyond <see cref="CompleteForKvm"/>, so it is an
    /// approximation of QEMU's <c>host</c> model.
    /// </summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <param name="data">The host's CPUID (and MSR) data.</param>
    /// <param name="accelerator">Under KVM the offer is completed with what KVM synthesizes.</param>
    /// <param name="source">Where it comes from.</param>
    /// <param name="qemu">The QEMU release's behaviour (what it synthesizes under KVM).</param>
    /// <returns>The offer.</returns>
    public static HostOffer FromCpuid(QemuHypervisorCatalog catalog, CpuidData data, QemuAccelerator accelerator, string source, ReleaseBehaviour qemu)
    {
        var offer = FromCpuid(catalog, data, source);
        return accelerator == QemuAccelerator.Kvm ? offer.CompleteForKvm(catalog, qemu) : offer;
    }

    /// <summary>The offer of raw CPUID/MSR data as it is, not completed for any accelerator (see the overload).</summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <param name="data">The host's CPUID (and MSR) data.</param>
    /// <param name="source">Where it comes from.</param>
    /// <returns>The offer.</returns>
    public static HostOffer FromCpuid(QemuHypervisorCatalog catalog, CpuidData data, string source)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        var set = FeatureSet.Empty;
        foreach (var f in catalog.Features)
        {
            if (f.FeatureBits.All(data.Has))
            {
                set = set.With(f.Index);
            }
        }

        return new HostOffer(set, data.VendorString, source + " (raw CPUID: an approximation of QEMU's host model)", Approximate: true);
    }

    /// <summary>An approximate offer from a plain list of feature names (canonical or alias).</summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <param name="names">The names.</param>
    /// <param name="vendor">The host's vendor string, or null.</param>
    /// <param name="accelerator">Under KVM the offer is completed with what KVM synthesizes.</param>
    /// <param name="qemu">The QEMU release's behaviour (what it synthesizes under KVM).</param>
    /// <returns>The offer.</returns>
    /// <exception cref="InputException">For an unknown name.</exception>
    public static HostOffer FromNames(QemuHypervisorCatalog catalog, IEnumerable<string> names, string? vendor, QemuAccelerator accelerator, ReleaseBehaviour qemu)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var offer = new HostOffer(catalog.SetOf(names), vendor, "feature list", Approximate: true);
        return accelerator == QemuAccelerator.Kvm ? offer.CompleteForKvm(catalog, qemu) : offer;
    }

    /// <summary>
    /// What TCG can give: the catalog's <c>tcg_features</c> masks. This is what QEMU filters against
    /// under TCG (its <c>unavailable-features</c> lists).
    /// </summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <returns>The offer.</returns>
    public static HostOffer Tcg(QemuHypervisorCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new HostOffer(catalog.Tcg, null, $"TCG ({catalog.Name} tcg_features)", Approximate: false);
    }

    /// <summary>
    /// Completes an offer with what KVM synthesizes for every guest whatever the host CPU has
    /// (<c>docs/design.md#62-building-a-cpu</c>): the QEMU release's <c>kvm-synthesized</c> features
    /// (<c>hypervisor</c>, <c>x2apic</c>, <c>tsc-deadline</c> in every modelled release) and the KVM
    /// paravirtual leaf 0x40000001 (kvmclock and friends; all of its named bits, an approximation
    /// since older kernels lack some).
    /// </summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <param name="qemu">The QEMU release's behaviour.</param>
    /// <returns>The completed offer.</returns>
    public HostOffer CompleteForKvm(QemuHypervisorCatalog catalog, ReleaseBehaviour qemu)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(qemu);
        var set = Features | catalog.KvmFeatures;
        foreach (var name in qemu.KvmSynthesized)
        {
            if (catalog.Feature(name) is { } f)
            {
                set = set.With(f.Index);
            }
        }

        return this with { Features = set };
    }
}
