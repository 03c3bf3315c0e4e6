using System.Collections.Frozen;

namespace VirtCpu.Engine;

/// <summary>
/// libvirt's fixed table of hypervisor enlightenment bits that are not catalog features (<c>docs/design.md#51-cpu-map</c>):
/// <c>kvm_pv_unhalt</c> and the <c>hv-*</c> names. They are accepted by has-feature and by the
/// optional-feature resolution of update, but they are never part of catalog feature data, so they
/// always test false on data derived from CPU definitions.
/// </summary>
public static class InternalFeatures
{
    private static readonly FrozenSet<string> Names = new[]
    {
        "kvm_pv_unhalt",
        "hv-runtime", "hv-synic", "hv-stimer", "hv-xmm_input", "hv-relaxed",
        "hv-vapic", "hv-vpindex", "hv-reset", "hv-frequencies", "hv-reenlightenment",
        "hv-stimer-direct", "hv-tlbflush-direct",
        "hv-tlbflush", "hv-avic", "hv-ipi", "hv-evmcs",
        "hv-tlbflush-ext",
        "hv-emsr_bitmap",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>True when <paramref name="name"/> is one of the internal feature names.</summary>
    /// <param name="name">A feature name.</param>
    /// <returns>Whether the driver knows the name outside the catalog.</returns>
    public static bool Contains(string name) => Names.Contains(name);
}
