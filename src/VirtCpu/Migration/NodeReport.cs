using System.Collections.Immutable;
using VirtCpu.Cpu;
using VirtCpu.Engine;
using VirtCpu.Qemu;

namespace VirtCpu.Migration;

/// <summary>One management-catalog model as a node can run it (libvirt's domain capabilities view).</summary>
/// <param name="Name">The model name in the management catalog.</param>
/// <param name="Vendor">The model's vendor, or null for generic models.</param>
/// <param name="Canonical">The versioned model that is a pure alias of this one, or null.</param>
/// <param name="KnownToHypervisor">False when the node's QEMU has no model of that name (then it cannot be used at all).</param>
/// <param name="Resolved">What QEMU resolves the name to on the node's machine type (<c>X-vN</c> or <c>legacy</c>), or null.</param>
/// <param name="Blockers">The features the host lacks for this model, in the management catalog's spelling where it has one.</param>
public sealed record NodeModel(string Name, string? Vendor, string? Canonical, bool KnownToHypervisor, string? Resolved, ImmutableArray<string> Blockers)
{
    /// <summary>True when the node's QEMU knows the model and the host lacks nothing for it.</summary>
    public bool Usable => KnownToHypervisor && Blockers.IsEmpty;
}

/// <summary>
/// What a node offers guests, as an operator asks it of one host: the host CPU as libvirt decodes it,
/// the host-model CPU a guest would get, the x86-64 level, and every model of the management catalog
/// with usable yes/no and its blockers.
/// </summary>
public sealed record NodeReport
{
    /// <summary>The node described.</summary>
    public required Node Node { get; init; }

    /// <summary>Where the host offer came from, in words (live QEMU, raw CPUID approximation, ...).</summary>
    public required string OfferSource { get; init; }

    /// <summary>True when the offer is an approximation (raw CPUID rather than the hypervisor's own view).</summary>
    public required bool Approximate { get; init; }

    /// <summary>The host CPU as libvirt's host decode describes it (capabilities view), or null when it cannot be decoded.</summary>
    public CpuDefinition? HostCpu { get; init; }

    /// <summary>The host-model CPU (guest decode of the offer, restricted to the hypervisor's models), or null.</summary>
    public CpuDefinition? HostModel { get; init; }

    /// <summary>The x86-64 micro-architecture level of the offer (0 for none, 1 to 4).</summary>
    public required int Level { get; init; }

    /// <summary>Every model of the management catalog, in catalog order.</summary>
    public required ImmutableArray<NodeModel> Models { get; init; }

    /// <summary>Builds the report of a node.</summary>
    /// <param name="node">The node.</param>
    /// <param name="hostCpu">The host CPU as libvirt decodes it, when the raw data is known.</param>
    /// <param name="offerSource">Where the offer came from.</param>
    /// <param name="approximate">Whether the offer is an approximation.</param>
    /// <returns>The report.</returns>
    public static NodeReport Create(Node node, CpuDefinition? hostCpu, string offerSource, bool approximate)
    {
        ArgumentNullException.ThrowIfNull(node);
        var catalog = node.Catalog;
        var hypervisor = node.Hypervisor;
        var bridge = node.Bridge;
        var offer = new Qemu.HostOffer(node.Host.Qemu, node.Host.VendorString, offerSource, approximate);
        var usability = QemuModelUsability.ForAll(hypervisor, offer, node.Machine, node.Accelerator)
            .ToDictionary(u => u.Name, StringComparer.Ordinal);

        var models = ImmutableArray.CreateBuilder<NodeModel>(catalog.Models.Length);
        foreach (var model in catalog.Models)
        {
            if (!usability.TryGetValue(model.Name, out var u))
            {
                models.Add(new NodeModel(model.Name, model.Vendor?.Name, model.Canonical, false, null, []));
                continue;
            }

            var blockers = u.Cpu.Filtered.ToArray()
                .Select(i => bridge.ManagementOf(i) is var k && k >= 0 ? catalog.Features[k].Name : hypervisor.Features[i].Name)
                .Order(StringComparer.Ordinal);
            models.Add(new NodeModel(model.Name, model.Vendor?.Name, model.Canonical, true, u.Resolved, [.. blockers]));
        }

        CpuDefinition? hostModel = null;
        try
        {
            hostModel = new CpuDecoder(catalog).DecodeGuest(node.Host.ManagementData, HypervisorModels.FromNames(hypervisor.ModelNames));
        }
        catch (CpuEngineException)
        {
            // No model fits this host's data: the report says so by leaving HostModel null.
        }

        return new NodeReport
        {
            Node = node,
            OfferSource = offerSource,
            Approximate = approximate,
            HostCpu = hostCpu,
            HostModel = hostModel,
            Level = X86Level.Of(hypervisor, node.Host.Qemu),
            Models = models.MoveToImmutable(),
        };
    }
}
