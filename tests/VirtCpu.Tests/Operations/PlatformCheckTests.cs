using VirtCpu.Migration;
using VirtCpu.Operations;
using static VirtCpu.Tests.Operations.OperationsFixture;

namespace VirtCpu.Tests.Operations;

public sealed class PlatformCheckTests
{
    [Fact]
    public void More_vcpus_than_the_destination_allows_is_blocked()
    {
        using var f = new OperationsFixture()
            .Node("a", Bookworm)
            .Node("b", Bookworm, extra: ", \"max-vcpus\": 1")
            .Domain("a", "two", Qemu64("none", TwoCores), vcpus: 2);
        var move = Move(f, "two", "a", "b");
        Assert.Equal(Verdict.Blocked, move.Verdict);
        Assert.Equal("platform", move.Step);
        Assert.Contains("The guest has 2 vCPUs; b allows at most 1 per guest.", move.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Passthrough_physical_address_bits_that_differ_change_the_guest()
    {
        using var f = new OperationsFixture()
            .Node("a", Bookworm, extra: ", \"phys-bits\": 46")
            .Node("b", Bookworm, extra: ", \"phys-bits\": 39")
            .Domain("a", "g", Qemu64().Replace("</cpu>", "<maxphysaddr mode='passthrough'/></cpu>", StringComparison.Ordinal));
        var move = Move(f, "g", "a", "b");
        Assert.Equal(Verdict.Unsafe, move.Verdict);
        Assert.Contains("physical address bits change from 46 on a to 39 on b", move.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tsc_frequency_the_destination_cannot_give_is_blocked_and_scaling_lifts_it()
    {
        using var f = new OperationsFixture()
            .Node("a", Bookworm)
            .Node("b", Bookworm, extra: ", \"tsc-frequency\": 2000000000, \"tsc-scaling\": false")
            .Node("c", Bookworm, extra: ", \"tsc-frequency\": 2000000000, \"tsc-scaling\": true")
            .Domain("a", "g", Qemu64(), extra: "<clock offset='utc'><timer name='tsc' frequency='2400000000'/></clock>");
        Assert.Equal(Verdict.Blocked, Move(f, "g", "a", "b").Verdict);
        Assert.Equal(Verdict.Safe, Move(f, "g", "a", "c").Verdict);
    }

    [Fact]
    public void A_machine_type_the_destination_qemu_lacks_is_blocked_once_with_its_reason()
    {
        using var f = new OperationsFixture()
            .Node("tx", Trixie)
            .Node("bw", Bookworm)
            .Domain("tx", "g", Qemu64(), machine: "pc-q35-10.0");
        var move = Move(f, "g", "tx", "bw");
        Assert.Equal(Verdict.Blocked, move.Verdict);
        Assert.Contains("no machine type 'pc-q35-10.0'", move.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Domain_xml_gives_memory_maxphysaddr_and_tsc()
    {
        var d = VirtCpu.Formats.LibvirtXml.LibvirtDomain.Parse(DomainXml("g", Qemu64().Replace("</cpu>", "<maxphysaddr mode='emulate' bits='42'/></cpu>", StringComparison.Ordinal), memoryMiB: 2048, extra: "<clock><timer name='tsc' frequency='3000000000'/></clock>"), "g.xml");
        Assert.Equal(2048L * 1024, d.MemoryKiB);
        Assert.Equal(("emulate", 42), d.MaxPhysAddr);
        Assert.Equal(3000000000L, d.TscFrequency);
    }

    private static GuestMove Move(OperationsFixture f, string domain, string from, string to)
    {
        var fleet = RunningFleet.Load(f.FleetFile);
        var source = fleet.Find(from);
        return new GuestMoves().Move(source.Domains.Single(d => d.Name == domain), source, fleet.Find(to));
    }
}
