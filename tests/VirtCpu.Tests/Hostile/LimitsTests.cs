using System.Diagnostics;
using System.Globalization;
using System.Text;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.QemuData;

namespace VirtCpu.Tests.Hostile;

/// <summary>Input limits: large legal inputs pass in bounded time, pathological ones are refused quickly.</summary>
public sealed class LimitsTests
{
    private const string BillionLaughs = """
        <?xml version="1.0"?>
        <!DOCTYPE lolz [
          <!ENTITY lol "lol">
          <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
          <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
          <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
          <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
          <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
          <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
          <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
          <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
          <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
        ]>
        <cpu><model>&lol9;</model></cpu>
        """;

    public static TheoryData<string, string> PathologicalXml()
    {
        var deep = new StringBuilder();
        for (var i = 0; i < 100_000; i++)
        {
            deep.Append("<cpu>");
        }

        return new TheoryData<string, string>
        {
            { BillionLaughs, "DTDs and entities are not allowed" },
            { "<!DOCTYPE cpu SYSTEM 'file:///etc/passwd'><cpu/>", "DTDs and entities are not allowed" },
            { "<cpu><model>&xxe;</model></cpu>", "malformed XML" },
            { deep.ToString(), "nested too deeply" },
            { "<cpu><model name='" + new string('a', SafeXml.MaxValueLength + 1) + "'/></cpu>", "attribute 'name' too long" },
            { "<cpu><model>" + new string('a', SafeXml.MaxValueLength + 1) + "</model></cpu>", "text too long" },
            { " \n ", "empty file" },
        };
    }

    [Theory]
    [MemberData(nameof(PathologicalXml))]
    public void Pathological_xml_is_refused_quickly_by_every_xml_reader(string xml, string problem)
    {
        var readers = new (string Name, Action<string> Parse)[]
        {
            ("cpu", x => CpuXml.Parse(x, "h.xml")),
            ("cpu-all", x => CpuXml.ParseAll(x, "h.xml")),
            ("cpudata", x => CpuidXml.Parse(x, "h.xml")),
            ("safe", x => SafeXml.Load(x, "h.xml")),
        };
        foreach (var (name, parse) in readers)
        {
            var watch = Stopwatch.StartNew();
            var e = Assert.Throws<InputException>(() => parse(xml));
            watch.Stop();
            Assert.Equal("h.xml", e.File);
            Assert.Contains(problem, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
            HangBound.Check(watch, name);
        }
    }

    [Fact]
    public void Billion_laughs_in_a_cpu_map_file_is_refused()
    {
        var dir = Directory.CreateTempSubdirectory("virtcpu-hostile-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "index.xml"), BillionLaughs.Replace("<cpu><model>&lol9;</model></cpu>", "<cpus><arch name='x86'>&lol9;</arch></cpus>", StringComparison.Ordinal));
            var watch = Stopwatch.StartNew();
            var e = Assert.Throws<InputException>(() => LibvirtMapReader.Load(dir.FullName));
            Assert.Contains("DTDs and entities are not allowed", e.Message, StringComparison.Ordinal);
            Assert.Contains("index.xml", e.Message, StringComparison.Ordinal);
            HangBound.Check(watch, "index.xml");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Too_many_elements_is_refused()
    {
        var text = new StringBuilder("<cpuTest>");
        for (var i = 0; i <= SafeXml.MaxElements; i++)
        {
            text.Append("<a/>");
        }

        text.Append("</cpuTest>");
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<InputException>(() => CpuXml.ParseAll(text.ToString(), "many.xml"));
        Assert.Contains("too many elements", e.Message, StringComparison.Ordinal);
        HangBound.Check(watch, "many.xml");
    }

    [Fact]
    public void A_10000_host_baseline_file_parses_in_bounded_time()
    {
        var text = new StringBuilder("<cpuTest>\n");
        for (var i = 0; i < 10_000; i++)
        {
            text.Append("<cpu>\n  <arch>x86_64</arch>\n  <model>Skylake-Client-IBRS</model>\n  <vendor>Intel</vendor>\n");
            text.Append(CultureInfo.InvariantCulture, $"  <microcode version='{i}'/>\n  <topology sockets='1' dies='1' cores='4' threads='2'/>\n");
            for (var f = 0; f < 40; f++)
            {
                text.Append(CultureInfo.InvariantCulture, $"  <feature policy='require' name='feat{f}'/>\n");
            }

            text.Append("</cpu>\n");
        }

        text.Append("</cpuTest>\n");
        var watch = Stopwatch.StartNew();
        var cpus = CpuXml.ParseAll(text.ToString(), "hosts.xml");
        watch.Stop();
        Assert.Equal(10_000, cpus.Length);
        HangBound.Check(watch, "hosts.xml");
    }

    [Fact]
    public void A_5000_item_cpudata_parses_in_bounded_time()
    {
        var text = new StringBuilder("<cpudata arch='x86'>\n");
        for (var i = 0; i < 5000; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  <cpuid eax_in='0x{i:x8}' ecx_in='0x00000000' eax='0x1' ebx='0x2' ecx='0x3' edx='0x4'/>\n");
        }

        text.Append("</cpudata>\n");
        var watch = Stopwatch.StartNew();
        var data = CpuidXml.Parse(text.ToString(), "big.xml");
        HangBound.Check(watch, "big.xml");
        Assert.Equal(5000, data.Items.Count());
    }

    [Fact]
    public void Cpuid_text_line_limits()
    {
        var e = Assert.Throws<InputException>(() => CpuidText.Parse("   0x00000000 0x00: eax=0x0 " + new string(' ', 5000) + "\n", "long.txt"));
        Assert.Contains("line 1: line too long", e.Message, StringComparison.Ordinal);

        var many = new StringBuilder();
        for (var i = 0; i <= CpuidText.MaxLines; i++)
        {
            many.Append("   0x00000000 0x00: eax=0x00000001 ebx=0x00000000 ecx=0x00000000 edx=0x00000000\n");
        }

        e = Assert.Throws<InputException>(() => CpuidText.Parse(many.ToString(), "many.txt"));
        Assert.Contains("too many CPUID lines", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deeply_nested_json_is_refused()
    {
        var json = new string('[', 10_000) + new string(']', 10_000);
        var e = Assert.Throws<InputException>(() => CpuDataFile.Parse("{\"return\": " + json + "}", "deep.json"));
        Assert.Contains("malformed JSON", e.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<InputException>(() => QemuProbeFile.Read(Encoding.UTF8.GetBytes("{\"definitions\": " + json + "}"), "deep.json"));
        Assert.Equal("deep.json", e2.File);
    }

    [Fact]
    public void Input_files_name_the_file_when_missing_too_large_or_a_directory()
    {
        var dir = Directory.CreateTempSubdirectory("virtcpu-hostile-");
        try
        {
            var missing = Path.Combine(dir.FullName, "missing.xml");
            Assert.Equal("no such file", Assert.Throws<InputException>(() => InputFile.ReadAllText(missing)).Problem);
            Assert.Equal("is a directory, not a file", Assert.Throws<InputException>(() => InputFile.ReadAllText(dir.FullName)).Problem);
            var big = Path.Combine(dir.FullName, "big.xml");
            File.WriteAllBytes(big, new byte[1025]);
            Assert.Contains("file too large", Assert.Throws<InputException>(() => InputFile.ReadAllText(big, 1024)).Problem, StringComparison.Ordinal);
            File.WriteAllBytes(big, [0x3c, 0xff, 0xfe]);
            Assert.Equal("not UTF-8 text", Assert.Throws<InputException>(() => SafeXml.LoadFile(big)).Problem);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
