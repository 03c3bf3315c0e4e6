using System.Collections.Immutable;
using System.Globalization;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Migration;
using VirtCpu.Qemu;

namespace VirtCpu.Operations;

/// <summary>One reason beyond CPUID why a live migration is refused or changes the guest.</summary>
/// <param name="Verdict"><see cref="Migration.Verdict.Blocked"/> (refused) or <see cref="Migration.Verdict.Unsafe"/> (the guest changes).</param>
/// <param name="What">A short name: <c>machine-type</c>, <c>vcpus</c>, <c>maxphysaddr</c>, <c>tsc</c>, <c>invtsc</c>.</param>
/// <param name="Reason">One plain sentence.</param>
public sealed record PlatformBlocker(Verdict Verdict, string What, string Reason);

/// <summary>
/// What else than the CPU model makes a live migration fail or change the guest, as the domain XML and
/// the nodes reveal it: the machine type missing on the destination's QEMU, more vCPUs than the
/// destination allows, physical address bits (<c>&lt;maxphysaddr&gt;</c>), the TSC frequency, and an
/// invariant TSC without a fixed frequency (QEMU refuses to migrate it). A destination catalog that
/// holds no machine types (a table import) cannot judge the machine type, so that check is left out.
/// </summary>
public static class PlatformCheck
{
    /// <summary>QEMU's tolerance for a TSC frequency mismatch without scaling (250 ppm, <c>kvm_arch_set_tsc_khz</c>).</summary>
    public const double TscTolerance = 250e-6;

    /// <summary>The blockers of moving a domain from a source to a destination.</summary>
    /// <param name="domain">The domain (its live XML).</param>
    /// <param name="source">The source node and its limits.</param>
    /// <param name="sourceLimits">The source's limits.</param>
    /// <param name="target">The destination node.</param>
    /// <param name="targetLimits">The destination's limits.</param>
    /// <param name="enabled">The QEMU feature names the guest has enabled on the source (for <c>invtsc</c>), or empty.</param>
    /// <returns>The blockers, possibly none.</returns>
    public static ImmutableArray<PlatformBlocker> Check(LibvirtDomain domain, Node source, NodeLimits sourceLimits, Node target, NodeLimits targetLimits, IEnumerable<string> enabled)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sourceLimits);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(targetLimits);
        ArgumentNullException.ThrowIfNull(enabled);
        var list = ImmutableArray.CreateBuilder<PlatformBlocker>();
        var qemu = target.Hypervisor.QemuVersion;
        var knowsMachines = !target.Hypervisor.MachineTypes.IsDefaultOrEmpty;
        if (knowsMachines && !domain.MachineIsAlias && !QemuMachineTypes.Names(target.Hypervisor).Contains(domain.Machine, StringComparer.Ordinal))
        {
            list.Add(new PlatformBlocker(Verdict.Blocked, "machine-type", $"QEMU {qemu.ToString(2)} on {target.Name} has no machine type {domain.Machine} (its newest is {target.Machine}); the guest keeps its machine type when it migrates."));
        }

        if (targetLimits.MaxVcpus is { } max && domain.Vcpus > max)
        {
            list.Add(new PlatformBlocker(Verdict.Blocked, "vcpus", string.Create(CultureInfo.InvariantCulture, $"The guest has {domain.Vcpus} vCPUs; {target.Name} allows at most {max} per guest.")));
        }

        if (domain.MaxPhysAddr is { } pa)
        {
            if (pa.Mode == "emulate" && pa.Bits > 0 && target.Accelerator == QemuAccelerator.Kvm && targetLimits.PhysBits is { } bits && pa.Bits > bits)
            {
                list.Add(new PlatformBlocker(Verdict.Blocked, "maxphysaddr", string.Create(CultureInfo.InvariantCulture, $"The guest's <maxphysaddr mode='emulate' bits='{pa.Bits}'/> exceeds the {bits} physical address bits of {target.Name}'s host.")));
            }
            else if (pa.Mode == "passthrough" && sourceLimits.PhysBits is { } from && targetLimits.PhysBits is { } to && from != to)
            {
                list.Add(new PlatformBlocker(Verdict.Unsafe, "maxphysaddr", string.Create(CultureInfo.InvariantCulture, $"The guest's <maxphysaddr mode='passthrough'/> makes its physical address bits change from {from} on {source.Name} to {to} on {target.Name}.")));
            }
        }

        if (domain.TscFrequency is { } hz && targetLimits.TscFrequency is { } host && targetLimits.TscScaling != true
            && Math.Abs(host - hz) > hz * TscTolerance)
        {
            list.Add(new PlatformBlocker(Verdict.Blocked, "tsc", string.Create(CultureInfo.InvariantCulture, $"The guest's TSC runs at {hz} Hz; {target.Name}'s host TSC runs at {host} Hz and cannot be scaled.")));
        }

        if (domain.TscFrequency is null && enabled.Contains("invtsc", StringComparer.Ordinal))
        {
            list.Add(new PlatformBlocker(Verdict.Blocked, "invtsc", "The guest has an invariant TSC (invtsc) but no fixed TSC frequency (<clock><timer name='tsc' frequency=.../>): QEMU refuses to migrate it."));
        }

        return list.ToImmutable();
    }
}
