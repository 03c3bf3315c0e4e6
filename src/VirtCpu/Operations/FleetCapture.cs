using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Xml.Linq;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Live;

namespace VirtCpu.Operations;

/// <summary>One running domain as captured: its name, the file it is kept in, its live XML and, for a persistent domain, its inactive XML.</summary>
/// <param name="Name">The domain name.</param>
/// <param name="FileName">The file name in the node's domains folder (and in its <c>inactive</c> folder).</param>
/// <param name="Xml">The live XML (<c>virsh dumpxml</c>).</param>
/// <param name="InactiveXml">The inactive XML (<c>virsh dumpxml --inactive</c>: what a cold restart starts from), or null for a transient domain.</param>
public sealed record CapturedDomain(string Name, string FileName, string Xml, string? InactiveXml = null);

/// <summary>One node as captured: the node capture, its capacity and limits, and its running domains.</summary>
/// <param name="Entry">The fleet entry, completed with what the node reported.</param>
/// <param name="Node">The node capture.</param>
/// <param name="Domains">The running domains.</param>
public sealed record CapturedNode(FleetNodeEntry Entry, NodeCapture Node, ImmutableArray<CapturedDomain> Domains);

/// <summary>
/// <c>virtcpu fleet capture</c>: captures every live node of a fleet file (node profile through
/// <see cref="NodeCapture"/>, capacity from <c>virsh nodeinfo</c>, limits from the capabilities) and the
/// live XML of every running domain (<c>virsh list --name</c>, <c>virsh dumpxml</c>) with, for a persistent
/// one, its inactive XML (<c>virsh dumpxml --inactive</c>: what a cold restart starts from), then writes
/// a folder a user can keep in git: <c>fleet.json</c> (the index, itself a fleet file), <c>nodes/NAME.json</c>
/// with <c>nodes/NAME-domcaps.xml</c>, <c>domains/NAME/DOMAIN.xml</c> and <c>domains/NAME/inactive/DOMAIN.xml</c>. Everything is read before anything
/// is written, every file is written atomically and the index last, so a node that is down or a bad
/// reply leaves an earlier capture in the folder as it was.
/// </summary>
public static class FleetCapture
{
    /// <summary>Captures one live node.</summary>
    /// <param name="entry">The node's fleet entry (with a URI).</param>
    /// <param name="connect">Makes the virsh client of a URI.</param>
    /// <returns>The captured node.</returns>
    /// <exception cref="InputException">The node is down or answers what cannot be read (the message names the node).</exception>
    public static CapturedNode CaptureNode(FleetNodeEntry entry, Func<string, Virsh> connect)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(connect);
        var uri = entry.Uri ?? throw new InputException(entry.Name, "the node has no URI to capture from");
        try
        {
            var virsh = connect(uri);
            var node = NodeCapture.Read(virsh, entry.Accel);
            var (cpus, memoryKiB) = NodeInfo(virsh.Run("nodeinfo"));
            var (physBits, tscFrequency, tscScaling) = HostLimits(node.Capabilities);
            var maxVcpus = MaxVcpus(node.DomainCapabilities);
            var domains = ImmutableArray.CreateBuilder<CapturedDomain>();
            var vanished = ImmutableArray.CreateBuilder<string>();
            var files = new HashSet<string>(StringComparer.Ordinal);
            var persistent = List(virsh, "--persistent").ToHashSet(StringComparer.Ordinal);
            foreach (var name in List(virsh).Order(StringComparer.Ordinal))
            {
                if (Dump(virsh, name, persistent.Contains(name)) is not var (xml, inactive))
                {
                    vanished.Add(name);
                    continue;
                }

                var file = FileNameOf(name);
                while (!files.Add(file))
                {
                    file = "_" + file;
                }

                domains.Add(new CapturedDomain(name, file, xml, inactive));
            }

            var completed = entry with
            {
                Vcpus = entry.Vcpus ?? cpus,
                MemoryMiB = entry.MemoryMiB ?? memoryKiB / 1024,
                MaxVcpus = entry.MaxVcpus ?? maxVcpus,
                PhysBits = entry.PhysBits ?? physBits,
                TscFrequency = entry.TscFrequency ?? tscFrequency,
                TscScaling = entry.TscScaling ?? tscScaling,
                Vanished = vanished.ToImmutable(),
            };
            return new CapturedNode(completed, node, domains.ToImmutable());
        }
        catch (InputException e)
        {
            throw new InputException($"node {entry.Name}", e.Message, e);
        }
    }

    /// <summary>
    /// Captures every node of a fleet that has a URI and writes the capture folder. Nodes given only by a
    /// profile are kept in the index as they are (their files referred to, not copied).
    /// </summary>
    /// <param name="fleetFile">The fleet file.</param>
    /// <param name="outDir">The capture folder (created when missing).</param>
    /// <param name="connect">Makes the virsh client of a URI.</param>
    /// <param name="progress">Told each node's name as it is captured, or null.</param>
    /// <returns>The captured nodes (live ones only), in fleet order.</returns>
    /// <exception cref="InputException">A bad fleet file, a node that is down (nothing is written then), a file that cannot be written.</exception>
    public static ImmutableArray<CapturedNode> Capture(string fleetFile, string outDir, Func<string, Virsh> connect, Action<CapturedNode>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(outDir);
        var entries = FleetFile.Read(fleetFile);
        var captured = new List<CapturedNode>();
        foreach (var entry in entries.Where(e => e.Uri is not null))
        {
            var node = CaptureNode(entry, connect);
            captured.Add(node);
            progress?.Invoke(node);
        }

        Write(outDir, entries, captured);
        return [.. captured];
    }

    /// <summary>Writes a capture folder: domains, profiles, then the index; stale domain files of captured nodes are removed last.</summary>
    /// <param name="outDir">The folder.</param>
    /// <param name="entries">Every node of the fleet, in order.</param>
    /// <param name="captured">The captured live nodes.</param>
    /// <exception cref="InputException">A file cannot be written.</exception>
    public static void Write(string outDir, IReadOnlyList<FleetNodeEntry> entries, IReadOnlyList<CapturedNode> captured)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(captured);
        var root = Path.GetFullPath(outDir);
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "nodes"));
            Directory.CreateDirectory(Path.Combine(root, "domains"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(outDir, "cannot create the capture folder: " + e.Message, e);
        }

        var byName = captured.ToDictionary(c => c.Entry.Name, StringComparer.Ordinal);
        var index = new List<FleetNodeEntry>();
        foreach (var entry in entries)
        {
            if (!byName.TryGetValue(entry.Name, out var c))
            {
                index.Add(entry);
                continue;
            }

            var domainDir = Path.Combine(root, "domains", entry.Name);
            var inactiveDir = Path.Combine(domainDir, FleetDomain.InactiveFolder);
            Directory.CreateDirectory(domainDir);
            foreach (var d in c.Domains)
            {
                AtomicFile.WriteAllText(Path.Combine(domainDir, d.FileName), WithNewline(d.Xml));
                if (d.InactiveXml is { } inactive)
                {
                    Directory.CreateDirectory(inactiveDir);
                    AtomicFile.WriteAllText(Path.Combine(inactiveDir, d.FileName), WithNewline(inactive));
                }
            }

            var profile = Path.Combine(root, "nodes", entry.Name + ".json");
            c.Node.WriteProfile(profile);
            index.Add(c.Entry with { Profile = profile, Domains = domainDir });
        }

        FleetFile.Write(Path.Combine(root, FleetFile.IndexName), index);
        foreach (var c in captured)
        {
            var domainDir = Path.Combine(root, "domains", c.Entry.Name);
            var keep = c.Domains.Select(d => d.FileName).ToHashSet(StringComparer.Ordinal);
            var keepInactive = c.Domains.Where(d => d.InactiveXml is not null).Select(d => d.FileName).ToHashSet(StringComparer.Ordinal);
            RemoveStale(domainDir, keep);
            RemoveStale(Path.Combine(domainDir, FleetDomain.InactiveFolder), keepInactive);
        }
    }

    private static string WithNewline(string xml) => xml.EndsWith('\n') ? xml : xml + "\n";

    private static void RemoveStale(string dir, HashSet<string> keep)
    {
        if (!Directory.Exists(dir))
        {
            return;
        }

        foreach (var stale in Directory.EnumerateFiles(dir, "*.xml").Where(f => !keep.Contains(Path.GetFileName(f))))
        {
            File.Delete(stale);
        }
    }

    /// <summary>The file name a domain is kept in: its name with every character other than letters, digits, '.', '_', '-' escaped as <c>%XX</c>, plus <c>.xml</c>.</summary>
    /// <param name="domain">The domain name.</param>
    /// <returns>The file name.</returns>
    public static string FileNameOf(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(domain))
        {
            var c = (char)b;
            if (b < 128 && (char.IsAsciiLetterOrDigit(c) || c is '_' or '-' || (c == '.' && sb.Length > 0)))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.Append(".xml").ToString();
    }

    /// <summary>Reads <c>virsh nodeinfo</c>: the CPU count and the memory in KiB.</summary>
    /// <param name="text">virsh's output.</param>
    /// <returns>CPUs and memory (KiB).</returns>
    /// <exception cref="InputException">The output lacks either.</exception>
    public static (int Cpus, long MemoryKiB) NodeInfo(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int? cpus = null;
        long? memory = null;
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim().Split(' ')[0];
            if (key == "CPU(s)" && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var c))
            {
                cpus = c;
            }
            else if (key == "Memory size" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var m))
            {
                memory = m;
            }
        }

        return (cpus ?? throw new InputException("virsh nodeinfo", "no CPU(s) line"), memory ?? throw new InputException("virsh nodeinfo", "no Memory size line"));
    }

    /// <summary>Reads the host's physical address bits and TSC counter from libvirt's capabilities XML.</summary>
    /// <param name="capabilities">The capabilities XML.</param>
    /// <returns>Each value, or null when the daemon does not report it.</returns>
    public static (int? PhysBits, long? TscFrequency, bool? TscScaling) HostLimits(string capabilities)
    {
        var cpu = XDocument.Parse(capabilities).Root?.Element("host")?.Element("cpu");
        var bits = (int?)cpu?.Element("maxphysaddr")?.Attribute("bits");
        var counter = cpu?.Elements("counter").FirstOrDefault(c => (string?)c.Attribute("name") == "tsc");
        var frequency = (long?)counter?.Attribute("frequency");
        var scaling = (string?)counter?.Attribute("scaling") is { } s ? s == "yes" : (bool?)null;
        return (bits, frequency, scaling);
    }

    /// <summary>Reads the most vCPUs a guest may have from a domain capabilities XML (<c>&lt;vcpu max&gt;</c>).</summary>
    /// <param name="domainCapabilities">The domain capabilities XML.</param>
    /// <returns>The limit, or null.</returns>
    public static int? MaxVcpus(string domainCapabilities) => (int?)XDocument.Parse(domainCapabilities).Root?.Element("vcpu")?.Attribute("max");

    /// <summary>A running domain's live XML and, when it is persistent, its inactive XML; null when it vanished meanwhile.</summary>
    private static (string Xml, string? Inactive)? Dump(Virsh virsh, string name, bool persistent)
    {
        try
        {
            var xml = virsh.Run("dumpxml", name);
            LibvirtDomain.Parse(xml, $"domain {name}");
            if (!persistent)
            {
                return (xml, null);
            }

            var inactive = virsh.Run("dumpxml", "--inactive", name);
            LibvirtDomain.Parse(inactive, $"domain {name} (inactive)");
            return (xml, inactive);
        }
        catch (InputException) when (!List(virsh).Contains(name, StringComparer.Ordinal))
        {
            return null;
        }
    }

    /// <summary>The running domains (<c>virsh list --name</c>, with a filter such as <c>--persistent</c>).</summary>
    private static List<string> List(Virsh virsh, params string[] filter) =>
        [.. virsh.Run(["list", "--name", .. filter]).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];
}
