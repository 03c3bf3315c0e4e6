using System.Reflection;
using VirtCpu.Cpuid;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Tests.Cli;

public sealed class CpuidCommandTests
{
    private static int Run(params string[] args)
    {
        var entry = Assembly.Load("VirtCpu.Cli").EntryPoint ?? throw new InvalidOperationException("no entry point");
        return (int)entry.Invoke(null, [args])!;
    }

    [Fact]
    public void Dump_writes_cpudata_xml_to_a_file()
    {
        if (!HostCpuid.IsSupported)
        {
            Assert.Skip("not an x86 machine");
        }

        var dir = Directory.CreateTempSubdirectory("virtcpu-cpuid-");
        try
        {
            var file = Path.Combine(dir.FullName, "host.xml");
            File.WriteAllText(file, "old content");
            Assert.Equal(0, Run("cpuid", "--dump", "--out", file, "--no-msr"));
            var text = File.ReadAllText(file);
            Assert.EndsWith("</cpudata>\n", text, StringComparison.Ordinal);
            var data = CpuidXml.Parse(text, file);
            Assert.Equal(12, data.VendorString!.Length);
            Assert.Equal([file], Directory.GetFiles(dir.FullName));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Usage_and_write_errors_exit_2()
    {
        Assert.Equal(2, Run("cpuid"));
        Assert.Equal(2, Run("cpuid", "--dump", "--out", "/nonexistent-virtcpu-dir/host.xml"));
    }
}
