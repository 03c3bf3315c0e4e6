using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Operations;
using VirtCpu.Tests.Cli;
using static VirtCpu.Tests.Operations.OperationsFixture;

namespace VirtCpu.Tests.Operations;

public sealed class WhatIfTests
{
    [Fact]
    public void Removing_the_only_node_of_a_release_strands_the_multi_vcpu_guests_that_only_it_takes()
    {
        using var f = new OperationsFixture()
            .Node("bw1", Bookworm)
            .Node("bw2", Bookworm)
            .Node("tx1", Trixie)
            .Domain("bw1", "two", Qemu64("none", TwoCores), vcpus: 2)
            .Domain("bw1", "one", Qemu64())
            .Domain("bw2", "moved", Qemu64());
        var report = WhatIf.Remove(RunningFleet.Load(f.FleetFile), "bw2");
        Assert.Equal(3, report.Guests);
        var lost = Assert.Single(report.Lose);
        Assert.Equal("two", lost.Domain.Name);
        Assert.Equal(["bw2"], lost.Before);
        Assert.Equal(["bw1", "tx1"], Assert.Single(report.Displaced).After);
    }

    [Fact]
    public void Adding_a_node_of_the_same_release_gives_a_stranded_guest_its_first_target()
    {
        using var f = new OperationsFixture()
            .Node("bw1", Bookworm)
            .Node("tx1", Trixie)
            .Domain("bw1", "two", Qemu64("none", TwoCores), vcpus: 2);
        var fleet = RunningFleet.Load(f.FleetFile);
        var report = WhatIf.Add(fleet, WhatIf.NewNode(NodeProfileReader.Read(Path.Combine(f.Root, "bookworm.json")), "bw9", null, null));
        var gained = Assert.Single(report.Gain);
        Assert.Equal(["bw9"], gained.After);
        Assert.Empty(WhatIf.Add(fleet, WhatIf.NewNode(NodeProfileReader.Read(Path.Combine(f.Root, "trixie.json")), "tx9", null, null)).Gain);
    }

    [Fact]
    public void Cli_needs_exactly_one_change()
    {
        using var f = new OperationsFixture().Node("bw1", Bookworm);
        var bad = CliRunner.Run("fleet", "what-if", "--fleet", f.FleetFile);
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("virtcpu: what-if: give exactly one of --add PROFILE or --remove HOST\n", bad.Stderr);
        var ok = CliRunner.Run("fleet", "what-if", "--fleet", f.FleetFile, "--add", Path.Combine(f.Root, "trixie.json"));
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.StartsWith("what-if add trixie (libvirt 11.3, QEMU 10.0): 0 running guests judged", ok.Stdout, StringComparison.Ordinal);
    }
}
