using System.Globalization;

namespace VirtCpu.Lab;

/// <summary>A vCPU topology: sockets, cores per socket, threads per core.</summary>
/// <param name="Sockets">Sockets.</param>
/// <param name="Cores">Cores per socket.</param>
/// <param name="Threads">Threads per core.</param>
internal sealed record Topology(int Sockets, int Cores, int Threads)
{
    /// <summary>One vCPU.</summary>
    public static Topology One { get; } = new(1, 1, 1);

    /// <summary>The topologies of the lab: 1, 2 cores, 2 threads, 2 cores x 2 threads.</summary>
    public static IReadOnlyList<Topology> All { get; } = [One, new(1, 2, 1), new(1, 1, 2), new(1, 2, 2)];

    /// <summary>The number of vCPUs.</summary>
    public int Vcpus => Sockets * Cores * Threads;

    /// <summary>A short label: <c>1</c>, <c>2c</c>, <c>2t</c>, <c>4=2cx2t</c>.</summary>
    public string Label => (Cores, Threads) switch
    {
        (1, 1) => Vcpus.ToString(CultureInfo.InvariantCulture),
        (_, 1) => $"{Vcpus}c",
        (1, _) => $"{Vcpus}t",
        _ => $"{Vcpus}={Cores}cx{Threads}t",
    };
}

/// <summary>A guest CPU definition the lab starts.</summary>
/// <param name="Name">A short name.</param>
/// <param name="Cpu">The <c>&lt;cpu&gt;</c> element (without topology).</param>
internal sealed record LabGuest(string Name, string Cpu)
{
    /// <summary>The domain XML of this guest with a topology.</summary>
    /// <param name="domain">The domain name.</param>
    /// <param name="topology">The topology.</param>
    /// <param name="machine">The machine type.</param>
    /// <returns>The XML.</returns>
    public string DomainXml(string domain, Topology topology, string machine)
    {
        var cpu = Cpu;
        if (topology.Vcpus > 1)
        {
            var topo = string.Create(CultureInfo.InvariantCulture, $"<topology sockets='{topology.Sockets}' dies='1' cores='{topology.Cores}' threads='{topology.Threads}'/>");
            cpu = cpu.EndsWith("/>", StringComparison.Ordinal)
                ? cpu[..^2] + ">" + topo + "</cpu>"
                : cpu.Replace("</cpu>", topo + "</cpu>", StringComparison.Ordinal);
        }

        return $"""
            <domain type='qemu'>
              <name>{domain}</name>
              <memory unit='MiB'>64</memory>
              <vcpu placement='static'>{topology.Vcpus}</vcpu>
              <os><type arch='x86_64' machine='{machine}'>hvm</type></os>
              {cpu}
              <devices><memballoon model='none'/></devices>
            </domain>

            """;
    }
}

/// <summary>One case: a guest of a topology started on a source node, then migrated along the hops.</summary>
/// <param name="Id">The case id (also the domain name).</param>
/// <param name="Guest">The guest.</param>
/// <param name="Topology">The topology.</param>
/// <param name="Source">The node it starts on.</param>
/// <param name="Hops">The nodes it migrates to, in order (empty: a start-only case).</param>
/// <param name="Core">Whether CI's core subset runs it.</param>
/// <param name="Machine">The machine type: <c>pc</c> (each QEMU's newest) or one both ends know.</param>
internal sealed record LabCase(string Id, LabGuest Guest, Topology Topology, LabNode Source, IReadOnlyList<LabNode> Hops, bool Core, string Machine = "pc");

/// <summary>The lab's nodes, guests and cases.</summary>
internal static class LabCases
{
    /// <summary>Debian 12's libvirt 9.0 + QEMU 7.2, two nodes.</summary>
    public static LabNode Bookworm1 { get; } = new("bw1", "bookworm");

    /// <summary>The second Debian 12 node.</summary>
    public static LabNode Bookworm2 { get; } = new("bw2", "bookworm");

    /// <summary>Debian 13's libvirt 11.3 + QEMU 10.0.</summary>
    public static LabNode Trixie1 { get; } = new("tx1", "trixie");

    /// <summary>The second Debian 13 node.</summary>
    public static LabNode Trixie2 { get; } = new("tx2", "trixie");

    /// <summary>Debian testing's libvirt 12.8 + QEMU 11.1.</summary>
    public static LabNode Forky1 { get; } = new("fk1", "forky");

    /// <summary>The second Debian testing node.</summary>
    public static LabNode Forky2 { get; } = new("fk2", "forky");

    /// <summary>Debian 12 with Westmere gaining x2apic (a feature QEMU's Westmere lacks) in its map.</summary>
    public static LabNode BookwormAdd { get; } = new("bwadd", "bookworm", new MapEdit("westmere+x2apic", "Westmere", "x2apic", Add: true));

    /// <summary>Debian 12 with Westmere losing aes (a feature QEMU's Westmere has) in its map.</summary>
    public static LabNode BookwormRemove { get; } = new("bwrem", "bookworm", new MapEdit("westmere-aes", "Westmere", "aes", Add: false));

