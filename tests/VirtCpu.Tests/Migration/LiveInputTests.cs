using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Tests.Cli;

namespace VirtCpu.Tests.Migration;

/// <summary>Real guests and live nodes as input: domain XML, topology options, node capture errors, routes.</summary>
public class LiveInputTests
{
    private const string Domain = """
        <domain type='qemu' id='3'>
          <name>web1</name>
          <memory unit='KiB'>65536</memory>
          <vcpu placement='static'>4</vcpu>
          <os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os>
          <cpu mode='custom' match='exact' check='full'>
            <model fallback='forbid'>EPYC</model>
            <topology sockets='1' dies='1' cores='2' threads='2'/>
            <feature policy='disable' name='monitor'/>
          </cpu>
          <devices><memballoon model='none'/></devices>
        </domain>
        """;

    [Fact]
    public void A_live_domain_xml_gives_its_cpu_topology_machine_and_type()
    {
        var d = LibvirtDomain.Parse(Domain, "web1.xml");
        Assert.Equal(("web1", "qemu", "pc-i440fx-7.2", 4, true, false), (d.Name, d.Type, d.Machine, d.Vcpus, d.IsLive, d.MachineIsAlias));
        Assert.Equal("EPYC", d.Cpu.Model);
        Assert.Equal(new Cpu.CpuTopology(1, 1, 1, 2, 2), d.Cpu.Topology);
        Assert.Equal(Cpu.CpuCheck.Full, d.Cpu.Check);
    }

    [Fact]
    public void A_domain_without_a_machine_type_is_one_line_naming_the_file()
    {
        var e = Assert.Throws<InputException>(() => LibvirtDomain.Parse("<domain type='kvm'><name>x</name></domain>", "x.xml"));
        Assert.Equal("x.xml: the domain names no machine type (<os><type machine=...>)", e.Message);
    }

    [Fact]
    public void Node_capture_of_a_daemon_that_is_down_is_one_line_exit_2()
    {
        Assert.SkipWhen(!File.Exists("/usr/bin/virsh"), "virsh is not installed (apt-get install libvirt-clients; .ci/run installs it)");
        using var dir = new TempDirectory();
        var uri = $"qemu+unix:///system?socket={dir.Path}/no-such-sock";
        var r = CliRunner.Run("node", "capture", "--connect", uri, "--out", Path.Combine(dir.Path, "n.json"));
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.StartsWith($"virtcpu: {uri}: virsh version: failed to connect to the hypervisor", r.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.Path, "n.json")));
    }

    [Fact]
    public void Node_capture_without_virsh_is_one_line_exit_2()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<InputException>(() => VirtCpu.Live.NodeCapture.Read(new VirtCpu.Live.Virsh("qemu:///system", Path.Combine(dir.Path, "virsh"))));
        Assert.Contains("cannot start virsh", e.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install libvirt-clients", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Topology_options_shape_a_bare_cpu_and_a_bad_one_is_refused()
    {
        using var dir = new TempDirectory();
        var guest = dir.Write("g.xml", "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>EPYC</model></cpu>");
        var node = dir.Write("n.json", """{"catalog": "libvirt-11.3", "qemu": "qemu-10.0", "machine": "pc-i440fx-10.0", "accel": "tcg", "host": {"vendor": "AMD", "family": 23, "model": 1, "features": ["sse2"]}}""");
        var four = CliRunner.Run("start", "--guest", guest, "--on", node, "--topology", "1:1:2:2", "--json");
        Assert.True(four.ExitCode == 0, four.Stderr);
        Assert.Contains("\"ht\"", four.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"cmp-legacy\"", four.Stdout, StringComparison.Ordinal);
        var one = CliRunner.Run("start", "--guest", guest, "--on", node, "--json");
        Assert.DoesNotContain("\"ht\"", one.Stdout, StringComparison.Ordinal);
        var bad = CliRunner.Run("start", "--guest", guest, "--on", node, "--topology", "1:0:2");
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("virtcpu: --topology: expected SOCKETS:DIES:CORES:THREADS (positive numbers), not '1:0:2'", bad.Stderr.Trim());
    }
}
