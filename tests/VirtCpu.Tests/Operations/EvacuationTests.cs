using System.Text.Json;
using VirtCpu.Migration;
using VirtCpu.Operations;
using VirtCpu.Tests.Cli;
using static VirtCpu.Tests.Operations.OperationsFixture;

namespace VirtCpu.Tests.Operations;

public sealed class EvacuationTests
{
    [Fact]
    public void Places_each_guest_on_a_safe_target_within_capacity_and_names_the_release_behaviour_that_refuses_the_rest()
    {
        using var f = new OperationsFixture()
            .Node("bwa", Bookworm, extra: ", \"uri\": \"qemu+unix:///system?socket=/run/a\"")
            .Node("bwb", Bookworm, vcpus: 4, extra: ", \"uri\": \"qemu:///b\"")
            .Node("txa", Trixie, extra: ", \"uri\": \"qemu:///c\"")
            .Domain("bwa", "one", Qemu64())
            .Domain("bwa", "two", Qemu64("none", TwoCores), vcpus: 2)
            .Domain("bwb", "busy", Qemu64(), vcpus: 1);
        var plan = Evacuation.Plan(RunningFleet.Load(f.FleetFile), "bwa");
        Assert.True(plan.Complete);
        var one = plan.Guests.Single(g => g.Domain.Name == "one");
        var two = plan.Guests.Single(g => g.Domain.Name == "two");
        Assert.Equal(["bwb", "txa"], one.ValidTargets);
        Assert.Equal(["bwb"], two.ValidTargets);
        Assert.Equal("bwb", two.PlacedOn);
        Assert.Equal("txa", one.PlacedOn);
        var refusal = Assert.Single(two.Refused);
        Assert.Equal(Verdict.Blocked, refusal.Move.Verdict);
        Assert.Equal("libvirt check", refusal.Move.Step);
        Assert.Equal(["txa"], refusal.Nodes);
        Assert.Contains(refusal.Move.Causes, c => c.StartsWith("release behaviour: qemu-10.0 'multi-cpu-package ht'", StringComparison.Ordinal)
            && c.EndsWith("): QEMU 10.0 on txa sets ht in every vCPU of a guest with more than one CPU per package; QEMU 7.2 on bwa does not, so libvirt 9.0 never recorded it", StringComparison.Ordinal));
        Assert.Equal(
            ["virsh -c 'qemu+unix:///system?socket=/run/a' migrate --live two qemu:///b", "virsh -c 'qemu+unix:///system?socket=/run/a' migrate --live one qemu:///c"],
            plan.Commands);
    }

    [Fact]
    public void A_guest_without_room_on_its_only_valid_target_is_named_with_what_would_unblock_it()
    {
        using var f = new OperationsFixture()
            .Node("bwa", Bookworm)
            .Node("bwb", Bookworm, vcpus: 2)
            .Node("txa", Trixie)
            .Domain("bwa", "two", Qemu64("none", TwoCores), vcpus: 2)
            .Domain("bwb", "busy", Qemu64(), vcpus: 1);
        var plan = Evacuation.Plan(RunningFleet.Load(f.FleetFile), "bwa");
        Assert.False(plan.Complete);
        var two = Assert.Single(plan.Guests);
        Assert.Null(two.PlacedOn);
        Assert.StartsWith("capacity: it needs 2 free vCPUs and 64 MiB on one of its valid targets (bwb); the most free there: 1 vCPUs", two.Unblock[0], StringComparison.Ordinal);
        Assert.Empty(plan.Commands);
    }

