using VirtCpu.Cpuid;
using VirtCpu.Engine;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.ProjectFiles;

namespace VirtCpu.Tests.Engine;

/// <summary>Decodes the project's own dump of this machine (a virtual AMD Turin guest) with the 11.3 catalog.</summary>
public class MachineDumpTests
{
    private static CpuData Dump(string name)
    {
        var path = Path.Combine(SharedData.RepoRoot, "tests", "VirtCpu.Tests", "Fixtures", name);
        var input = CpuDataFile.Read(path);
        return CpuData.FromRaw(input.Raw!, BuiltInCatalogs.Get("libvirt-11.3"));
    }

    [Fact]
    public void Virtual_turin_decodes_to_a_generic_host_model_and_to_epyc_as_a_guest()
    {
        var decoder = new CpuDecoder(BuiltInCatalogs.Get("libvirt-11.3"));
        var data = Dump("cpudata-virtual-turin.xml");

        // the virtual CPU lacks bits every EPYC-family model has, so host decode (no disabled
        // features allowed) falls back to a generic model; guest decode tolerates disabled ones
        var host = decoder.DecodeHost(data);
        Assert.Equal(("kvm64-v1", "AMD"), (host.Model, host.Vendor));
        Assert.Equal(new VirtCpu.Catalog.CpuSignature(26, 2, 1), host.Signature);
        Assert.All(host.Features, f => Assert.Null(f.Policy));

        var guest = decoder.DecodeGuest(data);
        Assert.Equal(("EPYC", "AMD"), (guest.Model, guest.Vendor));
        Assert.Contains(guest.Features, f => f.Name == "hypervisor" && f.Policy == VirtCpu.Cpu.FeaturePolicy.Require);

        // the cpuid -r text of the same machine gives the same answers
        var text = Dump("cpuid-r-virtual-turin.txt");
        Assert.Equal(CpuXml.Format(host), CpuXml.Format(decoder.DecodeHost(text)));
        Assert.Equal(CpuXml.Format(guest), CpuXml.Format(decoder.DecodeGuest(text)));
    }
}
