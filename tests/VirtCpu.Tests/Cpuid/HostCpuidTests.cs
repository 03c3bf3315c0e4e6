using VirtCpu.Catalog;
using VirtCpu.Cpuid;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Tests.Cpuid;

public sealed class HostCpuidTests
{
    /// <summary>A CPUID instruction answering from data (zeros for anything absent) and counting calls.</summary>
    private sealed class FakeCpu(CpuidData data)
    {
        public HashSet<(uint Leaf, uint Subleaf)> Asked { get; } = [];

        public CpuRegisters Call(uint leaf, uint subleaf)
        {
            Asked.Add((leaf, subleaf));
            return data.Get(CpuDataKey.Cpuid(leaf, subleaf)) ?? default;
        }
    }

    private static KeyValuePair<CpuDataKey, CpuRegisters> Item(uint leaf, uint sub, uint eax, uint ebx = 0, uint ecx = 0, uint edx = 0) =>
        new(CpuDataKey.Cpuid(leaf, sub), new CpuRegisters(eax, ebx, ecx, edx));

    [Fact]
    public void Follows_libvirts_leaf_and_subleaf_rules()
    {
        var cpu = CpuidData.From(
        [
            Item(0, 0, 0x17, 0x756e6547, 0x6c65746e, 0x49656e69),
            Item(1, 0, 0x906ea),
            Item(4, 0, 0x21), Item(4, 1, 0x22), Item(4, 2, 0x43), Item(4, 3, 0x60), Item(4, 9, 0x21),
            Item(7, 0, 2, ebx: 1u << 2), Item(7, 1, 0x10), Item(7, 2, 0, edx: 0x3f), Item(7, 3, 5),
            Item(0xB, 0, 1, ecx: 0x100), Item(0xB, 1, 4, ecx: 0x201), Item(0xB, 2, 0, ecx: 2), Item(0xB, 3, 7, ecx: 0x300),
            Item(0xD, 0, 0x1f | (1u << 9), edx: 1u << 0), Item(0xD, 1, 0xf, ecx: 1u << 8), Item(0xD, 2, 0x100), Item(0xD, 8, 0x80), Item(0xD, 9, 8), Item(0xD, 32, 64), Item(0xD, 10, 99),
            Item(0xF, 0, 0, 0xff, 0, 0b10), Item(0xF, 1, 0, 0xaa), Item(0xF, 2, 0, 0xbb),
            Item(0x10, 0, 0, 0b110), Item(0x10, 1, 0x1), Item(0x10, 2, 0x2), Item(0x10, 3, 0x3),
            Item(0x12, 0, 1), Item(0x12, 1, 2), Item(0x12, 2, 0x1), Item(0x12, 3, 0x1), Item(0x12, 4, 0x0), Item(0x12, 5, 0x1),
            Item(0x14, 0, 1), Item(0x14, 1, 0x7),
            Item(0x17, 0, 3), Item(0x17, 1, 0x11), Item(0x17, 3, 0x33), Item(0x17, 4, 0x44),
            Item(0x80000000, 0, 0x80000008), Item(0x80000001, 0, 0, 0, 1, 1),
            Item(0x80000009, 0, 0xdead),
        ]);
        var fake = new FakeCpu(cpu);
        var read = HostCpuid.Read(fake.Call);
        var keys = read.Items.Where(i => !i.Value.IsZero).Select(i => (i.Key.Index, i.Key.Subleaf)).ToHashSet();

        // Leaf 4: up to and including the first subleaf with cache type 0 (subleaf 3); 9 is never asked.
        Assert.Contains((4u, 3u), keys);
        Assert.True(fake.Asked.Contains((4, 3)) && !fake.Asked.Contains((4, 4)));

        // Leaf 7 and 0x14: subleaves 1..sub0.EAX.
        Assert.Contains((7u, 2u), keys);
        Assert.DoesNotContain((7u, 3u), keys);
        Assert.Contains((0x14u, 1u), keys);

        // Leaf 0xB: while ECX[15:8] is non-zero; the terminating subleaf is not kept.
        Assert.Contains((0xBu, 1u), keys);
        Assert.DoesNotContain((0xBu, 2u), keys);
        Assert.DoesNotContain((0xBu, 3u), keys);

        // Leaf 0xD: bits of sub0 EAX (2, 3, 4, 9), sub1 ECX (8), sub0 EDX (32).
        Assert.Contains((0xDu, 2u), keys);
        Assert.Contains((0xDu, 8u), keys);
        Assert.Contains((0xDu, 9u), keys);
        Assert.Contains((0xDu, 32u), keys);
        Assert.DoesNotContain((0xDu, 10u), keys);

        // 0xF: subleaves from sub0 EDX; 0x10: from sub0 EBX.
        Assert.Contains((0xFu, 1u), keys);
        Assert.DoesNotContain((0xFu, 2u), keys);
        Assert.Contains((0x10u, 1u), keys);
        Assert.Contains((0x10u, 2u), keys);
        Assert.DoesNotContain((0x10u, 3u), keys);

        // 0x12 (SGX set in leaf 7 EBX bit 2): 0, 1, then 2.. while EAX[3:0] != 0.
        Assert.Contains((0x12u, 3u), keys);
        Assert.DoesNotContain((0x12u, 5u), keys);

        // 0x17: sub0.EAX >= 3, subleaves 1..3.
        Assert.Contains((0x17u, 3u), keys);
        Assert.DoesNotContain((0x17u, 4u), keys);

        // Extended range up to 0x80000008 only.
        Assert.Contains((0x80000001u, 0u), keys);
        Assert.DoesNotContain((0x80000009u, 0u), keys);
    }