    /// <summary>Guests of one vCPU on every pair.</summary>
    public static IReadOnlyList<LabGuest> Guests { get; } =
    [
        new("qemu64", "<cpu mode='custom' match='exact'><model fallback='forbid'>qemu64</model></cpu>"),
        new("westmere-partial", "<cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>Westmere</model></cpu>"),
        new("westmere-none", "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>Westmere</model></cpu>"),
        new("westmere-full", "<cpu mode='custom' match='exact' check='full'><model fallback='forbid'>Westmere</model></cpu>"),
        new("host-model", "<cpu mode='host-model' check='partial'/>"),
        new("epyc-partial", "<cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>EPYC</model></cpu>"),
        new("epyc-none", "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>EPYC</model></cpu>"),
        new("epyc-noblockers-partial", "<cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>EPYC</model><feature policy='disable' name='sha-ni'/><feature policy='disable' name='rdseed'/><feature policy='disable' name='xsavec'/><feature policy='disable' name='fxsr_opt'/><feature policy='disable' name='misalignsse'/><feature policy='disable' name='3dnowprefetch'/><feature policy='disable' name='osvw'/><feature policy='disable' name='nrip-save'/></cpu>"),
        new("haswell-none", "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>Haswell-noTSX</model></cpu>"),
        new("opteron-g3-none", "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>Opteron_G3</model></cpu>"),
        new("qemu64-avx512f-none", "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>qemu64</model><feature policy='require' name='avx512f'/></cpu>"),
        new("qemu64-forbid-svm-partial", "<cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>qemu64</model><feature policy='forbid' name='svm'/></cpu>"),
        new("westmere-v1-none", "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>Westmere-v1</model></cpu>"),
    ];

    /// <summary>Guests run with every topology.</summary>
    public static IReadOnlyList<string> TopologyGuests { get; } = ["host-model", "westmere-partial", "epyc-none"];

    // Between stacks, guests use a machine type both QEMUs know (as operators of mixed clusters
    // do), except qemu64, which keeps 'pc' to show what a newer machine type does to a migration.
    private static string CommonMachine(LabNode s, LabNode t, LabGuest g) =>
        s.Stack != t.Stack && g.Name != "qemu64" ? "pc-i440fx-7.2" : "pc";

    // CI's core subset: on every pair a 4-vCPU host-model guest (below); between stacks also two
    // cores of Westmere (the ht incident) and a few one-vCPU guests; Debian 12 and 13 pairs keep the
    // wider one-vCPU set they had before Debian testing joined.
    private static bool IsCoreSingle(LabGuest g, LabNode s, LabNode t)
    {
        var older = s.Stack is "bookworm" or "trixie" && t.Stack is "bookworm" or "trixie";
        if (older)
        {
            return g.Name is "westmere-partial" or "host-model" or "epyc-none" or "westmere-v1-none" or "qemu64" && (s.Stack != t.Stack || s.Stack == "bookworm");
        }

        return s.Stack != t.Stack && g.Name is "westmere-partial" or "host-model" or "qemu64";
    }

    /// <summary>Every case, in run order.</summary>
    /// <param name="stacks">The stacks that are installed.</param>
    /// <returns>The cases.</returns>
    public static List<LabCase> All(IReadOnlySet<string> stacks)
    {
        var nodes = new[] { Bookworm1, Bookworm2, Trixie1, Trixie2, Forky1, Forky2 }.Where(n => stacks.Contains(n.Stack)).ToList();
        var firsts = nodes.GroupBy(n => n.Stack).Select(g => g.First()).ToList();
        var pairs = new List<(LabNode S, LabNode T)>();
        foreach (var s in firsts)
        {
            foreach (var t in firsts)
            {
                pairs.Add(s == t ? (s, nodes.First(n => n.Stack == s.Stack && n != s)) : (s, t));
            }
        }

        // Ids name the case's content, so recorded reality stays matched when the list changes.
        var cases = new List<LabCase>();
        static string Key(LabGuest g, Topology t, LabNode s, LabNode d) =>
            string.Create(CultureInfo.InvariantCulture, $"{g.Name}.{t.Vcpus}v{t.Cores}c{t.Threads}t.{s.Name}-{d.Name}");
        foreach (var (s, t) in pairs)
        {
            var crossStack = s.Stack != t.Stack;
            foreach (var g in Guests)
            {
                var core = IsCoreSingle(g, s, t);
                cases.Add(new LabCase(Key(g, Topology.One, s, t), g, Topology.One, s, [t, s], core, CommonMachine(s, t, g)));
            }

            foreach (var topology in Topology.All.Skip(1))
            {
                foreach (var g in Guests.Where(g => TopologyGuests.Contains(g.Name)))
                {
                    var core = topology.Vcpus == 4 && g.Name == "host-model" || topology.Label == "2c" && g.Name == "westmere-partial" && crossStack;
                    cases.Add(new LabCase(Key(g, topology, s, t), g, topology, s, [t, s], core, CommonMachine(s, t, g)));
                }
            }
        }

        if (stacks.Contains("bookworm"))
        {
            foreach (var g in Guests.Where(g => g.Name.StartsWith("westmere", StringComparison.Ordinal) && !g.Name.Contains("-v1", StringComparison.Ordinal)))
            {
                foreach (var edited in new[] { BookwormAdd, BookwormRemove })
                {
                    var core = g.Name == "westmere-none";
                    cases.Add(new LabCase(Key(g, Topology.One, Bookworm1, edited), g, Topology.One, Bookworm1, [edited, Bookworm1], core));
                    cases.Add(new LabCase(Key(g, Topology.One, edited, Bookworm1), g, Topology.One, edited, [Bookworm1, edited], core));
                }
            }
        }

        return cases;
    }
}
