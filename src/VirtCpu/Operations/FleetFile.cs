using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.NodeProfiles;

namespace VirtCpu.Operations;

/// <summary>
/// One node of a fleet file: where it is (a libvirt URI, a captured node profile, or both), its
/// running domains (a folder of <c>virsh dumpxml</c> files), its capacity and the limits beyond
/// CPUID that decide whether a guest can move onto it.
/// </summary>
public sealed record FleetNodeEntry
{
    /// <summary>The node's name (letters, digits, <c>.</c>, <c>_</c>, <c>-</c>: it names files).</summary>
    public required string Name { get; init; }

    /// <summary>The libvirt URI, or null (a node known only by its profile).</summary>
    public string? Uri { get; init; }

    /// <summary>The node profile file (full path), or null (a live node: captured on use).</summary>
    public string? Profile { get; init; }

    /// <summary>The folder of the node's running domains (full path), or null (none recorded).</summary>
    public string? Domains { get; init; }

    /// <summary>The vCPUs guests may use on the node (<c>virsh nodeinfo</c>'s CPUs unless given), or null when unknown.</summary>
    public int? Vcpus { get; init; }

    /// <summary>The memory guests may use, in MiB (<c>virsh nodeinfo</c>'s memory unless given), or null when unknown.</summary>
    public long? MemoryMiB { get; init; }

    /// <summary>The most vCPUs one guest may have on the node (domain capabilities' <c>&lt;vcpu max&gt;</c>), or null when unknown.</summary>
    public int? MaxVcpus { get; init; }

    /// <summary>The host's physical address bits (capabilities' <c>&lt;maxphysaddr&gt;</c>), or null when unknown.</summary>
    public int? PhysBits { get; init; }

    /// <summary>The host's TSC frequency in Hz (capabilities' <c>&lt;counter name='tsc'&gt;</c>), or null when unknown.</summary>
    public long? TscFrequency { get; init; }

    /// <summary>Whether the host can scale the TSC to another frequency, or null when unknown.</summary>
    public bool? TscScaling { get; init; }

    /// <summary>The accelerator the node's guests run with when it is captured (<c>kvm</c>, or <c>tcg</c> for <c>domain type='qemu'</c> guests), or null for KVM when the node offers it.</summary>
    public string? Accel { get; init; }

    /// <summary>Domains that vanished while the node was captured (informational).</summary>
    public ImmutableArray<string> Vanished { get; init; } = [];
}

/// <summary>
/// The fleet file (JSON): <c>{"fleet": 1, "nodes": [{"name": ..., "uri": ..., "profile": ..., "domains":
/// ..., "vcpus": ..., "memory-mib": ..., "max-vcpus": ..., "phys-bits": ..., "tsc-frequency": ...,
/// "tsc-scaling": ...}]}</c>. Every node needs a name and a URI or a profile; file names are relative to
/// the fleet file. <c>virtcpu fleet capture</c> writes one (<c>fleet.json</c>) as the index of its folder.
/// </summary>
public static class FleetFile
{
    /// <summary>The name of the index a captured fleet folder holds.</summary>
    public const string IndexName = "fleet.json";

    private const long MaxBytes = 16L * 1024 * 1024;

    private static readonly string[] Keys = ["name", "uri", "accel", "profile", "domains", "vcpus", "memory-mib", "max-vcpus", "phys-bits", "tsc-frequency", "tsc-scaling", "vanished"];

