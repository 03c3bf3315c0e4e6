using VirtCpu.Catalog;
using VirtCpu.Formats.HostCaptures;

namespace VirtCpu.Tests.Formats;

public sealed class CpuDataFileTests
{
    [Fact]
    public void Detects_the_format_from_content()
    {
        var xml = CpuDataFile.Parse("\n  <!-- x -->\n<cpudata arch='x86'><cpuid eax_in='1' eax='0x306a9'/></cpudata>", "a.txt");
        Assert.Equal(CpuDataFormat.CpudataXml, xml.Format);
        Assert.Equal(0x306a9u, xml.Raw!.Leaf1Eax);

        var text = CpuDataFile.Parse("CPU 0:\n   0x00000001 0x00: eax=0x000306a9 ebx=0x0 ecx=0x0 edx=0x0\n", "b.xml");
        Assert.Equal(CpuDataFormat.CpuidText, text.Format);
        Assert.Equal(0x306a9u, text.Raw!.Get(CpuDataKey.Cpuid(1))!.Value.Eax);

        var json = CpuDataFile.Parse("\uFEFF {\"return\": {\"model\": {\"name\": \"base\", \"props\": {\"family\": 6}}}}", "c.xml");
        Assert.Equal(CpuDataFormat.QemuReplies, json.Format);
        Assert.False(json.IsRaw);
        Assert.Equal("base", json.Qemu!.Expansion.Name);
    }

    [Fact]
    public void Empty_missing_invalid_and_huge_files_are_input_errors()
    {
        Assert.Contains("empty file", Assert.Throws<InputException>(() => CpuDataFile.Parse(" \n\t", "e")).Message, StringComparison.Ordinal);
        Assert.Contains("not UTF-8", Assert.Throws<InputException>(() => CpuDataFile.Parse(new byte[] { 0xff, 0xfe, 0x41 }, "u")).Message, StringComparison.Ordinal);

        var dir = Directory.CreateTempSubdirectory("virtcpu-test-");
        try
        {
            var missing = Path.Combine(dir.FullName, "missing.xml");
            var e = Assert.Throws<InputException>(() => CpuDataFile.Read(missing));
            Assert.Equal(missing, e.File);

            var huge = Path.Combine(dir.FullName, "huge.xml");
            using (var s = File.Create(huge))
            {
                s.SetLength(CpuDataFile.MaxBytes + 1);
            }

            Assert.Contains("too large", Assert.Throws<InputException>(() => CpuDataFile.Read(huge)).Message, StringComparison.Ordinal);

            var empty = Path.Combine(dir.FullName, "empty.json");
            File.WriteAllText(empty, string.Empty);
            Assert.Equal($"{empty}: empty file", Assert.Throws<InputException>(() => CpuDataFile.Read(empty)).Message);

            var good = Path.Combine(dir.FullName, "good");
            File.WriteAllText(good, "<cpudata arch='x86'><msr index='0x10a' eax='1' edx='0'/></cpudata>\n");
            Assert.Equal(1u, CpuDataFile.Read(good).Raw!.Get(CpuDataKey.Msr(0x10a))!.Value.Eax);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
