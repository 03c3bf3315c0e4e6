using VirtCpu.Live;
using VirtCpu.Operations;

namespace VirtCpu.Tests.Operations;

/// <summary>
/// fleet capture against a fake <c>virsh</c> (a shell script answering like libvirt 9.0 with QEMU 7.2
/// under TCG): URIs <c>fake:good</c>, <c>fake:down</c> (the daemon does not answer) and
/// <c>fake:vanish</c> (a domain is gone by the time it is dumped).
/// </summary>
public sealed class FleetCaptureTests
{
    private const string Script = """
        #!/bin/bash
        # fake virsh: -q -c URI COMMAND ARGS
        shift; shift; uri=$1; shift; cmd=$1; shift
        dir=$(dirname "$0")
        if [ "$uri" = fake:down ]; then echo "error: failed to connect to the hypervisor" >&2; exit 1; fi
        case "$cmd" in
          version) printf 'Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\nUsing API: QEMU 9.0.0\nRunning hypervisor: QEMU 7.2.22\nRunning against daemon: 9.0.0\n' ;;
          capabilities) echo "<capabilities><host><cpu><arch>x86_64</arch><maxphysaddr mode='emulate' bits='40'/><counter name='tsc' frequency='2000000000' scaling='no'/></cpu></host><guest><os_type>hvm</os_type><arch name='x86_64'><machine canonical='pc-i440fx-7.2'>pc</machine><domain type='qemu'/></arch></guest></capabilities>" ;;
          domcapabilities) cat "$dir/bookworm-domcaps.xml" ;;
          nodeinfo) printf 'CPU model:           x86_64\nCPU(s):              2\nMemory size:         8040460 KiB\n' ;;
          list)
            echo g1
            if [ "$2" != --persistent ] && [ ! -e "$dir/gone" ]; then echo g2; fi ;;
          dumpxml)
            if [ "$1" = --inactive ]; then cat "$dir/$2.inactive.xml"; exit; fi
            if [ "$uri" = fake:vanish ] && [ "$1" = g2 ]; then touch "$dir/gone"; echo "error: failed to get domain '$1'" >&2; exit 1; fi
            cat "$dir/$1.xml" ;;
          *) echo "error: unknown command $cmd" >&2; exit 1 ;;
        esac
        """;

