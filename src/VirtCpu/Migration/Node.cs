using System.Globalization;
using System.Text;
using VirtCpu.Catalog;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Qemu;

namespace VirtCpu.Migration;

/// <summary>
/// A resolved node (<c>docs/design.md#1-the-model</c>): the stack (management catalog M, hypervisor catalog
/// Q, machine type, accelerator) and the host offer H.
/// </summary>
public sealed record Node
{
    /// <summary>The node's name.</summary>
    public required string Name { get; init; }

    /// <summary>The management catalog M.</summary>
    public required CpuCatalog Catalog { get; init; }

    /// <summary>The hypervisor catalog Q.</summary>
    public required QemuHypervisorCatalog Hypervisor { get; init; }

    /// <summary>The machine type a guest started here gets.</summary>
    public required string Machine { get; init; }

    /// <summary>The accelerator.</summary>
    public required QemuAccelerator Accelerator { get; init; }

    /// <summary>The host offer H.</summary>
    public required NodeHost Host { get; init; }

    /// <summary>The node's libvirt release, whose behaviour the start and migration steps follow.</summary>
    public Version Libvirt => LibvirtBehaviour.Release;

    /// <summary>How the node's libvirt release behaves where releases differ.</summary>
    public ReleaseBehaviour LibvirtBehaviour { get; init; } = BehaviourFile.DefaultLibvirt;

    /// <summary>How the node's QEMU release behaves where releases differ (by default, that of the hypervisor catalog's release).</summary>
    public ReleaseBehaviour QemuBehaviour
    {
        get => field ??= BehaviourFile.For("qemu", Hypervisor.QemuVersion, Name);
        init;
    }

    /// <summary>Whether the libvirt release was given by the profile (else assumed from the catalog).</summary>
    public bool LibvirtPinned { get; init; }

    /// <summary>The bridge between M and Q.</summary>
    public VocabularyBridge Bridge => VocabularyBridge.For(Catalog, Hypervisor);

    /// <summary>
    /// A key equal for nodes that behave identically for every guest (same catalogs, machine type,
    /// accelerator and host offer); catalogs are compared by identity.
    /// </summary>
    public string Key
    {
        get
        {
            var sb = new StringBuilder();
            sb.Append(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Catalog).ToString(CultureInfo.InvariantCulture)).Append('|')
              .Append(Catalog.Name).Append('|')
              .Append(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Hypervisor).ToString(CultureInfo.InvariantCulture)).Append('|')
              .Append(Machine).Append('|').Append(Accelerator).Append('|').Append(LibvirtBehaviour.Name).Append('|').Append(QemuBehaviour.Name).Append('|').Append(Host.VendorString).Append('|').Append(Host.Signature).Append('|');
            for (var k = 0; k < FeatureSet.WordCount; k++)
            {
                sb.Append(Host.Qemu.Word(k).ToString("x", CultureInfo.InvariantCulture)).Append(',');
            }

            for (var k = 0; k < FeatureSet.WordCount; k++)
            {
                sb.Append(Host.Management.Word(k).ToString("x", CultureInfo.InvariantCulture)).Append(',');
            }

