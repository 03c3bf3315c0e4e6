using System.Text;
using VirtCpu.Cpu;

namespace VirtCpu.Qemu;

/// <summary>
/// Renders the <c>-cpu</c> argument libvirt's QEMU driver passes for a guest CPU definition: the
/// model name (<c>host</c> for host-passthrough, <c>max</c> for maximum), then <c>,feat=on</c> for
/// require/force and <c>,feat=off</c> for disable/forbid, in definition order (optional features are
/// left to the model, and so are the features the libvirt release never passes to QEMU). Feature names are translated from libvirt's spelling to QEMU's where they
/// differ, by the libvirt release's spelling table (<see cref="ReleaseBehaviour.Spelling"/>).
/// </summary>
public static class QemuCommandLine
{
    /// <summary>Renders the <c>-cpu</c> argument.</summary>
    /// <param name="cpu">The guest CPU definition.</param>
    /// <param name="libvirt">The libvirt release's behaviour: its spelling table and the features it never passes to QEMU.</param>
    /// <returns>The argument, e.g. <c>EPYC,svm=on,npt=off</c>.</returns>
    /// <exception cref="InputException">When a custom definition has no model.</exception>
    public static string Render(CpuDefinition cpu, ReleaseBehaviour libvirt)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        ArgumentNullException.ThrowIfNull(libvirt);
        var spelling = libvirt.Spelling;
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
            if (value is not null && !libvirt.NeverPassed(f.Name))
            {
                sb.Append(',').Append(spelling.ToQemu(f.Name)).Append('=').Append(value);
            }
        }

        return sb.ToString();
    }
}
