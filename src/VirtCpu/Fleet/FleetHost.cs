using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Cpuid;
using VirtCpu.Engine;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Migration;
using VirtCpu.Qemu;
using NodeHost = VirtCpu.Migration.NodeHost;

namespace VirtCpu.Fleet;

/// <summary>
/// One host of a fleet resolved against a management catalog: its CPU data, the host CPU as libvirt
/// decodes it (the capabilities view) and the effective feature set of that definition, which is
/// exactly what <see cref="CpuComparer"/> compares guests against.
/// </summary>
public sealed record FleetHost
{
    /// <summary>The host name (the capture file name without extension).</summary>
    public required string Name { get; init; }

    /// <summary>The capture file.</summary>
    public required string File { get; init; }

    /// <summary>The capture format.</summary>
    public required HostCaptureFormat Format { get; init; }

    /// <summary>The vendor: the catalog vendor name (<c>Intel</c>, <c>AMD</c>), the raw CPUID vendor string, or null.</summary>
    public string? Vendor { get; init; }

    /// <summary>The CPU data in the catalog's vocabulary.</summary>
    public CpuData Data { get; init; }

    /// <summary>The host CPU as libvirt decodes it, or null when decoding failed (see <see cref="Error"/>).</summary>
    public CpuDefinition? HostCpu { get; init; }

    /// <summary>The effective features of <see cref="HostCpu"/> (model features plus listed features).</summary>
    public FeatureSet Features { get; init; }

    /// <summary>Why the host could not be decoded, or null.</summary>
    public string? Error { get; init; }

    /// <summary>The node (stack + host offer) for start and migration checks, or null when none could be built.</summary>
    public Node? Node { get; init; }
}

/// <summary>Turns host captures into <see cref="FleetHost"/> values for one catalog and stack.</summary>
public sealed class FleetHostResolver
{
    private readonly CpuCatalog _catalog;
    private readonly QemuHypervisorCatalog _hypervisor;
    private readonly string _machine;
    private readonly CpuDecoder _decoder;
    private readonly VocabularyBridge _bridge;

    /// <summary>Creates a resolver.</summary>
    /// <param name="catalog">The management catalog.</param>
    /// <param name="hypervisor">The hypervisor catalog (for the nodes).</param>
    /// <param name="machine">The machine type (for the nodes).</param>
    public FleetHostResolver(CpuCatalog catalog, QemuHypervisorCatalog hypervisor, string machine)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(hypervisor);
        ArgumentNullException.ThrowIfNull(machine);
        _catalog = catalog;
        _hypervisor = hypervisor;
        _machine = machine;
        _decoder = new CpuDecoder(catalog);
        _bridge = VocabularyBridge.For(catalog, hypervisor);
    }

    /// <summary>Resolves a capture: CPU data, host decode and (optionally) the node.</summary>
    /// <param name="capture">The capture.</param>
    /// <param name="withNode">True to build the node (for drift guest checks).</param>
    /// <returns>The host; a host whose CPU cannot be decoded carries an <see cref="FleetHost.Error"/>.</returns>
    /// <exception cref="InputException">The capture names features or vendors the catalogs do not know.</exception>
    public FleetHost Resolve(HostCapture capture, bool withNode = false)
    {
        ArgumentNullException.ThrowIfNull(capture);
        var data = DataOf(capture);
        var host = FromData(capture.Name, capture.File, capture.Format, data);
        return withNode ? host with { Node = NodeOf(capture) } : host;
    }

    /// <summary>Builds a host from CPU data already in the catalog's vocabulary (host decode included).</summary>
    /// <param name="name">The host name.</param>
    /// <param name="file">The file.</param>
    /// <param name="format">The capture format.</param>
    /// <param name="data">The data.</param>
    /// <returns>The host.</returns>
    public FleetHost FromData(string name, string file, HostCaptureFormat format, CpuData data)
    {
        var vendor = data.VendorString is { } vs ? _catalog.FindVendorByCpuidString(vs)?.Name ?? vs : null;
        try
        {
            var cpu = _decoder.DecodeHost(data);
            var features = cpu.Model is null ? FeatureSet.Empty : ModelData.FromCpu(_catalog, cpu, null).Data;
            return new FleetHost { Name = name, File = file, Format = format, Vendor = vendor, Data = data, HostCpu = cpu.Model is null ? null : cpu, Features = features, Error = cpu.Model is null ? "unknown host CPU (no model fits)" : null };
        }
        catch (CpuEngineException e)
        {
            return new FleetHost { Name = name, File = file, Format = format, Vendor = vendor, Data = data, Error = e.Message };
        }
    }

    /// <summary>The CPU data of a capture in the catalog's vocabulary.</summary>
    /// <param name="capture">The capture.</param>
    /// <returns>The data.</returns>
    /// <exception cref="InputException">Unknown names in a definition or profile.</exception>
    public CpuData DataOf(HostCapture capture)
    {
        ArgumentNullException.ThrowIfNull(capture);
        if (capture.Data is { } input)
        {
            return FromInput(input);
        }

        if (capture.Cpu is { } cpu)
        {
            FeatureSet set;
            try
            {
                set = ModelData.FromCpu(_catalog, cpu, null).Data;
            }
            catch (CpuEngineException e)
            {
                throw new InputException(capture.File, e.Message, e);
            }

            var vendor = cpu.Vendor is { } v ? _catalog.FindVendor(v) : cpu.Model is { } m ? _catalog.FindModel(m)?.Vendor : null;
            return new CpuData(set, vendor?.CpuidString, cpu.Signature?.ToEax() ?? 0);
        }

        var profile = capture.Profile!;
        if (profile.HostData is { } hostData)
        {
            return FromInput(hostData);
        }

        // An inline host: the offer the node resolves (completed for KVM), in this catalog's vocabulary.
        var node = Migration.Node.Resolve(profile);
        var bridge = VocabularyBridge.For(_catalog, node.Hypervisor);
        return new CpuData(bridge.ToManagement(node.Host.Qemu), node.Host.VendorString, node.Host.Signature.ToEax());
    }

    private CpuData FromInput(CpuDataInput input) =>
        input.Raw is { } raw ? CpuData.FromRaw(raw, _catalog) : QemuHostData.FromExpansion(_catalog, input.Qemu!.Expansion, BehaviourFile.LibvirtOfCatalog(_catalog.Name).Spelling);

    private Node NodeOf(HostCapture capture)
    {
        if (capture.Profile is { } profile)
        {
            return Migration.Node.Resolve(profile);
        }

        // A capture without a profile names no libvirt release: that of the catalog, as the node below takes it.
        var libvirt = BehaviourFile.LibvirtOfCatalog(_catalog.Name, capture.File);
        var qemu = BehaviourFile.For("qemu", _hypervisor.QemuVersion, capture.Name);
        NodeHost offer;
        if (capture.Data is { Raw: { } raw })
        {
            offer = NodeHost.FromRaw(_bridge, raw, QemuAccelerator.Kvm, qemu);
        }
        else if (capture.Data is { Qemu: { } reply })
        {
            offer = NodeHost.FromQemuHost(_bridge, reply.Expansion, libvirt.Spelling);
        }
        else
        {
            var data = DataOf(capture);
            offer = NodeHost.Complete(_bridge, new NodeHost(data.VendorString, CpuSignature.FromEax(data.Leaf1Eax), _bridge.ToHypervisor(data.Features), data.Features), QemuAccelerator.Kvm, qemu);
        }

        return Migration.Node.FromOffer(capture.Name, _catalog, _hypervisor, _machine, QemuAccelerator.Kvm, offer, null, capture.File);
    }
}
