using System.Collections.Immutable;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Live;
using VirtCpu.Migration;

namespace VirtCpu.Operations;

/// <summary>
/// One running domain of a fleet: its node, its size and its live definition. A domain read from a
/// capture folder is scanned for its name, vCPUs and memory first and read whole only when a verdict
/// needs it, so a fleet of 10,000 domains loads fast for a question about one host.
/// </summary>
public sealed class FleetDomain
{
    /// <summary>The folder, inside a node's domains folder, that holds the inactive definitions (<c>virsh dumpxml --inactive</c>) under the live files' names.</summary>
    public const string InactiveFolder = "inactive";

    private readonly Lazy<LibvirtDomain> _domain;
    private readonly Lazy<LibvirtDomain?> _inactive;

    /// <summary>Creates a domain from its parsed XML.</summary>
    /// <param name="name">The domain name.</param>
    /// <param name="nodeName">The node it runs on.</param>
    /// <param name="domain">The domain as <c>virsh dumpxml</c> gave it.</param>
    /// <param name="inactive">Its inactive (persistent) definition, or null when none is recorded (a transient domain).</param>
    public FleetDomain(string name, string nodeName, LibvirtDomain domain, LibvirtDomain? inactive = null)
    {
        ArgumentNullException.ThrowIfNull(domain);
        (Name, NodeName, Vcpus, MemoryMiB) = (name, nodeName, domain.Vcpus, (domain.MemoryKiB + 1023) / 1024);
        _domain = new Lazy<LibvirtDomain>(domain);
        _inactive = new Lazy<LibvirtDomain?>(inactive);
    }

