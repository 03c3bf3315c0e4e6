using VirtCpu.Cpu;
using VirtCpu.Cpuid;
using VirtCpu.Engine;
using VirtCpu.Formats;

namespace VirtCpu.Tests.Formats;

/// <summary>
/// The streaming fast path of <see cref="CpuXml.ParseAll"/> (plain host lists, as virsh
/// cpu-baseline reads them) gives exactly what the full parser gives, and leaves every other input
/// and every error to the full parser.
/// </summary>
public class CpuXmlHostListTests
{
    [Fact]
    public void Host_lists_parse_as_the_full_parser_parses_each_element()
    {
        var catalog = BuiltInCatalogs.Get("libvirt-11.3");
        var decoder = new CpuDecoder(catalog);
        var random = new Random(20261125);
        var texts = new List<string>();
        foreach (var model in catalog.Models.Where(m => m.Vendor is not null && !m.IsAlias))
        {
            var features = model.Features;
            var indexes = features.ToArray();
            features = features.Without(indexes[random.Next(indexes.Length)]);
            try
            {
                texts.Add(CpuXml.Format(decoder.DecodeHost(new CpuData(features, model.Vendor!.CpuidString, 0x000806ec))));
            }
            catch (CpuEngineException)
            {
                // no model fits this variation: not a host
            }
        }

        Assert.True(texts.Count > 50);
        var all = CpuXml.ParseAll(string.Concat(texts), "hosts.xml", CpuType.Host);
        var auto = CpuXml.ParseAll(string.Concat(texts), "hosts.xml");
        Assert.Equal(texts.Count, all.Length);
        for (var i = 0; i < texts.Count; i++)
        {
            var one = CpuXml.Parse(texts[i], "one.xml", CpuType.Host);
            foreach (var fast in new[] { all[i], auto[i] })
            {
                Assert.Equal(one.Features, fast.Features);
                Assert.Equal(one with { Features = [] }, fast with { Features = [] });
                Assert.Equal(CpuXml.Format(one), CpuXml.Format(fast));
            }
        }
    }

    [Theory]
    [InlineData("<cpu><arch>x86_64</arch><model>Haswell</model><feature name='vmx'/><feature name='vmx'/></cpu>", "line 1: CPU feature 'vmx' specified more than once")]
    [InlineData("<cpu><arch>x86_64</arch><model>Haswell</model></cpu><cpu><arch>sparc99</arch><model>X</model></cpu>", "line 1: Unknown architecture sparc99")]
    [InlineData("<cpu><arch>x86_64</arch></cpu>", "Missing CPU model name")]
    [InlineData("<cpu><arch>x86_64</arch><model>Haswell</model><signature family='0' model='1' stepping='2'/></cpu>", "Zero is not permitted")]
    [InlineData("<cpu><arch>x86_64</arch><model>Haswell</model>", "hosts.xml")]
    public void Errors_come_from_the_full_parser(string xml, string message)
    {
        var e = Assert.Throws<InputException>(() => CpuXml.ParseAll(xml, "hosts.xml", CpuType.Host));
        Assert.Contains(message, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Other_children_and_attributes_are_read_by_the_full_parser()
    {
        var cpus = CpuXml.ParseAll(
            "<cpu><arch>x86_64</arch><model>Haswell</model><vendor>Intel</vendor><microcode version='42'/><topology sockets='1' cores='2' threads='2'/><feature policy='require' name='vmx'/></cpu>\n"
            + "<cpu><arch>x86_64</arch><model>Haswell</model><vendor>Intel</vendor><signature family='6' model='60' stepping='3'/><feature name='vmx'/></cpu>",
            "hosts.xml",
            CpuType.Host);
        Assert.Equal(2, cpus.Length);
        Assert.Equal(42UL, cpus[0].Microcode);
        Assert.Equal(new CpuTopology(1, 1, 1, 2, 2), cpus[0].Topology);
        Assert.Equal([new CpuFeature("vmx", null)], cpus[0].Features);
        Assert.Equal(new VirtCpu.Catalog.CpuSignature(6, 60, 3), cpus[1].Signature);
        Assert.Equal("Intel", cpus[1].Vendor);
    }
}