    [Fact]
    public void A_guest_no_node_takes_gets_a_target_release_and_a_restart_as_ways_out()
    {
        using var f = new OperationsFixture()
            .Node("txa", Trixie)
            .Node("bwa", Bookworm)
            .Domain("txa", "new", Qemu64(), machine: "pc-i440fx-10.0");
        var plan = Evacuation.Plan(RunningFleet.Load(f.FleetFile), "txa");
        var g = Assert.Single(plan.Guests);
        Assert.Empty(g.ValidTargets);
        Assert.Equal("destination start", g.Refused[0].Move.Step);
        Assert.Contains("hypervisor: QEMU 7.2 on bwa has no machine type pc-i440fx-10.0 (a guest keeps its machine type when it migrates; start it with one both QEMU releases know)", g.Refused[0].Move.Causes);
        Assert.StartsWith("a target release: a node with txa's releases (libvirt 11.3, QEMU 10.0)", g.Unblock[0], StringComparison.Ordinal);
        var restart = Assert.Single(g.ColdRestarts);
        Assert.False(restart.FromInactive);
        Assert.Equal("cold restart on bwa from its live definition (no inactive definition recorded): refused at hypervisor because ", restart.Sentence[..restart.Sentence.IndexOf("because ", StringComparison.Ordinal)] + "because ");
        Assert.Equal(restart.Sentence, g.Unblock[1]);
        Assert.StartsWith("a restart with another definition", g.Unblock[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_prints_table_json_and_commands_with_exit_codes()
    {
        using var f = new OperationsFixture()
            .Node("bwa", Bookworm)
            .Node("bwb", Bookworm)
            .Domain("bwa", "one", Qemu64());
        var text = CliRunner.Run("evacuate", "bwa", "--fleet", f.FleetFile);
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.Contains("evacuate bwa (libvirt 9.0, QEMU 7.2): 1 running guest, 1 placed, 0 without a place", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("virsh -c URI-OF-bwa migrate --live one URI-OF-bwb", text.Stdout, StringComparison.Ordinal);
        var json = CliRunner.Run("evacuate", "bwa", "--fleet", f.FleetFile, "--json");
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal("bwb", doc.RootElement.GetProperty("guests")[0].GetProperty("placed-on").GetString());
        var commands = CliRunner.Run("evacuate", "bwa", "--fleet", f.FleetFile, "--commands");
        Assert.Equal("virsh -c URI-OF-bwa migrate --live one URI-OF-bwb\n", commands.Stdout);
        var bad = CliRunner.Run("evacuate", "nope", "--fleet", f.FleetFile);
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("virtcpu: nope: no such node in the fleet (nodes: bwa, bwb)\n", bad.Stderr);
    }
}

public sealed class EvacuationInputTests
{
    [Fact]
    public void A_malformed_domain_file_is_named_in_one_line_wherever_it_is()
    {
        using var f = new OperationsFixture()
            .Node("bwa", Bookworm)
            .Node("bwb", Bookworm)
            .Domain("bwa", "one", "<cpu mode='custom'><model>NoSuchModel</model><feature policy='sometimes' name='x'/></cpu>");
        File.WriteAllText(Path.Combine(f.Root, "domains", "bwb", "broken.xml"), "<domain type='qemu'><name>broken</name>");
        var e = Assert.Throws<InputException>(() => RunningFleet.Load(f.FleetFile));
        Assert.Contains("broken.xml", e.Message, StringComparison.Ordinal);
        File.Delete(Path.Combine(f.Root, "domains", "bwb", "broken.xml"));
        var run = CliRunner.Run("evacuate", "bwa", "--fleet", f.FleetFile);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("one.xml", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }
}

public sealed class ColdRestartTests
{
    private const string HostModel = "<cpu mode='host-model' check='partial'/>";

    [Fact]
    public void A_host_model_guest_no_node_takes_live_is_judged_for_a_cold_restart_from_its_inactive_definition()
    {
        using var f = new OperationsFixture()
            .Node("bwa", Bookworm)
            .Node("txa", Trixie);
        f.Domain("bwa", "hm", f.LiveCpu(Bookworm, HostModel))
            .Inactive("bwa", "hm", HostModel);
        var plan = Evacuation.Plan(RunningFleet.Load(f.FleetFile), "bwa");
        var g = Assert.Single(plan.Guests);
        Assert.Empty(g.ValidTargets);
        var refusal = Assert.Single(g.Refused);
        Assert.Equal("libvirt check", refusal.Move.Step);
        Assert.Equal(
            [
                "host CPU: pcommit: the TCG CPU of QEMU 7.2 on bwa offers it and that of QEMU 10.0 on txa does not, so the destination cannot give it to the guest",
                "host-model: pcommit entered the guest through host-model on bwa under libvirt 9.0, QEMU 7.2: its inactive definition is host-model, and libvirt wrote bwa's host-model CPU (EPYC and its features) into the live definition; a cold restart from the inactive definition on the destination takes the destination's host-model CPU instead",
            ],
            refusal.Move.Causes);
        var restart = Assert.Single(g.ColdRestarts);
        Assert.Equal(["txa"], restart.Nodes);
        Assert.True(restart.Starts);
        Assert.True(restart.FromInactive);
        Assert.Equal("cold restart on txa from its inactive definition: starts (host-model becomes that node's host-model CPU, EPYC; libvirt 11.3, QEMU 10.0)", restart.Sentence);
        Assert.Contains(restart.Sentence, g.Unblock);
        Assert.DoesNotContain(g.Unblock, u => u.StartsWith("a restart with another definition", StringComparison.Ordinal));
    }

    [Fact]
    public void A_named_model_the_target_refuses_at_its_check_is_refused_for_a_cold_restart_too()
    {
        // The definition requires pcommit, which QEMU 7.2's TCG CPU offers and QEMU 10.0's does not.
        const string Inactive = "<cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>qemu64</model><feature policy='require' name='pcommit'/></cpu>";
        using var f = new OperationsFixture()
            .Node("bwa", Bookworm)
            .Node("txa", Trixie);
        f.Domain("bwa", "pc", f.LiveCpu(Bookworm, Inactive))
            .Inactive("bwa", "pc", Inactive);
        var g = Assert.Single(Evacuation.Plan(RunningFleet.Load(f.FleetFile), "bwa").Guests);
        var restart = Assert.Single(g.ColdRestarts);
        Assert.False(restart.Starts);
        Assert.Equal("compare", restart.Step);
        Assert.StartsWith("cold restart on txa from its inactive definition: refused at compare because ", restart.Sentence, StringComparison.Ordinal);
        Assert.Contains("pcommit", restart.Detail, StringComparison.Ordinal);
        Assert.Contains(g.Unblock, u => u.StartsWith("a restart with another definition", StringComparison.Ordinal));
    }
}

public sealed class AcceleratorTests
{
    [Fact]
    public void A_kvm_domain_on_a_node_captured_for_tcg_is_refused_in_one_line_naming_the_fix()
    {
        using var f = new OperationsFixture()
            .Node("bwa", Bookworm)
            .Node("bwb", Bookworm)
            .Domain("bwa", "k", Qemu64(), type: "kvm");
        var run = CliRunner.Run("evacuate", "bwa", "--fleet", f.FleetFile);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("virtcpu: node bwa: domain k runs under KVM (type 'kvm') but the node is captured for TCG; capture it with \"accel\": \"kvm\" in the fleet file\n", run.Stderr);
    }

    [Fact]
    public void The_fleet_file_accel_key_is_kvm_or_tcg_and_is_kept_in_the_index()
    {
        using var f = new OperationsFixture();
        File.WriteAllText(f.FleetFile, """{ "nodes": [ { "name": "a", "uri": "qemu:///a", "accel": "tcg" } ] }""");
        Assert.Equal("tcg", Assert.Single(FleetFile.Read(f.FleetFile)).Accel);
        var copy = Path.Combine(f.Root, "copy.json");
        FleetFile.Write(copy, FleetFile.Read(f.FleetFile));
        Assert.Equal("tcg", Assert.Single(FleetFile.Read(copy)).Accel);
        File.WriteAllText(f.FleetFile, """{ "nodes": [ { "name": "a", "uri": "qemu:///a", "accel": "hvf" } ] }""");
        var e = Assert.Throws<InputException>(() => FleetFile.Read(f.FleetFile));
        Assert.EndsWith("node 'a': \"accel\" must be \"kvm\" or \"tcg\"", e.Message, StringComparison.Ordinal);
    }
}
