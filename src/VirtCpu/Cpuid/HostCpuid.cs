using System.Runtime.Intrinsics.X86;
using VirtCpu.Catalog;

namespace VirtCpu.Cpuid;

/// <summary>
/// Reads this machine's CPUID leaves directly from the processor, the leaves and subleaves libvirt
/// reads (<c>virCPUx86GetHost</c>, <c>docs/design.md#52-cpu-data</c>). MSRs are not read here (that
/// needs a device file; see <c>VirtCpu.Formats.HostCaptures.HostMsrReader</c>).
/// </summary>
/// <remarks>
/// Leaves 0 to the maximum basic leaf (leaf 0 EAX) and 0x80000000 to the maximum extended leaf
/// (leaf 0x80000000 EAX), subleaf 0, except: leaf 4 iterates subleaves while EAX[4:0] is non-zero
/// (the terminating subleaf included); leaves 7 and 0x14 add subleaves 1 to subleaf 0's EAX;
/// leaf 0xB iterates while ECX[15:8] is non-zero (the terminating subleaf excluded); leaf 0xD adds
/// subleaf 1 and every subleaf n ≥ 2 whose bit is set in subleaf 0 EAX/EDX or subleaf 1 ECX/EDX;
/// leaves 0xF and 0x10 add the subleaves set in subleaf 0 EDX (0xF) or EBX (0x10); leaf 0x12 is
/// read only when leaf 7 EBX bit 2 (SGX) is set: subleaves 0, 1, then 2 onwards while EAX[3:0] is
/// non-zero; leaf 0x17 only when its subleaf 0 EAX is at least 3, with subleaves 1 to that EAX.
/// </remarks>
public static class HostCpuid
{
    // Guards against a processor (or hypervisor) reporting absurd maximum leaves or subleaf counts.
    private const uint MaxLeavesPerRange = 0x100;
    private const uint MaxSubleaves = 0x100;

    /// <summary>True when this process can execute CPUID (an x86 or x86-64 processor).</summary>
    public static bool IsSupported => X86Base.IsSupported;

    /// <summary>Reads this machine's CPUID leaves.</summary>
    /// <returns>The CPUID items (no MSRs).</returns>
    /// <exception cref="PlatformNotSupportedException">The processor is not x86 (no CPUID instruction).</exception>
    public static CpuidData Read()
    {
        if (!X86Base.IsSupported)
        {
            throw new PlatformNotSupportedException(
                $"cannot read CPUID: this process does not run on an x86 processor ({System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}); capture CPU data on the x86 host instead");
        }

        return Read(static (leaf, subleaf) =>
        {
            var (eax, ebx, ecx, edx) = X86Base.CpuId(unchecked((int)leaf), unchecked((int)subleaf));
            return new CpuRegisters(unchecked((uint)eax), unchecked((uint)ebx), unchecked((uint)ecx), unchecked((uint)edx));
        });
    }

    /// <summary>Enumerates leaves and subleaves with libvirt's rules through a CPUID function.</summary>
    /// <param name="cpuid">The CPUID instruction: (leaf, subleaf) to registers.</param>
    /// <returns>The items read.</returns>
    public static CpuidData Read(Func<uint, uint, CpuRegisters> cpuid)
    {
        ArgumentNullException.ThrowIfNull(cpuid);
        var items = new List<KeyValuePair<CpuDataKey, CpuRegisters>>();
        ReadRange(0, cpuid, items);
        ReadRange(0x80000000, cpuid, items);
        return CpuidData.From(items);
    }

    private static void ReadRange(uint first, Func<uint, uint, CpuRegisters> cpuid, List<KeyValuePair<CpuDataKey, CpuRegisters>> items)
    {
        var max = cpuid(first, 0).Eax;
        if (max < first)
        {
            return;
        }

        max = Math.Min(max, first + MaxLeavesPerRange - 1);
        for (var leaf = first; leaf <= max; leaf++)
        {
            var sub0 = cpuid(leaf, 0);
            var read = new LeafReader(leaf, cpuid, items);
            switch (leaf)
            {
                case 0x4:
                    read.CacheLeaf(sub0);
                    break;
                case 0x7 or 0x14:
                    read.CountedSubleaves(sub0);
                    break;
                case 0xB:
                    read.TopologyLeaf(sub0);
                    break;
                case 0xD:
                    read.XsaveLeaf(sub0);
                    break;
                case 0xF or 0x10:
                    read.MaskedSubleaves(sub0, leaf == 0xF ? sub0.Edx : sub0.Ebx);
                    break;
                case 0x12:
                    read.SgxLeaf(sub0);
                    break;
                case 0x17:
                    if (sub0.Eax >= 3)
                    {
                        read.CountedSubleaves(sub0);
                    }

                    break;
                default:
                    read.Add(0, sub0);
                    break;
            }
        }
    }

