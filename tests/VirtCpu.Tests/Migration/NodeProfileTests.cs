using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Migration;
using Xunit;

namespace VirtCpu.Tests.Migration;

/// <summary>Node profiles: reading, relative paths, errors, host offers from files.</summary>
public sealed class NodeProfileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("virtcpu-nodes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void InlineHostAcceptsBothSpellingsAndKvmCompletesIt()
    {
        var path = Write("n.json", """{"catalog": "libvirt-11.3", "qemu": "10.0", "machine": "pc-q35-9.2", "accel": "kvm", "host": {"vendor": "AMD", "family": 23, "model": 1, "stepping": 2, "features": ["pclmuldq", "lahf-lm", "sse2"]}}""");
        var node = Node.Resolve(NodeProfileReader.Read(path));
        var m = node.Catalog;
        foreach (var name in new[] { "pclmuldq", "lahf_lm", "sse2", "hypervisor", "x2apic", "tsc-deadline" })
        {
            Assert.True(node.Host.Management.Contains(m.FindFeature(name)!.Index), name);
        }

        Assert.True(node.Host.Qemu.Contains(node.Hypervisor.Feature("pclmulqdq")!.Index));
        Assert.True(node.Host.Qemu.Contains(node.Hypervisor.Feature("kvmclock")!.Index));
        Assert.Equal("AuthenticAMD", node.Host.VendorString);
    }

    [Fact]
    public void CpuidFileRelativeToProfile()
    {
        var cputest = SharedData.Require("libvirt-11.3/cputestdata");
        var text = File.ReadAllText(Path.Combine(cputest, "x86_64-cpuid-EPYC-7601-32-Core.xml"));
        Write("hosts/epyc.xml", text);
        var path = Write("sub/../n.json", """{"catalog": "libvirt-11.3", "qemu": "10.0", "machine": "pc-q35-9.2", "accel": "kvm", "host": {"cpuid": "hosts/epyc.xml"}}""");
        var node = Node.Resolve(NodeProfileReader.Read(path));
        Assert.True(node.Host.Management.Contains(node.Catalog.FindFeature("svm")!.Index));
        Assert.True(node.Host.Management.Contains(node.Catalog.FindFeature("hypervisor")!.Index));
        var start = GuestStarter.Start(MigrationFixtures.Guest("<cpu mode='host-model' check='partial'/>"), node);
        Assert.True(start.Succeeded, start.Reason);
        Assert.Equal("EPYC", start.LiveDefinition!.Model);
    }

    [Theory]
    [InlineData("""{"catalog": "libvirt-11.3", "qemu": "10.0", "machine": "q35", "accel": "kvm", "host": {"vendor": "AMD", "family": 1, "model": 1, "features": []}, "extra": 1}""", "unknown key 'extra'")]
    [InlineData("""{"catalog": "libvirt-11.3", "qemu": "10.0", "machine": "q35", "accel": "kvm", "host": {"cpuid": "missing.xml"}}""", "not found")]
    [InlineData("""{"catalog": "libvirt-1.0", "qemu": "10.0", "machine": "q35", "accel": "kvm", "host": {"vendor": "AMD", "family": 1, "model": 1, "features": []}}""", "unknown catalog")]
    [InlineData("""{"catalog": "libvirt-11.3", "qemu": "10.0", "machine": "q35", "accel": "kvm", "host": {"vendor": "AMD", "family": 1, "model": 1, "features": ["no-such-feature"]}}""", "no-such-feature")]
    [InlineData("""{"catalog": "libvirt-11.3", "qemu": "10.0", "machine": "q35", "accel": "xen", "host": {"vendor": "AMD", "family": 1, "model": 1, "features": []}}""", "unknown accel")]
    [InlineData("""{"catalog": "libvirt-11.3", "qemu": "10.0", "machine": "q35", "accel": "kvm", "host": {"vendor": "AMD", "family": 1, "model": 1, "features": []},""", "n.json")]
    public void BadProfilesAreInputErrors(string json, string expected)
    {
        var path = Write("n.json", json);
        var e = Assert.Throws<InputException>(() => Node.Resolve(NodeProfileReader.Read(path)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FilesNamedInsideAProfileMustBeRegularFiles()
    {
        // A FIFO would block the reader when opened, /dev/stdin would wait for input: both are
        // refused from their size, without being opened (the test would hang otherwise).
        var fifo = Path.Combine(_dir, "fifo.xml");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
        }

        Write("empty.xml", "");
        Directory.CreateDirectory(Path.Combine(_dir, "dir.xml"));
        foreach (var (target, expected) in new[] { (fifo, "is empty or not a regular file"), ("/dev/stdin", "is empty or not a regular file"), ("/dev/zero", "is empty or not a regular file"), ("empty.xml", "is empty or not a regular file"), ("dir.xml", "is a directory") })
        {
            var path = Write("n.json", $$$"""{"catalog": "libvirt-11.3", "qemu": "10.0", "machine": "q35", "accel": "kvm", "host": {"cpuid": "{{{target}}}"}}""");
            var read = Task.Run(() => Assert.Throws<InputException>(() => NodeProfileReader.Read(path)), TestContext.Current.CancellationToken);
            var error = await read.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
            Assert.Equal($"{path}: host cpuid file {(Path.IsPathRooted(target) ? target : Path.Combine(_dir, target))} {expected}", error.Message.Replace(" not a file", "", StringComparison.Ordinal).Replace("is a directory,", "is a directory", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void NodeListGroupsIdenticalNodes()
    {
        var host = """{"vendor": "AMD", "family": 23, "model": 1, "stepping": 2, "features": ["sse2", "svm"]}""";
        var path = Write("nodes.json", $$"""[{"name": "a", "catalog": "libvirt-11.3", "qemu": "10.0", "machine": "pc-q35-9.2", "accel": "kvm", "host": {{host}}}, {"name": "b", "catalog": "libvirt-11.3", "qemu": "10.0", "machine": "pc-q35-9.2", "accel": "kvm", "host": {{host}}}]""");
        var nodes = NodeProfileReader.ReadList(path).Select(Node.Resolve).ToList();
        Assert.Equal(["a", "b"], nodes.Select(n => n.Name));
        Assert.Equal(nodes[0].Key, nodes[1].Key);
        var guests = new[] { ("g", MigrationFixtures.Guest("<cpu mode='custom' match='exact' check='none'><model>qemu64</model></cpu>")) };
        var result = MigrationMatrix.Run(guests, nodes);
        Assert.Equal(2, result.Total);
        Assert.Equal(1, result.NodeGroups);
    }
}
