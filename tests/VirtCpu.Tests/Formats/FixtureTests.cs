using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Tests.Formats;

/// <summary>The project's own fixtures: captured with <c>virtcpu cpuid --dump</c> on a test machine.</summary>
public sealed class FixtureTests
{
    private static string Fixture(string name) => Path.Combine(SharedData.RepoRoot, "tests", "VirtCpu.Tests", "Fixtures", name);

    [Fact]
    public void The_cpuid_r_text_and_the_cpudata_xml_of_one_host_give_the_same_data()
    {
        var xml = CpuDataFile.Read(Fixture("cpudata-virtual-turin.xml"));
        var text = CpuDataFile.Read(Fixture("cpuid-r-virtual-turin.txt"));
        Assert.Equal(CpuDataFormat.CpudataXml, xml.Format);
        Assert.Equal(CpuDataFormat.CpuidText, text.Format);
        Assert.Equal(xml.Raw!.Items, text.Raw!.Items);
        Assert.Equal(File.ReadAllText(Fixture("cpudata-virtual-turin.xml")), CpuidXml.Format(text.Raw));
        Assert.Equal("b00f21\nfamily:    26 (0x1a)\nmodel:      2 (0x02)\nstepping:   1 (0x01)\n", SignatureText.Format(xml.Raw));
    }
}