    private FleetDomain(string path, string nodeName)
    {
        var (name, vcpus, memoryKiB) = LibvirtDomain.Scan(path);
        (Name, NodeName, Vcpus, MemoryMiB) = (name, nodeName, vcpus, (memoryKiB + 1023) / 1024);
        _domain = new Lazy<LibvirtDomain>(() => LibvirtDomain.Read(path), LazyThreadSafetyMode.ExecutionAndPublication);
        var inactive = Path.Combine(Path.GetDirectoryName(path) ?? ".", InactiveFolder, Path.GetFileName(path));
        _inactive = new Lazy<LibvirtDomain?>(() => File.Exists(inactive) ? LibvirtDomain.Read(inactive) : null, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The domain name.</summary>
    public string Name { get; }

    /// <summary>The node it runs on.</summary>
    public string NodeName { get; }

    /// <summary>The number of vCPUs.</summary>
    public int Vcpus { get; }

    /// <summary>The memory in MiB (rounded up).</summary>
    public long MemoryMiB { get; }

    /// <summary>The domain as <c>virsh dumpxml</c> gave it (read on first use for a domain scanned from a file).</summary>
    /// <exception cref="InputException">The file's domain is malformed.</exception>
    public LibvirtDomain Domain => _domain.Value;

    /// <summary>
    /// The domain's inactive (persistent) definition, what a cold restart starts from (read on first use:
    /// the file of the same name in the <see cref="InactiveFolder"/> next to the live one), or null when
    /// none is recorded (a transient domain, or a fleet written by hand).
    /// </summary>
    /// <exception cref="InputException">The file is malformed.</exception>
    public LibvirtDomain? Inactive => _inactive.Value;

    /// <summary>The machine type a migration keeps (null when the XML names only an alias, so the node's applies).</summary>
    public string? Machine => Domain.MachineIsAlias ? null : Domain.Machine;

    /// <summary>A key equal for domains whose CPU and machine type are the same (verdicts are shared).</summary>
    public string CpuKey => field ??= Machine + "\n" + CpuXml.Format(Domain.Cpu);

    /// <summary>
    /// Refuses to judge the domain on a node captured for another accelerator than the domain runs with
    /// (<c>type='qemu'</c> is TCG, <c>type='kvm'</c> KVM): a node that offers KVM is captured for KVM unless
    /// its fleet entry says <c>"accel": "tcg"</c>, and a TCG guest there sees QEMU's TCG CPU, not the host's.
    /// </summary>
    /// <param name="node">The node.</param>
    /// <exception cref="InputException">The accelerators differ (the message names both and the fix).</exception>
    public void RequireAccelerator(FleetMember node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var tcg = Domain.Type == "qemu";
        if (tcg != (node.Node.Accelerator == Qemu.QemuAccelerator.Tcg))
        {
            throw new InputException(
                $"node {node.Name}",
                $"domain {Name} runs under {(tcg ? "TCG (type 'qemu')" : "KVM (type 'kvm')")} but the node is captured for {(tcg ? "KVM" : "TCG")}; capture it with \"accel\": \"{(tcg ? "tcg" : "kvm")}\" in the fleet file");
        }
    }

    /// <summary>A domain scanned from a file (read whole on first use).</summary>
    /// <param name="path">The domain XML file.</param>
    /// <param name="nodeName">The node it runs on.</param>
    /// <returns>The domain.</returns>
    /// <exception cref="InputException">The file is not a readable domain XML.</exception>
    public static FleetDomain FromFile(string path, string nodeName) => new(path, nodeName);
}

/// <summary>The limits of a node beyond CPUID that decide whether a guest may move onto it.</summary>
/// <param name="MaxVcpus">The most vCPUs one guest may have, or null when unknown.</param>
/// <param name="PhysBits">The host's physical address bits, or null.</param>
/// <param name="TscFrequency">The host's TSC frequency (Hz), or null.</param>
/// <param name="TscScaling">Whether the host scales the TSC, or null.</param>
public sealed record NodeLimits(int? MaxVcpus, int? PhysBits, long? TscFrequency, bool? TscScaling)
{
    /// <summary>The limits a fleet entry gives.</summary>
    /// <param name="entry">The entry.</param>
    /// <returns>The limits.</returns>
    public static NodeLimits Of(FleetNodeEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new NodeLimits(entry.MaxVcpus, entry.PhysBits, entry.TscFrequency, entry.TscScaling);
    }
}

/// <summary>One node of a loaded fleet: the resolved node, its limits, capacity and running domains.</summary>
public sealed class FleetMember
{
    /// <summary>The node's name.</summary>
    public required string Name { get; init; }

    /// <summary>The libvirt URI, or null.</summary>
    public string? Uri { get; init; }

    /// <summary>The resolved node (catalogs, release behaviour, host offer).</summary>
    public required Node Node { get; init; }

    /// <summary>The limits beyond CPUID.</summary>
    public required NodeLimits Limits { get; init; }

    /// <summary>The vCPUs guests may use, or null when unknown (no limit is applied).</summary>
    public int? Vcpus { get; init; }

    /// <summary>The memory guests may use (MiB), or null when unknown.</summary>
    public long? MemoryMiB { get; init; }

    /// <summary>The running domains, by name.</summary>
    public required ImmutableArray<FleetDomain> Domains { get; init; }

    /// <summary>The vCPUs the running domains use.</summary>
    public int UsedVcpus => Domains.Sum(d => d.Vcpus);

    /// <summary>The memory (MiB) the running domains use.</summary>
    public long UsedMemoryMiB => Domains.Sum(d => d.MemoryMiB);

    /// <summary>A key equal for nodes that give every guest the same verdicts (the node's behaviour key plus its limits).</summary>
    public string Key => field ??= Node.Key + "|" + Limits;

    /// <summary>A copy with another node and limits and no domains (the node after an upgrade).</summary>
    /// <param name="node">The new node.</param>
    /// <param name="limits">The new limits.</param>
    /// <returns>The copy.</returns>
    public FleetMember With(Node node, NodeLimits limits) => new()
    {
        Name = Name,
        Uri = Uri,
        Node = node,
        Limits = limits,
        Vcpus = Vcpus,
        MemoryMiB = MemoryMiB,
        Domains = [],
    };

    /// <summary>The node's releases, in words (<c>libvirt 9.0, QEMU 7.2</c>).</summary>
    public string Releases => $"libvirt {Node.Libvirt.ToString(2)}, QEMU {Node.Hypervisor.QemuVersion.ToString(2)}";
}

/// <summary>
/// A fleet of running domains, loaded from a capture folder or a fleet file: every node resolved, every
/// running domain read. Nodes given only by a URI are captured on the spot (nothing is written).
/// </summary>
public sealed class RunningFleet
{
    private readonly Dictionary<string, FleetMember> _byName;

    /// <summary>Creates a fleet from members.</summary>
    /// <param name="members">The nodes, in fleet order.</param>
    public RunningFleet(IEnumerable<FleetMember> members)
    {
        Nodes = [.. members];
        _byName = Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
    }

    /// <summary>The nodes, in fleet order.</summary>
    public ImmutableArray<FleetMember> Nodes { get; }

    /// <summary>Every running domain.</summary>
    public IEnumerable<FleetDomain> Domains => Nodes.SelectMany(n => n.Domains);

    /// <summary>Finds a node by name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The node.</returns>
    /// <exception cref="InputException">No such node (the message lists the fleet's nodes, or their count).</exception>
    public FleetMember Find(string name) =>
        _byName.TryGetValue(name, out var m) ? m : throw new InputException(name, $"no such node in the fleet ({(Nodes.Length <= 12 ? "nodes: " + string.Join(", ", Nodes.Select(n => n.Name)) : $"{Nodes.Length} nodes")})");

    /// <summary>Loads a fleet.</summary>
    /// <param name="path">A capture folder or a fleet file.</param>
    /// <param name="connect">Makes the virsh client of a URI (for nodes given only by a URI), or null for <c>virsh</c>.</param>
    /// <returns>The fleet.</returns>
    /// <exception cref="InputException">A bad fleet file, profile or domain file, or a live node that is down.</exception>
    public static RunningFleet Load(string path, Func<string, Virsh>? connect = null)
    {
        var entries = FleetFile.Read(path);
        connect ??= uri => new Virsh(uri);
        var members = new FleetMember[entries.Length];
        var resolver = new NodeResolver();
        string? temp = null;
        try
        {
            for (var i = 0; i < entries.Length; i++)
            {
                var entry = entries[i];
                if (entry.Profile is not null)
                {
                    members[i] = Member(entry, resolver.Resolve(entry.Profile, entry.Name), ReadDomains(entry));
                    continue;
                }

                var captured = FleetCapture.CaptureNode(entry, connect);
                temp ??= Directory.CreateTempSubdirectory("virtcpu-fleet-").FullName;
                var profile = Path.Combine(temp, entry.Name + ".json");
                captured.Node.WriteProfile(profile);
                var node = Node.Resolve(NodeProfileReader.Read(profile) with { Name = entry.Name });
                var domains = captured.Domains.Select(d => new FleetDomain(
                    d.Name,
                    entry.Name,
                    LibvirtDomain.Parse(d.Xml, $"node {entry.Name}: domain {d.Name}"),
                    d.InactiveXml is { } inactive ? LibvirtDomain.Parse(inactive, $"node {entry.Name}: domain {d.Name} (inactive)") : null));
                members[i] = Member(captured.Entry, node, [.. domains]);
            }
        }
        finally
        {
            if (temp is not null)
            {
                Directory.Delete(temp, recursive: true);
            }
        }

        return new RunningFleet(members);
    }

    /// <summary>Builds a member from an entry, a node and its domains.</summary>
    /// <param name="entry">The fleet entry.</param>
    /// <param name="node">The resolved node.</param>
    /// <param name="domains">The running domains.</param>
    /// <returns>The member.</returns>
    public static FleetMember Member(FleetNodeEntry entry, Node node, ImmutableArray<FleetDomain> domains)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new FleetMember
        {
            Name = entry.Name,
            Uri = entry.Uri,
            Node = node,
            Limits = NodeLimits.Of(entry),
            Vcpus = entry.Vcpus,
            MemoryMiB = entry.MemoryMiB,
            Domains = domains,
        };
    }

    private static ImmutableArray<FleetDomain> ReadDomains(FleetNodeEntry entry)
    {
        if (entry.Domains is null)
        {
            return [];
        }

        var files = Directory.GetFiles(entry.Domains, "*.xml");
        Array.Sort(files, StringComparer.Ordinal);
        var domains = new FleetDomain[files.Length];
        try
        {
            Parallel.For(0, files.Length, i => domains[i] = FleetDomain.FromFile(files[i], entry.Name));
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is InputException) is InputException first)
        {
            throw new InputException($"node {entry.Name}", first.Message, first);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in domains)
        {
            if (!seen.Add(d.Name))
            {
                throw new InputException($"node {entry.Name}", $"domain '{d.Name}' is recorded twice in {entry.Domains}");
            }
        }

        return [.. domains.OrderBy(d => d.Name, StringComparer.Ordinal)];
    }
}

