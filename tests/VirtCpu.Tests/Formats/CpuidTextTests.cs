using VirtCpu.Catalog;
using VirtCpu.Cpuid;
using VirtCpu.Formats.HostCaptures;

namespace VirtCpu.Tests.Formats;

public sealed class CpuidTextTests
{
    // Hand-written in the layout of `cpuid -r` (two CPUs, the second one different on purpose).
    private const string TwoCpus = """
        CPU 0:
           0x00000000 0x00: eax=0x0000000d ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65
           0x00000001 0x00: eax=0x00a00f11 ebx=0x00020800 ecx=0x7ed8320b edx=0x178bfbff
           0x00000007 0x00: eax=0x00000000 ebx=0x219c95a9 ecx=0x0040069c edx=0x00000000
           0x80000000 0x00: eax=0x80000021 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65
        CPU 1:
           0x00000000 0x00: eax=0x0000000d ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65
           0x00000001 0x00: eax=0x00a00f11 ebx=0x01020800 ecx=0x7ed8320b edx=0x178bfbff
        """;

    [Fact]
    public void Reads_the_first_cpu_of_cpuid_r()
    {
        var data = CpuidText.Parse(TwoCpus, "cpuid.txt");
        Assert.Equal(4, data.Count);
        Assert.Equal("AuthenticAMD", data.VendorString);
        Assert.Equal(new CpuRegisters(0x00a00f11, 0x00020800, 0x7ed8320b, 0x178bfbff), data.Get(CpuDataKey.Cpuid(1)));
        Assert.Equal(0x219c95a9u, data.Get(CpuDataKey.Cpuid(7))!.Value.Ebx);
        Assert.Equal(0x80000021u, data.Get(CpuDataKey.Cpuid(0x80000000))!.Value.Eax);
    }

    [Fact]
    public void Reads_cpuid_1r_with_and_without_header()
    {
        const string lines = """
               0x00000000 0x00: eax=0x00000016 ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69
               0x00000004 0x02: eax=0x1c004143 ebx=0x00c0003f ecx=0x000003ff edx=0x00000000

            """;
        foreach (var text in new[] { lines, "CPU:\n" + lines })
        {
            var data = CpuidText.Parse(text, "one.txt");
            Assert.Equal("GenuineIntel", data.VendorString);
            Assert.Equal(0x1c004143u, data.Get(CpuDataKey.Cpuid(4, 2))!.Value.Eax);
        }
    }

    [Theory]
    [InlineData("", "empty file")]
    [InlineData("CPU 0:\n", "no CPUID line found")]
    [InlineData("CPU 0:\n   0x00000000 0x00: eax=0x1 ebx=0x2 ecx=0x3\n", "line 2: not a 'cpuid -r' line")]
    [InlineData("   0x00000000 0x00: eax=0x1 ebx=0x2 edx=0x3 ecx=0x4\n", "line 1: not a 'cpuid -r' line")]
    [InlineData("   0x00000000 0x00: eax=0xZZ ebx=0x2 ecx=0x3 edx=0x4\n", "line 1")]
    [InlineData("   0x100000000 0x00: eax=0x1 ebx=0x2 ecx=0x3 edx=0x4\n", "line 1")]
    [InlineData("hello world\n", "line 1: not a 'cpuid -r' line")]
    [InlineData("CPU x:\n", "line 1")]
    public void Rejects_other_text(string text, string problem)
    {
        var e = Assert.Throws<InputException>(() => CpuidText.Parse(text, "bad.txt"));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.Equal("bad.txt", e.File);
    }
}
