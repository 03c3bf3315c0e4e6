using VirtCpu.Fleet;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Migration;
using VirtCpu.Qemu;

namespace VirtCpu.Tests.Fleet;

/// <summary>A fleet's nodes take their release behaviours from their catalogs, as every other node does.</summary>
public sealed class FleetNodeBehaviourTests
{
    private const string HostCpu = """
        <cpu>
          <arch>x86_64</arch>
          <model>Skylake-Client-IBRS</model>
          <vendor>Intel</vendor>
          <feature name='vmx'/>
        </cpu>
        """;

    [Theory]
    [InlineData("libvirt-9.0", "7.2", "9.0", "whole-definition")]
    [InlineData("libvirt-11.3", "10.0", "11.3", "compat-marks")]
    [InlineData("libvirt-7.0", "5.2", "7.0", "whole-definition")]
    public void A_fleet_node_follows_the_libvirt_and_qemu_releases_of_its_catalogs(string catalogName, string qemu, string libvirt, string checkPartial)
    {
        using var dir = new TempDirectory();
        dir.Write("h1.xml", HostCpu);
        var catalog = BuiltInCatalogs.Get(catalogName);
        var hypervisor = BuiltInHypervisors.Get(qemu);
        var host = Assert.Single(FleetInput.Load(dir.Path, catalog, hypervisor, "pc-i440fx-7.2", withNodes: true).Hosts);
        var node = host.Node!;
        Assert.Equal(Version.Parse(libvirt), node.Libvirt);
        Assert.Equal("libvirt-" + libvirt, node.LibvirtBehaviour.Name);
        Assert.Equal([checkPartial], node.LibvirtBehaviour.Values("check-partial"));
        Assert.Equal("qemu-" + qemu, node.QemuBehaviour.Name);

        // The same path as a node built from values with these catalogs.
        var made = Node.Create("h1", catalog, hypervisor, "pc-i440fx-7.2", QemuAccelerator.Kvm, new InlineHost("Intel", 6, 94, 3, ["sse2"]));
        Assert.Same(made.LibvirtBehaviour, node.LibvirtBehaviour);
        Assert.Same(made.QemuBehaviour, node.QemuBehaviour);
    }
}
