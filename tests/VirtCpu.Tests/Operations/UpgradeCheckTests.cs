using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Operations;
using VirtCpu.Tests.Cli;
using static VirtCpu.Tests.Operations.OperationsFixture;

namespace VirtCpu.Tests.Operations;

public sealed class UpgradeCheckTests
{
    [Fact]
    public void One_vcpu_guests_leave_and_come_back_across_a_debian_12_to_13_upgrade()
    {
        using var f = new OperationsFixture()
            .Node("bw1", Bookworm)
            .Node("bw2", Bookworm)
            .Node("tx1", Trixie)
            .Domain("bw1", "a", Qemu64("none"))
            .Domain("bw2", "b", Qemu64("partial"));
        var plan = UpgradeCheck.Check(RunningFleet.Load(f.FleetFile), ["bw1", "bw2"], NodeProfileReader.Read(Path.Combine(f.Root, "trixie.json")));
        Assert.True(plan.KeepsEveryGuestRunning);
        Assert.Equal(["bw1", "bw2"], plan.Order);
        Assert.Equal("libvirt 11.3, QEMU 10.0", plan.Target);
        Assert.All(plan.Guests, g => Assert.Equal(UpgradeOutcome.Returns, g.Outcome));
    }

    [Fact]
    public void A_multi_vcpu_guest_cannot_come_back_and_then_needs_a_cold_restart_named_by_the_release_behaviour()
    {
        using var f = new OperationsFixture()
            .Node("bw1", Bookworm)
            .Node("bw2", Bookworm)
            .Node("tx1", Trixie)
            .Domain("bw1", "one", Qemu64("none"))
            .Domain("bw1", "two", Qemu64("none", TwoCores), vcpus: 2)
            .Inactive("bw1", "two", Qemu64("none", TwoCores), vcpus: 2);
        var plan = UpgradeCheck.Check(RunningFleet.Load(f.FleetFile), ["bw1", "bw2"], NodeProfileReader.Read(Path.Combine(f.Root, "trixie.json")));
        Assert.False(plan.KeepsEveryGuestRunning);
        var two = plan.Guests.Single(g => g.Domain.Name == "two" && g.Outcome == UpgradeOutcome.ColdRestart);
        Assert.Equal("libvirt check", two.Leave.Step);
        Assert.Contains(two.Notes, n => n.StartsWith("release behaviour: qemu-10.0 'multi-cpu-package ht'", StringComparison.Ordinal));
        var restart = Assert.Single(two.ColdRestarts);
        Assert.Equal("cold restart on bw1, bw2, tx1 from its inactive definition: starts (as qemu64; libvirt 11.3, QEMU 10.0)", restart.Sentence);
        Assert.Contains(restart.Sentence, two.Notes);
        Assert.Equal(UpgradeOutcome.Returns, plan.Guests.Single(g => g.Domain.Name == "one").Outcome);
    }

    [Fact]
    public void Cli_reports_the_order_and_exit_code_and_refuses_unknown_nodes()
    {
        using var f = new OperationsFixture()
            .Node("bw1", Bookworm)
            .Node("bw2", Bookworm)
            .Domain("bw1", "a", Qemu64());
        var ok = CliRunner.Run("upgrade-check", "--nodes", "bw1,bw2", "--to", Path.Combine(f.Root, "trixie.json"), "--fleet", f.FleetFile);
        Assert.True(ok.ExitCode == 0, ok.Stderr + ok.Stdout);
        Assert.StartsWith("upgrade to libvirt 11.3, QEMU 10.0: order bw1 → bw2", ok.Stdout, StringComparison.Ordinal);
        Assert.Contains("a (1 vCPU): leaves to bw2 SAFE, comes back SAFE; vCPU unchanged", ok.Stdout, StringComparison.Ordinal);
        var bad = CliRunner.Run("upgrade-check", "--nodes", "bw1,zz", "--to", Path.Combine(f.Root, "trixie.json"), "--fleet", f.FleetFile);
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("virtcpu: zz: no such node in the fleet", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_guest_whose_safe_targets_are_full_is_a_cold_restart_for_want_of_room()
    {
        using var f = new OperationsFixture()
            .Node("bw1", Bookworm)
            .Node("bw2", Bookworm, vcpus: 1)
            .Domain("bw1", "a", Qemu64())
            .Domain("bw2", "b", Qemu64());
        var plan = UpgradeCheck.Check(RunningFleet.Load(f.FleetFile), ["bw1"], NodeProfileReader.Read(Path.Combine(f.Root, "bookworm.json")));
        var a = Assert.Single(plan.Guests);
        Assert.Equal(UpgradeOutcome.ColdRestart, a.Outcome);
        Assert.Equal("every node that takes it SAFE is full", a.Notes[0]);
        var text = new StringWriter();
        UpgradeReport.Write(plan, text);
        Assert.Contains("a (1 vCPU): every node that takes it SAFE is full: cold restart", text.ToString(), StringComparison.Ordinal);
    }
}
