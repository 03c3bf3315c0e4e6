using System.Globalization;
using System.Text;

namespace VirtCpu.Tests.Operations;

/// <summary>Builds fleets in a temporary folder: node profiles of the lab's captured TCG stacks and domain XMLs.</summary>
internal sealed class OperationsFixture : IDisposable
{
    public const string Bookworm = "bookworm";
    public const string Trixie = "trixie";

    private readonly List<string> _nodes = [];

    public OperationsFixture()
    {
        Root = Directory.CreateTempSubdirectory("virtcpu-ops-").FullName;
        foreach (var stack in new[] { Bookworm, Trixie })
        {
            File.Copy(Path.Combine(SharedData.RepoRoot, "tests", "VirtCpu.Tests", "Fixtures", "operations", stack + "-domcaps.xml"), Path.Combine(Root, stack + "-domcaps.xml"));
            var (libvirt, catalog, qemu, machine) = stack == Bookworm ? ("9.0.0", "libvirt-9.0", "qemu-7.2", "pc-i440fx-7.2") : ("11.3.0", "libvirt-11.3", "qemu-10.0", "pc-i440fx-10.0");
            File.WriteAllText(Path.Combine(Root, stack + ".json"), $$"""
                { "libvirt": "{{libvirt}}", "catalog": "{{catalog}}", "qemu": "{{qemu}}", "machine": "{{machine}}", "accel": "tcg",
                  "host": { "domcapabilities": "{{stack}}-domcaps.xml" } }
                """);
        }
    }

    public string Root { get; }

    public string FleetFile => Path.Combine(Root, "fleet.json");

    /// <summary>Adds a node with a stack's profile and a domains folder; extra JSON keys may be given.</summary>
    public OperationsFixture Node(string name, string stack, int vcpus = 16, int memoryMiB = 4096, string extra = "")
    {
        Directory.CreateDirectory(Path.Combine(Root, "domains", name));
        _nodes.Add($$"""{ "name": "{{name}}", "profile": "{{stack}}.json", "domains": "domains/{{name}}", "vcpus": {{vcpus}}, "memory-mib": {{memoryMiB}}{{extra}} }""");
        WriteFleet();
        return this;
    }

    /// <summary>Adds a running domain to a node.</summary>
    public OperationsFixture Domain(string node, string name, string cpu, int vcpus = 1, string machine = "pc-i440fx-7.2", int memoryMiB = 64, string extra = "", string type = "qemu")
    {
        File.WriteAllText(Path.Combine(Root, "domains", node, name + ".xml"), DomainXml(name, cpu, vcpus, machine, memoryMiB, extra, type));
        return this;
    }

    /// <summary>Adds a running domain's inactive definition (as <c>fleet capture</c> keeps it, next to the live one).</summary>
    public OperationsFixture Inactive(string node, string name, string cpu, int vcpus = 1, string machine = "pc-i440fx-7.2", int memoryMiB = 64)
    {
        var dir = Path.Combine(Root, "domains", node, "inactive");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, name + ".xml"), DomainXml(name, cpu, vcpus, machine, memoryMiB).Replace(" id='7'", "", StringComparison.Ordinal));
        return this;
    }

    /// <summary>The live <c>&lt;cpu&gt;</c> a definition gets when it starts on a stack's node (what libvirt writes into the live XML).</summary>
    public string LiveCpu(string stack, string cpu, string machine = "pc-i440fx-7.2")
    {
        var node = VirtCpu.Migration.Node.Resolve(VirtCpu.Formats.NodeProfiles.NodeProfileReader.Read(Path.Combine(Root, stack + ".json")));
        var start = VirtCpu.Migration.GuestStarter.Start(VirtCpu.Formats.LibvirtXml.CpuXml.Parse(cpu, "cpu.xml", VirtCpu.Cpu.CpuType.Guest), node, machine);
        Assert.True(start.Succeeded, start.Reason);
        return VirtCpu.Formats.LibvirtXml.CpuXml.Format(start.LiveDefinition!);
    }

    public static string DomainXml(string name, string cpu, int vcpus = 1, string machine = "pc-i440fx-7.2", int memoryMiB = 64, string extra = "", string type = "qemu") =>
        string.Create(CultureInfo.InvariantCulture, $"""
            <domain type='{type}' id='7'>
              <name>{name}</name>
              <memory unit='MiB'>{memoryMiB}</memory>
              <vcpu placement='static'>{vcpus}</vcpu>
              <os><type arch='x86_64' machine='{machine}'>hvm</type></os>
              {cpu}
              {extra}
              <devices><memballoon model='none'/></devices>
            </domain>
            """);

    public static string Qemu64(string check = "none", string topology = "") =>
        $"<cpu mode='custom' match='exact' check='{check}'><model fallback='forbid'>qemu64</model>{topology}</cpu>";

    public const string TwoCores = "<topology sockets='1' dies='1' cores='2' threads='1'/>";

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private void WriteFleet() =>
        File.WriteAllText(FleetFile, new StringBuilder("{ \"fleet\": 1, \"nodes\": [\n").AppendJoin(",\n", _nodes).Append("\n] }\n").ToString());
}
