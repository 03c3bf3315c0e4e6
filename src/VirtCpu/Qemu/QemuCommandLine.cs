using System.Collections.Frozen;
using System.Text;
using VirtCpu.Cpu;

namespace VirtCpu.Qemu;

/// <summary>
/// Renders the <c>-cpu</c> argument libvirt's QEMU driver passes for a guest CPU definition: the
/// model name (<c>host</c> for host-passthrough, <c>max</c> for maximum), then <c>,feat=on</c> for
/// require/force and <c>,feat=off</c> for disable/forbid, in definition order (optional features are
/// left to the model). Feature names are translated from libvirt's spelling to QEMU's where they
/// differ.
/// </summary>
public static class QemuCommandLine
{
    /// <summary>
    /// libvirt spelling → QEMU spelling: the reverse of libvirt's translation table for QEMU
    /// replies (<c>docs/design.md#52-cpu-data</c>). Every other name is the same in both.
    /// </summary>
    public static FrozenDictionary<string, string> LibvirtToQemu { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["cmp_legacy"] = "cmp-legacy",
        ["ds_cpl"] = "ds-cpl",
        ["fxsr_opt"] = "fxsr-opt",
        ["kvm_pv_eoi"] = "kvm-pv-eoi",
        ["kvm_pv_unhalt"] = "kvm-pv-unhalt",
        ["lahf_lm"] = "lahf-lm",
        ["nodeid_msr"] = "nodeid-msr",
        ["pclmuldq"] = "pclmulqdq",
        ["perfctr_core"] = "perfctr-core",
        ["perfctr_nb"] = "perfctr-nb",
        ["tsc_adjust"] = "tsc-adjust",
        ["vmx-invvpid-single-context-noglobals"] = "vmx-invept-single-context-noglobals",
        ["hv-vendor_id"] = "hv-vendor-id",
        ["hv-emsr_bitmap"] = "hv-emsr-bitmap",
        ["hv-xmm_input"] = "hv-xmm-input",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>QEMU spelling → libvirt spelling (<c>docs/design.md#52-cpu-data</c>).</summary>
    public static FrozenDictionary<string, string> QemuToLibvirt { get; } = LibvirtToQemu.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>Translates a libvirt feature name to QEMU's spelling.</summary>
    /// <param name="libvirtName">The libvirt name.</param>
    /// <returns>The QEMU name.</returns>
    public static string ToQemuName(string libvirtName) => LibvirtToQemu.GetValueOrDefault(libvirtName, libvirtName);

    /// <summary>Translates a QEMU feature name to libvirt's spelling.</summary>
    /// <param name="qemuName">The QEMU name.</param>
    /// <returns>The libvirt name.</returns>
    public static string ToLibvirtName(string qemuName) => QemuToLibvirt.GetValueOrDefault(qemuName, qemuName);

    /// <summary>Renders the <c>-cpu</c> argument.</summary>
    /// <param name="cpu">The guest CPU definition.</param>
    /// <returns>The argument, e.g. <c>EPYC,svm=on,npt=off</c>.</returns>
    /// <exception cref="InputException">When a custom definition has no model.</exception>
    public static string Render(CpuDefinition cpu)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        var model = cpu.Mode switch
        {
            CpuMode.HostPassthrough => "host",
            CpuMode.Maximum => "max",
            CpuMode.HostModel => throw new InputException(null, "host-model is turned into a custom model by libvirt before QEMU starts; decode it against the host first"),
            _ => cpu.Model ?? throw new InputException(null, "a custom CPU definition needs a <model>"),
        };
        var sb = new StringBuilder(model);
        if (cpu.VendorId is { } vendorId && cpu.Mode is CpuMode.Custom or null)
        {
            sb.Append(",vendor=").Append(vendorId);
        }

        foreach (var f in cpu.Features)
        {
            var value = f.Policy switch
            {
                FeaturePolicy.Require or FeaturePolicy.Force or null => "on",
                FeaturePolicy.Disable or FeaturePolicy.Forbid => "off",
                _ => null,
            };
            if (value is not null)
            {
                sb.Append(',').Append(ToQemuName(f.Name)).Append('=').Append(value);
            }
        }

        return sb.ToString();
    }
}