/// <summary>
/// Resolves node profiles, once per distinct content: a captured fleet holds one profile and one
/// domain capabilities file per node, and most nodes of a release are alike. Two profiles are alike
/// when their keys (less <c>captured-from</c>) and the contents of the host files they name are equal;
/// a profile naming a cpu_map folder is always resolved on its own.
/// </summary>
internal sealed class NodeResolver
{
    private readonly Dictionary<string, Node> _byContent = new(StringComparer.Ordinal);

    /// <summary>Reads and resolves a profile under a node name.</summary>
    /// <param name="profile">The profile file.</param>
    /// <param name="name">The node's name.</param>
    /// <returns>The node.</returns>
    /// <exception cref="InputException">A bad profile.</exception>
    public Node Resolve(string profile, string name)
    {
        var key = ContentKey(profile);
        if (key is not null && _byContent.TryGetValue(key, out var known))
        {
            return known with { Name = name };
        }

        var node = Node.Resolve(NodeProfileReader.Read(profile) with { Name = name });
        if (key is not null)
        {
            _byContent[key] = node;
        }

        return node;
    }

    private static string? ContentKey(string profile)
    {
        try
        {
            using var doc = NodeProfileReader.ParseDocument(InputFile.ReadAllBytes(profile, 4L * 1024 * 1024), profile);
            var root = doc.RootElement;
            if (root.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                return null;
            }

            var dir = Path.GetDirectoryName(Path.GetFullPath(profile)) ?? ".";
            var sb = new System.Text.StringBuilder();
            foreach (var p in root.EnumerateObject())
            {
                if (p.Name == "captured-from")
                {
                    continue;
                }

                if (p.Name == "catalog" && p.Value.ValueKind != System.Text.Json.JsonValueKind.String)
                {
                    return null;
                }

                if (p.Name == "host" && p.Value.ValueKind == System.Text.Json.JsonValueKind.Object)
                {
                    foreach (var h in p.Value.EnumerateObject())
                    {
                        sb.Append(h.Name).Append('=');
                        if (h.Value.ValueKind == System.Text.Json.JsonValueKind.String)
                        {
                            var file = Path.Combine(dir, h.Value.GetString()!);
                            if (!File.Exists(file))
                            {
                                return null;
                            }

                            sb.Append(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(InputFile.ReadAllBytes(file))));
                        }
                        else
                        {
                            sb.Append(h.Value.GetRawText());
                        }

                        sb.Append('\n');
                    }

                    continue;
                }

                sb.Append(p.Name).Append('=').Append(p.Value.GetRawText()).Append('\n');
            }

            return sb.ToString();
        }
        catch (InputException)
        {
            return null;
        }
    }
}
