using System.Globalization;
using System.Text;
using VirtCpu.Cpu;
using VirtCpu.Cpuid;
using VirtCpu.Engine;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.ProjectFiles;

namespace VirtCpu.Tests.Formats;

/// <summary>
/// The byte-level fast path of <see cref="CpuXml.ParseAll(string, string, CpuType?, CpuXmlParseOptions)"/> and <see cref="CpuXml.ReadAllFile"/> (plain host lists, as virsh
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

        Assert.Equal(64, texts.Count);
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

    [Theory]
    [InlineData("<cpu>\n\t<arch>x86_64</arch>\r\n<model>Haswell</model><feature  name = \"vmx\" /><signature stepping=\"3\"  family='6' model='60'/></cpu  >")]
    [InlineData("\uFEFF<cpu><arch>x86_64</arch><model>Haswell</model><vendor>Intel</vendor></cpu>")]
    [InlineData("<?xml version='1.0' encoding='UTF-8'?>\n<cpu><arch>x86_64</arch><model>Haswell</model><feature name='vmx'/></cpu>")]
    [InlineData("<cpu><!-- a comment --><arch>x86_64</arch><model>Haswell</model></cpu>")]
    [InlineData("<cpu><arch>x86_64</arch><model>Has&#119;ell</model><feature name='v&#109;x'/></cpu>")]
    [InlineData("<cpu><arch>x86_64</arch><model><![CDATA[Haswell]]></model></cpu>")]
    [InlineData("<cpu><arch>x86_64</arch><model>Haswell</model><vendor>Intél</vendor></cpu>")]
    [InlineData("<cpu><arch>x86_64</arch><model>Haswell</model><signature family='6' model='060' stepping='00000000000000000000003'/></cpu>")]
    [InlineData("<cpu><arch>x86_64</arch><model>Haswell</model><feature name='vmx'></feature></cpu>")]
    [InlineData("<cpu><arch>x86_64</arch><model>Haswell</model></cpu><cpu><arch>x86_64</arch><model>Broadwell</model><cache mode='passthrough'/></cpu>")]
    public void Every_spelling_of_a_host_list_reads_as_the_full_parser_reads_it(string xml)
    {
        var expected = Elements(xml).Select(one => CpuXml.Parse(one, "one.xml", CpuType.Host)).ToList();
        Assert.Equal(expected.Select(c => CpuXml.Format(c)), CpuXml.ParseAll(xml.TrimStart('\uFEFF'), "hosts.xml", CpuType.Host).Select(c => CpuXml.Format(c)));
        // Bytes and files may start with a byte order mark (decoded text may not).
        Assert.Equal(expected.Select(c => CpuXml.Format(c)), CpuXml.ParseAll(Encoding.UTF8.GetBytes(xml), "hosts.xml", CpuType.Host).Select(c => CpuXml.Format(c)));
        var file = Path.Combine(Path.GetTempPath(), $"virtcpu-hosts-{Guid.NewGuid():N}.xml");
        try
        {
            File.WriteAllText(file, xml, new UTF8Encoding(false));
            Assert.Equal(expected.Select(c => CpuXml.Format(c)), CpuXml.ReadAllFile(file, CpuType.Host).Select(c => CpuXml.Format(c)));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_file_read_in_chunks_gives_every_host_and_the_full_parsers_errors_with_their_line()
    {
        // About 3 MiB: the chunked reader cuts it several times, at arbitrary places inside elements.
        var random = new Random(7);
        var text = new StringBuilder();
        var expected = new List<string>();
        for (var i = 0; i < 12_000; i++)
        {
            var one = new StringBuilder("<cpu>\n  <arch>x86_64</arch>\n  <model>Skylake-Client-IBRS</model>\n  <vendor>Intel</vendor>\n");
            one.Append(CultureInfo.InvariantCulture, $"  <signature family='6' model='{i % 200}' stepping='{i % 16}'/>\n");
            foreach (var f in Enumerable.Range(0, random.Next(30)).Select(n => $"f{(n * 7) + random.Next(7)}").Distinct(StringComparer.Ordinal))
            {
                one.Append(CultureInfo.InvariantCulture, $"  <feature name='{f}'/>\n");
            }

            one.Append("</cpu>\n");
            text.Append(one);
            expected.Add(CpuXml.Format(CpuXml.Parse(one.ToString(), "one.xml", CpuType.Host)));
        }

        var file = Path.Combine(Path.GetTempPath(), $"virtcpu-hosts-{Guid.NewGuid():N}.xml");
        try
        {
            File.WriteAllText(file, text.ToString(), new UTF8Encoding(false));
            Assert.True(new FileInfo(file).Length > 2 << 20);
            Assert.Equal(expected, CpuXml.ReadAllFile(file, CpuType.Host).Select(c => CpuXml.Format(c)));

            // A repeated feature in the last host: the full parser's message, with its line number.
            var lines = text.ToString().Split('\n').Length;
            File.AppendAllText(file, "<cpu>\n  <arch>x86_64</arch>\n  <model>Haswell</model>\n  <feature name='vmx'/>\n  <feature name='vmx'/>\n</cpu>\n");
            var e = Assert.Throws<InputException>(() => CpuXml.ReadAllFile(file, CpuType.Host));
            Assert.Contains($"line {lines + 4}:", e.Message, StringComparison.Ordinal);
            Assert.Contains("CPU feature 'vmx' specified more than once", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static IEnumerable<string> Elements(string xml)
    {
        // The test inputs have no nested <cpu>: split at each end tag.
        var body = xml.TrimStart('\uFEFF');
        if (body.StartsWith("<?xml", StringComparison.Ordinal))
        {
            body = body[(body.IndexOf("?>", StringComparison.Ordinal) + 2)..];
        }

        var at = 0;
        while (body.IndexOf("<cpu>", at, StringComparison.Ordinal) is var start and >= 0)
        {
            var end = body.IndexOf('>', body.IndexOf("</cpu", start, StringComparison.Ordinal)) + 1;
            yield return body[start..end];
            at = end;
        }
    }
}
