using System.Diagnostics;
using CsCheck;
using VirtCpu.Catalog;
using VirtCpu.Cpuid;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Tests.Formats;

public sealed class CpuidXmlTests(ITestOutputHelper output)
{
    private const string Small = """
        <!-- Hand-made CPU -->
        <cpudata arch='x86'>
          <cpuid eax_in='0x00000000' ecx_in='0x00' eax='0x0000000d' ebx='0x756e6547' ecx='0x6c65746e' edx='0x49656e69'/>
          <!-- a comment between items -->
          <cpuid eax_in='1' eax='0x000306a9' ecx='010' edx='0x00000001'/>
          <cpuid eax_in='0x00000001' ecx_in='0x00' edx='0x00000100'/>
          <cpuid eax_in='0x7' ecx_in='0x1' eax='0' ebx='0' ecx='0' edx='0'/>
          <msr index='0x10a' edx='0x00000001' eax='0x0000002b'/>
          <alias name='ignored'/>
          <whatever index='0xcf' eax='32' edx='0'/>
        </cpudata>
        """;

    [Fact]
    public void Parses_numbers_defaults_comments_merges_and_msrs()
    {
        var data = CpuidXml.Parse(Small, "small.xml");
        Assert.Equal(new CpuRegisters(0xd, 0x756e6547, 0x6c65746e, 0x49656e69), data.Get(CpuDataKey.Cpuid(0)));
        Assert.Equal(new CpuRegisters(0x306a9, 0, 8, 0x101), data.Get(CpuDataKey.Cpuid(1)));
        Assert.Equal(new CpuRegisters(0, 0, 0, 0), data.Get(CpuDataKey.Cpuid(7, 1)));
        Assert.Equal(new CpuRegisters(0x2b, 0, 0, 1), data.Get(CpuDataKey.Msr(0x10a)));
        Assert.Equal(new CpuRegisters(32, 0, 0, 0), data.Get(CpuDataKey.Msr(0xcf)));
        Assert.Equal(5, data.Count);
        Assert.Equal("GenuineIntel", data.VendorString);
    }

    [Fact]
    public void Formats_as_libvirt_skipping_zero_items()
    {
        var data = CpuidXml.Parse(Small, "small.xml");
        var expected = """
            <cpudata arch='x86'>
              <cpuid eax_in='0x00000000' ecx_in='0x00000000' eax='0x0000000d' ebx='0x756e6547' ecx='0x6c65746e' edx='0x49656e69'/>
              <cpuid eax_in='0x00000001' ecx_in='0x00000000' eax='0x000306a9' ebx='0x00000000' ecx='0x00000008' edx='0x00000101'/>
              <msr index='0xcf' eax='0x00000020' edx='0x00000000'/>
              <msr index='0x10a' eax='0x0000002b' edx='0x00000001'/>
            </cpudata>

            """.ReplaceLineEndings("\n");
        Assert.Equal(expected, CpuidXml.Format(data));
    }

    [Fact]
    public void Brand_string_comment_comes_first()
    {
        // "  Test CPU -- 1 @ 2GHz" split over leaves 0x80000002-4, NUL padded.
        var brand = "  Test CPU -- 1 @ 2GHz"u8.ToArray().Concat(new byte[48]).Take(48).ToArray();
        var items = new List<KeyValuePair<CpuDataKey, CpuRegisters>>();
        for (var i = 0; i < 3; i++)
        {
            uint R(int k) => BitConverter.ToUInt32(brand, (16 * i) + (4 * k));
            items.Add(new(CpuDataKey.Cpuid(0x80000002u + (uint)i), new CpuRegisters(R(0), R(1), R(2), R(3))));
        }

        var data = CpuidData.From(items);
        Assert.Equal("Test CPU - - 1 @ 2GHz", CpuidXml.BrandString(data));
        var text = CpuidXml.Format(data);
        Assert.StartsWith("<!-- Test CPU - - 1 @ 2GHz -->\n<cpudata arch='x86'>\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<!--", CpuidXml.Format(data, brandComment: false), StringComparison.Ordinal);
        Assert.Null(CpuidXml.BrandString(CpuidXml.Parse(Small, "small.xml")));

        // The comment is valid XML: the text reads back to the same data.
        Assert.Equal(data.Items.Where(i => !i.Value.IsZero), CpuidXml.Parse(text, "brand.xml").Items);
    }

    [Fact]
    public void Write_then_read_gives_the_same_non_zero_items()
    {
        var item = Gen.Select(Gen.Bool, Gen.UInt, Gen.UInt[0, 3], Gen.UInt, Gen.UInt, Gen.UInt, Gen.UInt)
            .Select((msr, index, sub, a, b, c, d) => msr
                ? new KeyValuePair<CpuDataKey, CpuRegisters>(CpuDataKey.Msr(index), new CpuRegisters(a, 0, 0, d))
                : new KeyValuePair<CpuDataKey, CpuRegisters>(CpuDataKey.Cpuid(index, sub), new CpuRegisters(a, b, c, d)));
        item.List[0, 40].Sample(list =>
        {
            var data = CpuidData.From(list);
            var back = CpuidXml.Parse(CpuidXml.Format(data), "generated.xml");
            Assert.Equal(data.Items.Where(i => !i.Value.IsZero), back.Items);
        });
    }

