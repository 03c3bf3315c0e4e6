using VirtCpu.Catalog;
using VirtCpu.Cpuid;
using VirtCpu.Formats.HostCaptures;

namespace VirtCpu.Tests.Formats;

public sealed class HostMsrReaderTests
{
    [Fact]
    public void Reads_64_bit_values_at_the_msr_offsets_of_a_device_file()
    {
        var dir = Directory.CreateTempSubdirectory("virtcpu-msr-");
        try
        {
            // A regular file stands in for /dev/cpu/0/msr: the value of MSR i is at offset i.
            var device = Path.Combine(dir.FullName, "msr");
            var bytes = new byte[0x491 + 8];
            BitConverter.GetBytes(0x0000_0001_0000_002bUL).CopyTo(bytes, 0x10A);
            BitConverter.GetBytes(0x0000_00ff_0000_0020UL).CopyTo(bytes, 0x480);
            File.WriteAllBytes(device, bytes);

            var data = HostMsrReader.Read([0x10A, 0x480, 0x491, 0x5000], device);
            Assert.Equal(new CpuRegisters(0x2b, 0, 0, 1), data.Get(CpuDataKey.Msr(0x10A)));
            Assert.Equal(new CpuRegisters(0x20, 0, 0, 0xff), data.Get(CpuDataKey.Msr(0x480)));
            Assert.Equal(new CpuRegisters(0, 0, 0, 0), data.Get(CpuDataKey.Msr(0x491)));
            Assert.Null(data.Get(CpuDataKey.Msr(0x5000)));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_missing_device_gives_no_msr_silently()
    {
        Assert.Equal(0, HostMsrReader.Read(HostMsrReader.DefaultIndices, "/nonexistent/cpu/0/msr").Count);
        Assert.Equal(20, HostMsrReader.DefaultIndices.Length);
    }
}