    /// <summary>The fleet file a path names: the file itself, or a folder's <c>fleet.json</c>.</summary>
    /// <param name="path">A fleet file or a captured fleet folder.</param>
    /// <returns>The file.</returns>
    public static string Locate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Directory.Exists(path) ? Path.Combine(path, IndexName) : path;
    }

    /// <summary>Reads a fleet file (or a captured folder's index).</summary>
    /// <param name="path">The file or folder.</param>
    /// <returns>The nodes in file order.</returns>
    /// <exception cref="InputException">Unreadable or malformed file, unknown keys, duplicate or bad names, a node with neither URI nor profile.</exception>
    public static ImmutableArray<FleetNodeEntry> Read(string path)
    {
        var file = Locate(path);
        if (!File.Exists(file))
        {
            throw new InputException(file, Directory.Exists(path) ? "no fleet index in this folder (is it a 'virtcpu fleet capture' folder?)" : "no such file");
        }

        using var doc = NodeProfileReader.ParseDocument(InputFile.ReadAllBytes(file, MaxBytes), file);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("nodes", out var nodes) || nodes.ValueKind != JsonValueKind.Array)
        {
            throw new InputException(file, "a fleet file is an object with a \"nodes\" array");
        }

        foreach (var p in root.EnumerateObject())
        {
            if (p.Name is not ("fleet" or "nodes"))
            {
                throw new InputException(file, $"unknown key '{p.Name}' (a fleet file has \"fleet\" and \"nodes\")");
            }
        }

        if (root.TryGetProperty("fleet", out var version) && !(version.ValueKind == JsonValueKind.Number && version.TryGetInt32(out var v) && v == 1))
        {
            throw new InputException(file, "\"fleet\" must be 1 (the format version)");
        }

        var dir = Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";
        var list = ImmutableArray.CreateBuilder<FleetNodeEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var n = 0;
        foreach (var e in nodes.EnumerateArray())
        {
            n++;
            list.Add(ParseNode(e, file, dir, n, names));
        }

        if (list.Count == 0)
        {
            throw new InputException(file, "the fleet has no nodes");
        }

        return list.ToImmutable();
    }

    /// <summary>Writes a fleet file (atomically); file names are written relative to its folder.</summary>
    /// <param name="path">The file.</param>
    /// <param name="nodes">The nodes.</param>
    /// <exception cref="InputException">The file cannot be written.</exception>
    public static void Write(string path, IEnumerable<FleetNodeEntry> nodes)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(nodes);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("fleet", 1);
            w.WriteStartArray("nodes");
            foreach (var node in nodes)
            {
                w.WriteStartObject();
                w.WriteString("name", node.Name);
                WriteIf(w, "uri", node.Uri);
                WriteIf(w, "accel", node.Accel);
                WriteIf(w, "profile", node.Profile is null ? null : Relative(dir, node.Profile));
                WriteIf(w, "domains", node.Domains is null ? null : Relative(dir, node.Domains));
                WriteIf(w, "vcpus", node.Vcpus);
                WriteIf(w, "memory-mib", node.MemoryMiB);
                WriteIf(w, "max-vcpus", node.MaxVcpus);
                WriteIf(w, "phys-bits", node.PhysBits);
                WriteIf(w, "tsc-frequency", node.TscFrequency);
                if (node.TscScaling is { } scaling)
                {
                    w.WriteBoolean("tsc-scaling", scaling);
                }

                if (!node.Vanished.IsEmpty)
                {
                    w.WriteStringArray("vanished", node.Vanished);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        AtomicFile.WriteAllText(path, Encoding.UTF8.GetString(buffer.ToArray()) + "\n");
    }

    /// <summary>Whether a name can name a node (and its files).</summary>
    /// <param name="name">The name.</param>
    /// <returns>True when it is 1-64 letters, digits, dots, underscores or dashes, not starting with a dot.</returns>
    public static bool IsNodeName(string name) =>
        name is { Length: > 0 and <= 64 } && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static FleetNodeEntry ParseNode(JsonElement e, string file, string dir, int n, HashSet<string> names)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String)
        {
            throw new InputException(file, $"node {n}: expected an object with a \"name\" string");
        }

        var name = nameElement.GetString()!;
        if (!IsNodeName(name))
        {
            throw new InputException(file, $"node {n}: bad name '{InputException.OneLine(name)}' (letters, digits, '.', '_', '-'; it names files)");
        }

        if (!names.Add(name))
        {
            throw new InputException(file, $"node '{name}' is listed twice");
        }

        foreach (var p in e.EnumerateObject())
        {
            if (!Keys.Contains(p.Name, StringComparer.Ordinal))
            {
                throw new InputException(file, $"node '{name}': unknown key '{p.Name}' (keys: {string.Join(", ", Keys)})");
            }
        }

        var entry = new FleetNodeEntry
        {
            Name = name,
            Uri = Text(e, "uri", file, name),
            Accel = Text(e, "accel", file, name) is { } accel ? accel is "kvm" or "tcg" ? accel : throw new InputException(file, $"node '{name}': \"accel\" must be \"kvm\" or \"tcg\"") : null,
            Profile = Text(e, "profile", file, name) is { } profile ? Full(dir, profile, file, name) : null,
            Domains = Text(e, "domains", file, name) is { } domains ? Full(dir, domains, file, name) : null,
            Vcpus = (int?)Number(e, "vcpus", file, name, int.MaxValue),
            MemoryMiB = Number(e, "memory-mib", file, name, long.MaxValue / (1024 * 1024)),
            MaxVcpus = (int?)Number(e, "max-vcpus", file, name, int.MaxValue),
            PhysBits = (int?)Number(e, "phys-bits", file, name, 64),
            TscFrequency = Number(e, "tsc-frequency", file, name, long.MaxValue),
            TscScaling = e.TryGetProperty("tsc-scaling", out var s) ? s.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new InputException(file, $"node '{name}': \"tsc-scaling\" must be true or false"),
            } : null,
            Vanished = e.TryGetProperty("vanished", out var gone) && gone.ValueKind == JsonValueKind.Array
                ? [.. gone.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw new InputException(file, $"node '{name}': \"vanished\" must list names"))]
                : [],
        };
        if (entry.Uri is null && entry.Profile is null)
        {
            throw new InputException(file, $"node '{name}': give \"uri\" (a live node) or \"profile\" (a captured node profile)");
        }

        if (entry.Domains is not null && !Directory.Exists(entry.Domains))
        {
            throw new InputException(file, $"node '{name}': domains folder {entry.Domains} not found");
        }

        return entry;
    }

    private static string? Text(JsonElement e, string key, string file, string node)
    {
        if (!e.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s && !s.Contains('\0', StringComparison.Ordinal)
            ? s
            : throw new InputException(file, $"node '{node}': \"{key}\" must be a non-empty string");
    }

    private static long? Number(JsonElement e, string key, string file, string node, long max)
    {
        if (!e.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var x) && x > 0 && x <= max
            ? x
            : throw new InputException(file, $"node '{node}': \"{key}\" must be a positive integer{(max < int.MaxValue ? string.Create(CultureInfo.InvariantCulture, $" up to {max}") : "")}");
    }

    private static string Full(string dir, string relative, string file, string node)
    {
        try
        {
            return Path.GetFullPath(Path.Combine(dir, relative));
        }
        catch (ArgumentException ex)
        {
            throw new InputException(file, $"node '{node}': bad file name '{InputException.OneLine(relative)}'", ex);
        }
    }

    private static string Relative(string dir, string path) => Path.GetRelativePath(dir, path).Replace('\\', '/');

    private static void WriteIf(Utf8JsonWriter w, string key, string? value)
    {
        if (value is not null)
        {
            w.WriteString(key, value);
        }
    }

    private static void WriteIf(Utf8JsonWriter w, string key, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(key, v);
        }
    }
}