    [Fact]
    public void Captures_profiles_capacity_limits_and_running_domains_into_a_folder()
    {
        using var f = Fake(out var virsh);
        File.WriteAllText(f.FleetFile, """{ "nodes": [ { "name": "op1", "uri": "fake:good" }, { "name": "op2", "uri": "fake:good", "vcpus": 64 } ] }""");
        var outDir = Path.Combine(f.Root, "capture");
        var nodes = FleetCapture.Capture(f.FleetFile, outDir, uri => new Virsh(uri, virsh));
        Assert.Equal(2, nodes.Length);
        var index = FleetFile.Read(outDir);
        Assert.Equal((2, 7852L, 255, 40, 2000000000L, false), (index[0].Vcpus!.Value, index[0].MemoryMiB!.Value, index[0].MaxVcpus!.Value, index[0].PhysBits!.Value, index[0].TscFrequency!.Value, index[0].TscScaling!.Value));
        Assert.Equal(64, index[1].Vcpus);
        Assert.True(File.Exists(Path.Combine(outDir, "nodes", "op1.json")));
        Assert.True(File.Exists(Path.Combine(outDir, "nodes", "op1-domcaps.xml")));
        Assert.Equal(["g1.xml", "g2.xml"], Directory.GetFiles(Path.Combine(outDir, "domains", "op1")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var fleet = RunningFleet.Load(outDir);
        Assert.Equal(["g1", "g2"], fleet.Find("op1").Domains.Select(d => d.Name));
        Assert.Equal(2, fleet.Find("op1").UsedVcpus);

        // g1 is persistent: its inactive definition is kept next to the live one; g2 is transient.
        Assert.Equal(["g1.xml"], Directory.GetFiles(Path.Combine(outDir, "domains", "op1", "inactive")).Select(Path.GetFileName));
        Assert.Equal(VirtCpu.Cpu.CpuMode.HostModel, fleet.Find("op1").Domains[0].Inactive!.Cpu.Mode);
        Assert.False(fleet.Find("op1").Domains[0].Inactive!.IsLive);
        Assert.Null(fleet.Find("op1").Domains[1].Inactive);
    }

    [Fact]
    public void A_node_that_is_down_is_named_and_the_earlier_capture_stays_intact()
    {
        using var f = Fake(out var virsh);
        var outDir = Path.Combine(f.Root, "capture");
        File.WriteAllText(f.FleetFile, """{ "nodes": [ { "name": "op1", "uri": "fake:good" } ] }""");
        FleetCapture.Capture(f.FleetFile, outDir, uri => new Virsh(uri, virsh));
        var before = Snapshot(outDir);
        File.WriteAllText(f.FleetFile, """{ "nodes": [ { "name": "op1", "uri": "fake:good" }, { "name": "op3", "uri": "fake:down" } ] }""");
        var e = Assert.Throws<InputException>(() => FleetCapture.Capture(f.FleetFile, outDir, uri => new Virsh(uri, virsh)));
        Assert.Equal("node op3: fake:down: virsh version: failed to connect to the hypervisor", e.Message);
        Assert.Equal(before, Snapshot(outDir));
    }

    [Fact]
    public void A_domain_that_vanishes_during_capture_is_left_out_and_named()
    {
        using var f = Fake(out var virsh);
        File.WriteAllText(f.FleetFile, """{ "nodes": [ { "name": "op1", "uri": "fake:vanish" } ] }""");
        var outDir = Path.Combine(f.Root, "capture");
        var nodes = FleetCapture.Capture(f.FleetFile, outDir, uri => new Virsh(uri, virsh));
        Assert.Equal(["g2"], nodes[0].Entry.Vanished);
        Assert.Equal(["g1"], nodes[0].Domains.Select(d => d.Name));
        Assert.Equal(["g2"], FleetFile.Read(outDir)[0].Vanished);
        Assert.Equal(["g1.xml"], Directory.GetFiles(Path.Combine(outDir, "domains", "op1")).Select(Path.GetFileName));
    }

    [Fact]
    public void A_node_asked_for_kvm_that_offers_only_tcg_is_named()
    {
        using var f = Fake(out var virsh);
        File.WriteAllText(f.FleetFile, """{ "nodes": [ { "name": "op1", "uri": "fake:good", "accel": "kvm" } ] }""");
        var e = Assert.Throws<InputException>(() => FleetCapture.Capture(f.FleetFile, Path.Combine(f.Root, "capture"), uri => new Virsh(uri, virsh)));
        Assert.Equal("node op1: fake:good: the node offers no KVM guests (its capabilities list no domain type 'kvm')", e.Message);
    }

    [Fact]
    public void Domain_file_names_escape_what_a_file_name_cannot_hold()
    {
        Assert.Equal("web-1.xml", FleetCapture.FileNameOf("web-1"));
        Assert.Equal("%2E.%2Fx.xml", FleetCapture.FileNameOf("../x"));
        Assert.Equal("a%20b.xml", FleetCapture.FileNameOf("a b"));
    }

    private static Dictionary<string, string> Snapshot(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(p => Path.GetRelativePath(dir, p), File.ReadAllText, StringComparer.Ordinal);

    private static OperationsFixture Fake(out string virsh)
    {
        var f = new OperationsFixture();
        virsh = Path.Combine(f.Root, "virsh");
        File.WriteAllText(virsh, Script.ReplaceLineEndings("\n") + "\n");
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("the fake virsh is a shell script");
        }
        else
        {
            File.SetUnixFileMode(virsh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        foreach (var g in new[] { "g1", "g2" })
        {
            File.WriteAllText(Path.Combine(f.Root, g + ".xml"), OperationsFixture.DomainXml(g, OperationsFixture.Qemu64()));
        }

        File.WriteAllText(Path.Combine(f.Root, "g1.inactive.xml"), OperationsFixture.DomainXml("g1", "<cpu mode='host-model' check='partial'/>").Replace(" id='7'", "", StringComparison.Ordinal));

        return f;
    }
}