    [Theory]
    [InlineData("", "empty file")]
    [InlineData("   \n", "empty file")]
    [InlineData("<cpudata arch='x86'>", "malformed XML")]
    [InlineData("<cpu arch='x86'/>", "expected a <cpudata> root element")]
    [InlineData("<cpudata/>", "missing CPU data architecture")]
    [InlineData("<cpudata arch='ppc64'/>", "unsupported CPU data architecture 'ppc64'")]
    [InlineData("<cpudata arch='x86'><cpuid ecx_in='0' eax='1'/></cpudata>", "line 1: missing attribute 'eax_in' in element <cpuid>")]
    [InlineData("<cpudata arch='x86'><cpuid eax_in='0x' /></cpudata>", "invalid value '0x' for attribute 'eax_in'")]
    [InlineData("<cpudata arch='x86'><cpuid eax_in='1' eax='0x100000000'/></cpudata>", "invalid value '0x100000000' for attribute 'eax'")]
    [InlineData("<cpudata arch='x86'><cpuid eax_in='1' eax='09'/></cpudata>", "invalid value '09'")]
    [InlineData("<cpudata arch='x86'><cpuid eax_in='1' eax='-1'/></cpudata>", "invalid value '-1'")]
    [InlineData("<cpudata arch='x86'><cpuid eax_in='1' eax=' 1'/></cpudata>", "invalid value ' 1'")]
    [InlineData("<cpudata arch='x86'>\n<msr index='0x10a' eax='0'/></cpudata>", "line 2: missing attribute 'edx' in element <msr>")]
    [InlineData("<cpudata arch='x86'><cpuid eax_in='1'/></cpudata><cpudata arch='x86'/>", "malformed XML")]
    public void Rejects_bad_input_with_file_and_problem(string xml, string problem)
    {
        var e = Assert.Throws<InputException>(() => CpuidXml.Parse(xml, "bad.xml"));
        Assert.Equal("bad.xml", e.File);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_DTD_entity_bomb_quickly()
    {
        var bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [
              <!ENTITY lol "lol">
              <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
              <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
            ]>
            <cpudata arch='x86'><cpuid eax_in='&lol9;'/></cpudata>
            """;
        // Refused from the DOCTYPE, before any entity is expanded (no wall-clock bound needed).
        var e = Assert.Throws<InputException>(() => CpuidXml.Parse(bomb, "bomb.xml"));
        Assert.Equal("bomb.xml", e.File);
        Assert.Contains("DTDs and entities are not allowed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void External_entities_are_never_resolved()
    {
        var xxe = """
            <!DOCTYPE cpudata [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <cpudata arch='x86'><cpuid eax_in='&x;'/></cpudata>
            """;
        Assert.Throws<InputException>(() => CpuidXml.Parse(xxe, "xxe.xml"));
    }

    [Fact]
    public void Every_reference_cpudata_file_parses_and_survives_write_read()
    {
        var dir = SharedData.Require("libvirt-11.3/cputestdata");
        var files = Directory.GetFiles(dir, "x86_64-cpuid-*.xml")
            .Where(f => File.ReadAllText(f).Contains("<cpudata", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var f in files)
        {
            var data = CpuidXml.Parse(File.ReadAllText(f), Path.GetFileName(f));
            var back = CpuidXml.Parse(CpuidXml.Format(data), f);
            Assert.Equal(data.Items.Where(i => !i.Value.IsZero), back.Items);
        }

        output.WriteLine($"{files.Count} <cpudata> files parsed");
        Assert.Equal(111, files.Count);
    }

    [Fact]
    public void Reference_brand_comments_match_the_brand_string_leaves()
    {
        var dir = SharedData.Require("libvirt-11.3/cputestdata");
        var same = 0;
        var total = 0;
        var differ = new List<string>();
        foreach (var f in Directory.GetFiles(dir, "x86_64-cpuid-*.xml"))
        {
            var text = File.ReadAllText(f);
            if (!text.StartsWith("<!-- ", StringComparison.Ordinal) || !text.Contains("<cpudata", StringComparison.Ordinal) || f.EndsWith("abled.xml", StringComparison.Ordinal))
            {
                continue;
            }

            total++;
            var comment = text[5..text.IndexOf(" -->", StringComparison.Ordinal)];
            if (CpuidXml.BrandString(CpuidXml.Parse(text, f)) == comment)
            {
                same++;
            }
            else
            {
                differ.Add(Path.GetFileName(f));
            }
        }

        output.WriteLine($"brand comment equals the brand-string leaves in {same} of {total} raw dumps");
        Assert.Equal((39, 41), (same, total));
        Assert.Equal(["x86_64-cpuid-Cooperlake.xml", "x86_64-cpuid-Ice-Lake-Server.xml"], differ.Order(StringComparer.Ordinal));
    }
}
