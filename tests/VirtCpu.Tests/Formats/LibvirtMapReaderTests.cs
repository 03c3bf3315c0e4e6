using VirtCpu.Catalog;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Tests.Formats;

public sealed class LibvirtMapReaderTests
{
    [Fact]
    public void Libvirt113MapLoads()
    {
        var catalog = LibvirtMapReader.Load(SharedData.Require("libvirt-11.3/cpu_map"));
        Assert.Equal("libvirt-11.3", catalog.Name);
        Assert.Equal(3, catalog.Vendors.Length);
        Assert.Equal(364, catalog.Features.Length);
        Assert.Equal(150, catalog.Models.Length);
        foreach (var name in new[] { "EPYC-v4", "EPYC-IBPB", "Skylake-Server-v5", "GraniteRapids-v2" })
        {
            Assert.NotNull(catalog.FindModel(name));
        }

        Assert.Equal("EPYC-v1", catalog.FindModel("EPYC")!.Canonical);
        Assert.Equal("EPYC-v2", catalog.FindModel("EPYC-IBPB")!.Canonical);
        var v1 = catalog.FindModel("EPYC-v1")!;
        Assert.True(v1.IsAlias);
        Assert.Equal("EPYC", v1.Ancestor);
        Assert.Equal(catalog.FindModel("EPYC")!.Features, v1.Features);
        Assert.Equal("AMD", v1.Vendor!.Name);
        Assert.True(v1.DecodeHost);
        Assert.False(v1.DecodeGuest);
        Assert.False(v1.CompatCheck);
        Assert.Equal(26, catalog.Features.Sum(f => f.Aliases.Length));
        Assert.Equal(["xsaves", "invtsc"], catalog.Features.Where(f => !f.Migratable).Select(f => f.Name));
        Assert.Equal(62, catalog.Models.Count(m => m.CompatCheck));
        Assert.Equal(86, catalog.Models.Count(m => m.IsVersioned));

        var epyc = catalog.FindModel("EPYC")!;
        Assert.Equal([catalog.FindFeature("monitor")!.Index], epyc.RemovedFeatures);
        Assert.False(epyc.Features.Contains(catalog.FindFeature("monitor")!.Index));
        Assert.Equal(new ModelSignature(23, 1, null), Assert.Single(epyc.Signatures));

        var skx = catalog.FindModel("Skylake-Server")!;
        Assert.Contains(new ModelSignature(6, 85, 0b11111), skx.Signatures);
        Assert.Equal(catalog.Features.Count(f => f.Name.StartsWith("vmx-", StringComparison.Ordinal) && skx.AddedFeatures.Contains(f.Index)), skx.AddedFeatures.Length);
        Assert.NotEmpty(skx.AddedFeatures);
    }

    [Fact]
    public void Libvirt90MapLoads()
    {
        var catalog = LibvirtMapReader.Load(SharedData.Require("libvirt-9.0/cpu_map"));
        Assert.Equal("libvirt-9.0", catalog.Name);
        Assert.Equal(3, catalog.Vendors.Length);
        Assert.Equal(212, catalog.Features.Length);
        Assert.Equal(58, catalog.Models.Length);
        Assert.DoesNotContain(catalog.Models, m => m.IsVersioned || m.IsAlias);
    }

    [Theory]
    [InlineData("1-3", 0b1110)]
    [InlineData("0-4", 0b11111)]
    [InlineData("5,7", 0b10100000)]
    [InlineData("1,10-11", 0b110000000010)]
    [InlineData("15", 0x8000)]
    public void SteppingsParse(string text, int expected)
    {
        Assert.True(LibvirtMapReader.TryParseSteppings(text, out var bitmap));
        Assert.Equal(expected, bitmap);
    }

    [Theory]
    [InlineData("")]
    [InlineData("16")]
    [InlineData("3-1")]
    [InlineData("1,")]
    [InlineData("a")]
    [InlineData("-1")]
    public void BadSteppingsAreRejected(string text) => Assert.False(LibvirtMapReader.TryParseSteppings(text, out _));

    [Fact]
    public void AnIncludeThatIsNotARegularFileIsRefusedWithoutOpeningIt()
    {
        var dir = Directory.CreateTempSubdirectory("virtcpu-map-").FullName;
        try
        {
            var fifo = Path.Combine(dir, "x86_fifo.xml");
            using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
            {
                mkfifo.WaitForExit();
            }

            var index = Path.Combine(dir, "index.xml");
            File.WriteAllText(index, "<cpus>\n  <arch name='x86'>\n    <include filename='x86_fifo.xml'/>\n  </arch>\n</cpus>\n");
            var e = Assert.Throws<InputException>(() => LibvirtMapReader.Load(dir));
            Assert.Equal($"{index}: included file {fifo} is empty or not a regular file", e.Message);
            File.WriteAllText(index, "<cpus>\n  <arch name='x86'>\n    <include filename='/dev/stdin'/>\n  </arch>\n</cpus>\n");
            Assert.Equal($"{index}: included file /dev/stdin is empty or not a regular file", Assert.Throws<InputException>(() => LibvirtMapReader.Load(dir)).Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
