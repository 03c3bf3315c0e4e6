using System.Buffers.Binary;
using System.Collections.Immutable;
using Microsoft.Win32.SafeHandles;
using VirtCpu.Catalog;
using VirtCpu.Cpuid;

namespace VirtCpu.Formats.HostCaptures;

/// <summary>
/// Best-effort reading of model-specific registers through Linux's <c>/dev/cpu/N/msr</c> device
/// (needs root and the <c>msr</c> kernel module). Anything that cannot be read is silently
/// skipped, as libvirt does.
/// </summary>
public static class HostMsrReader
{
    /// <summary>The MSR device of CPU 0.</summary>
    public const string DefaultDevice = "/dev/cpu/0/msr";

    /// <summary>
    /// The MSRs libvirt's CPU map describes: <c>IA32_ARCH_CAPABILITIES</c> (0x10A),
    /// <c>MSR_CORE_CAPABILITIES</c> (0xCF) and the VMX capability MSRs 0x480 to 0x491.
    /// </summary>
    public static ImmutableArray<uint> DefaultIndices { get; } =
        [0x10A, 0xCF, .. Enumerable.Range(0x480, 0x491 - 0x480 + 1).Select(i => (uint)i)];

    /// <summary>Reads MSRs; each one that cannot be read is left out.</summary>
    /// <param name="indices">The MSR indices.</param>
    /// <param name="device">The MSR device file (a file holding the 64-bit values at offset = index).</param>
    /// <returns>The MSR items read (EAX = low half, EDX = high half), possibly none.</returns>
    public static CpuidData Read(IEnumerable<uint> indices, string device = DefaultDevice)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(device);
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(device, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return CpuidData.Empty;
        }

        var items = new List<KeyValuePair<CpuDataKey, CpuRegisters>>();
        using (handle)
        {
            Span<byte> buffer = stackalloc byte[8];
            foreach (var index in indices)
            {
                try
                {
                    if (RandomAccess.Read(handle, buffer, index) != 8)
                    {
                        continue;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
                {
                    continue;
                }

                var value = BinaryPrimitives.ReadUInt64LittleEndian(buffer);
                items.Add(new(CpuDataKey.Msr(index), new CpuRegisters((uint)value, 0, 0, (uint)(value >> 32))));
            }
        }

        return CpuidData.From(items);
    }
}
