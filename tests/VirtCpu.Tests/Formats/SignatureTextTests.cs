using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Tests.Formats;

public sealed class SignatureTextTests(ITestOutputHelper output)
{
    [Fact]
    public void Formats_the_four_lines()
    {
        Assert.Equal("050656\nfamily:     6 (0x06)\nmodel:     85 (0x55)\nstepping:   6 (0x06)\n", SignatureText.Format(0x00050656));

        // Reserved bits and the processor type vanish; extended family is added.
        Assert.Equal("a00f11\nfamily:    25 (0x19)\nmodel:      1 (0x01)\nstepping:   1 (0x01)\n", SignatureText.Format(0xF0A03F11 & 0xFFFFCFFF | 0x3000));
        Assert.Equal("000000\nfamily:     0 (0x00)\nmodel:      0 (0x00)\nstepping:   0 (0x00)\n", SignatureText.Format(0));
    }

    [Fact]
    public void Every_reference_sig_file_matches_its_cpudata()
    {
        var dir = SharedData.Require("libvirt-11.3/cputestdata");
        var count = 0;
        foreach (var sig in Directory.GetFiles(dir, "x86_64-cpuid-*.sig").Order(StringComparer.Ordinal))
        {
            var xml = Path.ChangeExtension(sig, ".xml");
            var data = CpuidXml.Parse(File.ReadAllText(xml), Path.GetFileName(xml));
            Assert.Equal(File.ReadAllText(sig), SignatureText.Format(data));
            count++;
        }

        output.WriteLine($"{count} .sig files equal");
        // ../shared/reference/libvirt-11.3 holds 41 of libvirt's .sig files.
        Assert.Equal(41, count);
    }
}
