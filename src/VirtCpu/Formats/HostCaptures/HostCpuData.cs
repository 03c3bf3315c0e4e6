using VirtCpu.Cpuid;

namespace VirtCpu.Formats.HostCaptures;

/// <summary>This machine's raw CPU data: CPUID read from the processor plus the MSRs that can be read.</summary>
public static class HostCpuData
{
    /// <summary>Reads CPUID (<see cref="HostCpuid"/>) and, best effort, the MSRs of <see cref="HostMsrReader.DefaultIndices"/>.</summary>
    /// <param name="readMsrs">False to skip MSRs.</param>
    /// <returns>The data.</returns>
    /// <exception cref="PlatformNotSupportedException">The processor is not x86.</exception>
    public static CpuidData Read(bool readMsrs = true)
    {
        var data = HostCpuid.Read();
        if (readMsrs)
        {
            foreach (var (key, value) in HostMsrReader.Read(HostMsrReader.DefaultIndices).Items)
            {
                data = data.With(key, value);
            }
        }

        return data;
    }
}
