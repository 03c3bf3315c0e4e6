using System.Diagnostics;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using VirtCpu.Operations;

namespace VirtCpu.Bench;

/// <summary>
/// <c>virtcpu evacuate</c> over a generated capture folder: 500 nodes (300 libvirt 9.0/QEMU 7.2, 200
/// libvirt 11.3/QEMU 10.0, each with its own profile and domain capabilities file, as
/// <c>virtcpu fleet capture</c> writes them) running 10,000 domains (1, 2 and 4 vCPUs, every check mode,
/// host-model and named models).
/// </summary>
[MemoryDiagnoser]
public class EvacuateBench
{
    private string _dir = "";
    private RunningFleet? _fleet;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "virtcpu-bench-fleet");
        FleetData.Generate(_dir, 500, 20);
        _fleet = RunningFleet.Load(_dir);
    }

    [Benchmark]
    public RunningFleet Load() => RunningFleet.Load(_dir);

    [Benchmark]
    public EvacuationPlan Plan() => Evacuation.Plan(_fleet!, "n0001");

    [Benchmark]
    public EvacuationPlan LoadAndPlan() => Evacuation.Plan(RunningFleet.Load(_dir), "n0001");
}

/// <summary>Generates capture folders of any size (fixed seed).</summary>
public static class FleetData
{
    private static readonly string[] Cpus =
    [
        "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>qemu64</model>{0}</cpu>",
        "<cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>qemu64</model>{0}</cpu>",
        "<cpu mode='custom' match='exact' check='full'><model fallback='forbid'>qemu64</model><feature policy='disable' name='monitor'/>{0}</cpu>",
        "<cpu mode='host-model' check='partial'>{0}</cpu>",
        "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>Nehalem</model>{0}</cpu>",
    ];

    /// <summary>Writes a capture folder: <c>fleet.json</c>, <c>nodes/</c>, <c>domains/</c>.</summary>
    /// <param name="dir">The folder (replaced).</param>
    /// <param name="nodes">The number of nodes.</param>
    /// <param name="perNode">Running domains per node.</param>
    public static void Generate(string dir, int nodes, int perNode)
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        var random = new Random(Data.Seed);
        Directory.CreateDirectory(Path.Combine(dir, "nodes"));
        var fixtures = Path.Combine(Data.RepoRoot, "tests", "VirtCpu.Tests", "Fixtures", "operations");
        var index = new StringBuilder("{ \"fleet\": 1, \"nodes\": [\n");
        for (var n = 1; n <= nodes; n++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"n{n:0000}");
            var old = n % 5 < 3;
            var (libvirt, catalog, qemu, machine, stack) = old ? ("9.0.0", "libvirt-9.0", "qemu-7.2", "pc-i440fx-7.2", "bookworm") : ("11.3.0", "libvirt-11.3", "qemu-10.0", "pc-i440fx-10.0", "trixie");
            File.Copy(Path.Combine(fixtures, stack + "-domcaps.xml"), Path.Combine(dir, "nodes", name + "-domcaps.xml"));
            File.WriteAllText(Path.Combine(dir, "nodes", name + ".json"), $$"""
                { "libvirt": "{{libvirt}}", "catalog": "{{catalog}}", "qemu": "{{qemu}}", "machine": "{{machine}}", "accel": "tcg", "host": { "domcapabilities": "{{name}}-domcaps.xml" } }
                """);
            var domains = Path.Combine(dir, "domains", name);
            Directory.CreateDirectory(domains);
            for (var d = 1; d <= perNode; d++)
            {
                var vcpus = random.Next(4) switch { 0 or 1 => 1, 2 => 2, _ => 4 };
                var topology = vcpus == 1 ? "" : vcpus == 2 ? "<topology sockets='1' dies='1' cores='2' threads='1'/>" : "<topology sockets='1' dies='1' cores='2' threads='2'/>";
                var cpu = string.Format(CultureInfo.InvariantCulture, Cpus[random.Next(Cpus.Length)], topology);
                var domain = string.Create(CultureInfo.InvariantCulture, $"{name}-g{d:00}");
                File.WriteAllText(Path.Combine(domains, domain + ".xml"), string.Create(CultureInfo.InvariantCulture, $"""
                    <domain type='qemu' id='{d}'>
                      <name>{domain}</name>
                      <memory unit='KiB'>{random.Next(1, 9) * 524288}</memory>
                      <vcpu placement='static'>{vcpus}</vcpu>
                      <os><type arch='x86_64' machine='{(old || random.Next(2) == 0 ? "pc-i440fx-7.2" : machine)}'>hvm</type></os>
                      {cpu}
                      <devices><memballoon model='none'/></devices>
                    </domain>
                    """));
            }

            index.Append(CultureInfo.InvariantCulture, $"  {{ \"name\": \"{name}\", \"profile\": \"nodes/{name}.json\", \"domains\": \"domains/{name}\", \"vcpus\": 128, \"memory-mib\": 524288, \"max-vcpus\": 255 }}{(n < nodes ? "," : "")}\n");
        }

        File.WriteAllText(Path.Combine(dir, FleetFile.IndexName), index.Append("] }\n").ToString());
    }

    /// <summary>Generates a folder and times load and plan with a Stopwatch (<c>--evacuate DIR</c>).</summary>
    /// <param name="dir">The folder.</param>
    public static void Breakdown(string dir)
    {
        var clock = Stopwatch.StartNew();
        Generate(dir, 500, 20);
        Console.WriteLine($"generated 500 nodes x 20 domains in {clock.Elapsed.TotalSeconds:0.00} s");
        for (var i = 0; i < 2; i++)
        {
            clock.Restart();
            var entries = FleetFile.Read(dir);
            var nodes = entries.Select(e => VirtCpu.Migration.Node.Resolve(VirtCpu.Formats.NodeProfiles.NodeProfileReader.Read(e.Profile!))).ToList();
            var resolve = clock.Elapsed;
            var count = entries.Sum(e => Directory.GetFiles(e.Domains!, "*.xml").Select(VirtCpu.Formats.LibvirtXml.LibvirtDomain.Read).Count());
            Console.WriteLine($"parts {i + 1}: {nodes.Count} profiles read and resolved {resolve.TotalSeconds:0.000} s, {count} domains parsed (one thread) {(clock.Elapsed - resolve).TotalSeconds:0.000} s");
        }

        for (var i = 0; i < 3; i++)
        {
            clock.Restart();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var fleet = RunningFleet.Load(dir);
            var load = clock.Elapsed;
            var plan = Evacuation.Plan(fleet, "n0001");
            var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Console.WriteLine($"run {i + 1}: load {load.TotalSeconds:0.000} s, plan {(clock.Elapsed - load).TotalSeconds:0.000} s, CPU time {used.TotalSeconds:0.000} s, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} ({fleet.Domains.Count()} domains, {plan.Guests.Length} guests, {plan.Guests.Count(g => g.PlacedOn is not null)} placed)");
        }
    }
}
