using System.Collections.Immutable;

namespace VirtCpu.Qemu;

/// <summary>
/// Whether a model name can run on a host as is, as libvirt's domain capabilities show it
/// (<c>&lt;model usable='yes|no' canonical='X-vN'&gt;</c> with <c>&lt;blockers&gt;</c>): the
/// blockers are the features of the model's expansion the host offer lacks (QEMU's
/// <c>unavailable-features</c>).
/// </summary>
/// <param name="Name">The model name.</param>
/// <param name="Resolved">What it resolved to (<c>X-vN</c> or <c>legacy</c>).</param>
/// <param name="Canonical">The <c>alias-of</c> version QEMU reports (libvirt's <c>canonical</c>), or null.</param>
/// <param name="Blockers">The missing features, canonical QEMU names, sorted.</param>
/// <param name="Cpu">The filtered expansion.</param>
public sealed record QemuModelUsability(string Name, string Resolved, string? Canonical, ImmutableArray<string> Blockers, QemuCpu Cpu)
{
    /// <summary>True when nothing blocks the model.</summary>
    public bool Usable => Blockers.IsEmpty;

    /// <summary>Computes the usability of every model name of a catalog on a host.</summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <param name="offer">What the host can give.</param>
    /// <param name="machine">The machine type.</param>
    /// <param name="accelerator">The accelerator.</param>
    /// <returns>One entry per model name, sorted by name.</returns>
    public static IReadOnlyList<QemuModelUsability> ForAll(QemuHypervisorCatalog catalog, HostOffer offer, string machine, QemuAccelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(offer);
        var machineType = QemuMachineTypes.Find(catalog, machine);
        var config = new QemuCpuConfig("") { Accelerator = accelerator, HostOffer = offer.Features, HostVendor = offer.Vendor };
        return [.. catalog.ModelNames.Select(n =>
        {
            var cpu = QemuExpander.Expand(catalog, QemuModelResolution.Resolve(catalog, n, machineType), config);
            return new QemuModelUsability(n, cpu.Resolution.Resolved, cpu.Resolution.AliasOf, [.. cpu.FilteredNames], cpu);
        })];
    }
}