    /// <summary>The subleaf rules of libvirt's host collection (<c>virCPUx86GetHost</c>) for one leaf.</summary>
    private readonly struct LeafReader(uint leaf, Func<uint, uint, CpuRegisters> cpuid, List<KeyValuePair<CpuDataKey, CpuRegisters>> items)
    {
        public void Add(uint subleaf, CpuRegisters registers) => items.Add(new(CpuDataKey.Cpuid(leaf, subleaf), registers));

        /// <summary>Leaf 4: subleaves while the cache type (EAX[4:0]) is not zero.</summary>
        public void CacheLeaf(CpuRegisters sub0)
        {
            Add(0, sub0);
            var r = sub0;
            for (uint sub = 1; (r.Eax & 0x1f) != 0 && sub < MaxSubleaves; sub++)
            {
                r = cpuid(leaf, sub);
                Add(sub, r);
            }
        }

        /// <summary>Leaves 7, 0x14 and 0x17: subleaves 1 up to subleaf 0's EAX.</summary>
        public void CountedSubleaves(CpuRegisters sub0)
        {
            Add(0, sub0);
            for (uint sub = 1; sub <= Math.Min(sub0.Eax, MaxSubleaves); sub++)
            {
                Add(sub, cpuid(leaf, sub));
            }
        }

        /// <summary>Leaf 0xB: subleaves while the level type (ECX[15:8]) is not zero.</summary>
        public void TopologyLeaf(CpuRegisters sub0)
        {
            var r = sub0;
            for (uint sub = 0; (r.Ecx & 0xff00) != 0 && sub < MaxSubleaves;)
            {
                Add(sub, r);
                sub++;
                r = cpuid(leaf, sub);
            }
        }

        /// <summary>Leaf 0xD: subleaves 0 and 1, and each state component 2-63 that subleaf 0 or 1 enables.</summary>
        public void XsaveLeaf(CpuRegisters sub0)
        {
            Add(0, sub0);
            var sub1 = cpuid(leaf, 1);
            Add(1, sub1);
            for (var sub = 2; sub < 64; sub++)
            {
                var enabled = sub < 32
                    ? ((sub0.Eax | sub1.Ecx) & (1u << sub)) != 0
                    : ((sub0.Edx | sub1.Edx) & (1u << (sub - 32))) != 0;
                if (enabled)
                {
                    Add((uint)sub, cpuid(leaf, (uint)sub));
                }
            }
        }

        /// <summary>Leaves 0xF and 0x10: the subleaves a bit mask of subleaf 0 lists.</summary>
        public void MaskedSubleaves(CpuRegisters sub0, uint mask)
        {
            Add(0, sub0);
            for (var sub = 1; sub < 32; sub++)
            {
                if ((mask & (1u << sub)) != 0)
                {
                    Add((uint)sub, cpuid(leaf, (uint)sub));
                }
            }
        }

        /// <summary>Leaf 0x12, only when leaf 7 reports SGX: subleaves 0, 1, then 2 on while EAX[3:0] is not zero.</summary>
        public void SgxLeaf(CpuRegisters sub0)
        {
            var leaf7 = items.FirstOrDefault(i => i.Key == CpuDataKey.Cpuid(7));
            if ((leaf7.Value.Ebx & (1u << 2)) == 0)
            {
                return;
            }

            Add(0, sub0);
            Add(1, cpuid(leaf, 1));
            var r = cpuid(leaf, 2);
            for (uint sub = 2; (r.Eax & 0xf) != 0 && sub < MaxSubleaves;)
            {
                Add(sub, r);
                sub++;
                r = cpuid(leaf, sub);
            }
        }
    }
}