            return sb.ToString();
        }
    }

    /// <summary>Resolves a profile: builds the host offer and checks every name.</summary>
    /// <param name="profile">The profile.</param>
    /// <returns>The node.</returns>
    /// <exception cref="InputException">Unknown host feature or vendor names.</exception>
    public static Node Resolve(NodeProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var bridge = VocabularyBridge.For(profile.Catalog, profile.Hypervisor);
        var libvirt = BehaviourFile.For("libvirt", profile.Libvirt ?? BehaviourFile.DefaultLibvirtRelease, profile.File);
        var qemu = BehaviourFile.For("qemu", profile.Hypervisor.QemuVersion, profile.File);
        NodeHost host;
        if (profile.HostData is { Raw: { } raw })
        {
            host = NodeHost.FromRaw(bridge, raw, profile.Accelerator, qemu);
        }
        else if (profile.HostData is { Qemu: { } reply })
        {
            host = NodeHost.FromQemuHost(bridge, reply.Expansion, libvirt.Spelling);
        }
        else if (profile.HostModel is { } hostModel)
        {
            host = NodeHost.FromHostModel(bridge, hostModel, profile.Accelerator, profile.HostSource, qemu);
        }
        else if (profile.InlineHost is { } inline)
        {
            host = NodeHost.Complete(bridge, FromInline(profile, bridge, inline), profile.Accelerator, qemu);
        }
        else
        {
            throw new InputException(profile.File, "the profile has no host");
        }

        return FromOffer(profile.Name, profile.Catalog, profile.Hypervisor, profile.Machine, profile.Accelerator, host, profile.Libvirt, profile.File);
    }

    /// <summary>
    /// Builds a node from a host offer already resolved. This is where every node gets its release
    /// behaviours: the libvirt release given (a profile's <c>libvirt</c> key), else the one the management
    /// catalog's name states (<c>libvirt-9.0</c>), else 11.3; the QEMU release's from the hypervisor catalog.
    /// </summary>
    /// <param name="name">The node name.</param>
    /// <param name="catalog">M.</param>
    /// <param name="hypervisor">Q.</param>
    /// <param name="machine">The machine type.</param>
    /// <param name="accelerator">The accelerator.</param>
    /// <param name="host">The host offer H.</param>
    /// <param name="libvirt">The libvirt release, or null to take it from the catalog's name.</param>
    /// <param name="source">Where the node came from (for messages about a release without a behaviour file).</param>
    /// <returns>The node.</returns>
    /// <exception cref="InputException">A release without a behaviour file.</exception>
    public static Node FromOffer(string name, CpuCatalog catalog, QemuHypervisorCatalog hypervisor, string machine, QemuAccelerator accelerator, NodeHost host, Version? libvirt, string source)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(hypervisor);
        return new Node
        {
            Name = name,
            Catalog = catalog,
            Hypervisor = hypervisor,
            Machine = machine,
            Accelerator = accelerator,
            Host = host,
            LibvirtBehaviour = libvirt is null ? BehaviourFile.LibvirtOfCatalog(catalog.Name, source) : BehaviourFile.For("libvirt", libvirt, source),
            QemuBehaviour = BehaviourFile.For("qemu", hypervisor.QemuVersion, source),
        };
    }

    /// <summary>Builds a node from values (tests, tools).</summary>
    /// <param name="name">The node name.</param>
    /// <param name="catalog">M.</param>
    /// <param name="hypervisor">Q.</param>
    /// <param name="machine">The machine type.</param>
    /// <param name="accelerator">The accelerator.</param>
    /// <param name="inline">The host (names in either spelling); completed under KVM.</param>
    /// <returns>The node.</returns>
    /// <exception cref="InputException">Unknown names.</exception>
    public static Node Create(string name, CpuCatalog catalog, QemuHypervisorCatalog hypervisor, string machine, QemuAccelerator accelerator, InlineHost inline)
    {
        ArgumentNullException.ThrowIfNull(inline);
        var profile = new NodeProfile
        {
            File = name,
            Name = name,
            CatalogSource = catalog.Name,
            Catalog = catalog,
            Hypervisor = hypervisor,
            Machine = machine,
            Accelerator = accelerator,
            HostSource = "inline",
            InlineHost = inline,
        };
        return Resolve(profile);
    }

    private static NodeHost FromInline(NodeProfile profile, VocabularyBridge bridge, InlineHost inline)
    {
        var vendor = profile.Catalog.FindVendor(inline.Vendor)?.CpuidString
            ?? (inline.Vendor.Length == 12 ? inline.Vendor : throw new InputException(profile.File, $"unknown host vendor '{inline.Vendor}' (a vendor name of {profile.Catalog.Name} or a 12-character CPUID vendor string)"));
        var qemuFeatures = FeatureSet.Empty;
        var managementFeatures = FeatureSet.Empty;
        var unknown = new List<string>();
        foreach (var name in inline.Features)
        {
            if (profile.Hypervisor.Feature(name) is { } qemuFeature)
            {
                qemuFeatures = qemuFeatures.With(qemuFeature.Index);
                if (bridge.ManagementOf(qemuFeature.Index) is var managementIndex and >= 0)
                {
                    managementFeatures = managementFeatures.With(managementIndex);
                }
            }
            else if (CatalogNames.FindFeature(profile.Catalog, name) is { } managementFeature)
            {
                managementFeatures = managementFeatures.With(managementFeature.Index);
                if (bridge.QemuOf(managementFeature.Index) is var qemuIndex and >= 0)
                {
                    qemuFeatures = qemuFeatures.With(qemuIndex);
                }
            }
            else
            {
                unknown.Add(name);
            }
        }

        if (unknown.Count > 0)
        {
            throw new InputException(profile.File, $"unknown host feature name(s) for {profile.Catalog.Name} and {profile.Hypervisor.Name}: {string.Join(", ", unknown)}");
        }

        return new NodeHost(vendor, new CpuSignature(inline.Family, inline.Model, inline.Stepping), qemuFeatures, managementFeatures);
    }
}