    [Fact]
    public void Leaves_0x12_and_0x17_are_skipped_without_sgx_or_with_fewer_than_3_subleaves()
    {
        var cpu = CpuidData.From([Item(0, 0, 0x17), Item(7, 0, 0), Item(0x12, 0, 1), Item(0x12, 1, 1), Item(0x17, 0, 2)]);
        var keys = HostCpuid.Read(new FakeCpu(cpu).Call).Items.Select(i => (i.Key.Index, i.Key.Subleaf)).ToHashSet();
        Assert.DoesNotContain((0x12u, 0u), keys);
        Assert.DoesNotContain((0x17u, 0u), keys);
    }

    [Fact]
    public void Reading_a_captured_host_through_a_fake_cpu_gives_the_capture_back()
    {
        var path = Path.Combine(SharedData.RepoRoot, "tests", "VirtCpu.Tests", "Fixtures", "cpudata-virtual-turin.xml");
        var captured = CpuidXml.Parse(File.ReadAllText(path), path);
        var again = HostCpuid.Read(new FakeCpu(captured).Call);
        Assert.Equal(captured.Items, again.Items.Where(i => !i.Value.IsZero));
        Assert.Equal("Oxide Virtual Turin-like Processor", CpuidXml.BrandString(captured));
    }

    [Fact]
    public void Reference_dumps_read_through_a_fake_cpu_give_a_subset_with_every_basic_leaf()
    {
        var dir = SharedData.Require("libvirt-11.3/cputestdata");
        foreach (var f in Directory.GetFiles(dir, "x86_64-cpuid-*.xml").Where(f => File.ReadAllText(f).Contains("<cpudata", StringComparison.Ordinal) && !f.EndsWith("abled.xml", StringComparison.Ordinal)))
        {
            var data = CpuidXml.Parse(File.ReadAllText(f), f);
            var read = HostCpuid.Read(new FakeCpu(data).Call);
            foreach (var (key, value) in read.Items.Where(i => !i.Value.IsZero))
            {
                Assert.Equal(data.Get(key), value);
            }

            Assert.Equal(data.Get(CpuDataKey.Cpuid(1)), read.Get(CpuDataKey.Cpuid(1)));
        }
    }

    [Fact]
    public void Reads_this_machine()
    {
        if (!HostCpuid.IsSupported)
        {
            Assert.Skip("not an x86 machine");
        }

        var data = HostCpuid.Read();
        Assert.Equal(12, data.VendorString!.Length);
        var max = data.Get(CpuDataKey.Cpuid(0))!.Value.Eax;
        Assert.True(max == 0 || data.Get(CpuDataKey.Cpuid(1)) is not null);
        Assert.DoesNotContain(data.Items, i => i.Key.Kind == CpuDataKind.Msr);

        // The dump is valid <cpudata> and reads back.
        var text = CpuidXml.Format(HostCpuData.Read());
        Assert.NotEmpty(CpuidXml.Parse(text, "live").Items);
    }
}
