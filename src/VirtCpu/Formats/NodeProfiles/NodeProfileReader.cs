using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using VirtCpu.Catalog;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Qemu;

namespace VirtCpu.Formats.NodeProfiles;

/// <summary>A host given inline in a node profile: vendor, signature and feature names (libvirt or QEMU spelling).</summary>
/// <param name="Vendor">The vendor: a catalog vendor name (<c>AMD</c>, <c>Intel</c>) or a 12-character CPUID vendor string.</param>
/// <param name="Family">The CPU family.</param>
/// <param name="Model">The CPU model number.</param>
/// <param name="Stepping">The stepping.</param>
/// <param name="Features">The feature names as written.</param>
public sealed record InlineHost(string Vendor, uint Family, uint Model, uint Stepping, ImmutableArray<string> Features);

/// <summary>
/// One node as read from a profile file (issue 5 item 1): the management catalog, the hypervisor
/// catalog, machine type, accelerator, and the host given as CPU data (raw CPUID or a QEMU reply
/// file) or inline. Names are not resolved here (see <c>VirtCpu.Migration.Node</c>).
/// </summary>
public sealed record NodeProfile
{
    /// <summary>The profile file (for messages).</summary>
    public required string File { get; init; }

    /// <summary>The node's name (from a node list; else the file name without extension).</summary>
    public required string Name { get; init; }

    /// <summary>How the catalog was named: a built-in name or <c>map:DIR</c>.</summary>
    public required string CatalogSource { get; init; }

    /// <summary>The management catalog M.</summary>
    public required CpuCatalog Catalog { get; init; }

    /// <summary>The hypervisor catalog Q.</summary>
    public required QemuHypervisorCatalog Hypervisor { get; init; }

    /// <summary>The machine type as written.</summary>
    public required string Machine { get; init; }

    /// <summary>The accelerator.</summary>
    public required QemuAccelerator Accelerator { get; init; }

    /// <summary>The host as CPU data (raw CPUID or a QEMU reply), or null when inline.</summary>
    public CpuDataInput? HostData { get; init; }

    /// <summary>Where the host data came from (a path, or <c>inline</c>).</summary>
    public required string HostSource { get; init; }

    /// <summary>The inline host, or null.</summary>
    public InlineHost? InlineHost { get; init; }

    /// <summary>
    /// The host CPU as libvirt's domain capabilities state it (the <c>host-model</c> CPU: on a TCG
    /// node, QEMU's TCG CPU), or null.
    /// </summary>
    public VirtCpu.Cpu.CpuDefinition? HostModel { get; init; }

    /// <summary>The node's libvirt release (the <c>libvirt</c> key, else the built-in catalog's release), or null when neither says.</summary>
    public Version? Libvirt { get; init; }
}

/// <summary>Reads node profiles and node lists (JSON).</summary>
public static class NodeProfileReader
{
    private const long MaxBytes = 4L * 1024 * 1024;

    private static readonly ConcurrentDictionary<string, Lazy<CpuCatalog>> Maps = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Lazy<CpuDataInput>> HostFiles = new(StringComparer.Ordinal);

    /// <summary>Reads one profile file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="InputException">Unreadable or malformed file, unknown keys, missing files, unknown catalogs.</exception>
    public static NodeProfile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var doc = Load(path);
        return Parse(doc.RootElement, path, Path.GetFileNameWithoutExtension(path), BaseDirectory(path));
    }

    /// <summary>
    /// Reads a node list: a JSON array of objects, each <c>{"name": N, "profile": FILE}</c> or a
    /// profile's keys plus <c>"name"</c>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The profiles in file order.</returns>
    /// <exception cref="InputException">As for <see cref="Read"/>, and duplicate names.</exception>
    public static ImmutableArray<NodeProfile> ReadList(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var doc = Load(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new InputException(path, "a node list must be a JSON array of named profiles");
        }

        var dir = BaseDirectory(path);
        var list = ImmutableArray.CreateBuilder<NodeProfile>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var n = 0;
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            n++;
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String)
            {
                throw new InputException(path, $"node {n}: expected an object with a \"name\" string");
            }

            var name = nameElement.GetString()!;
            if (!names.Add(name))
            {
                throw new InputException(path, $"node '{name}' is listed twice");
            }

            if (e.TryGetProperty("profile", out var profile))
            {
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name is not ("name" or "profile"))
                    {
                        throw new InputException(path, $"node '{name}': unknown key '{p.Name}' beside \"profile\"");
                    }
                }

                if (profile.ValueKind != JsonValueKind.String)
                {
                    throw new InputException(path, $"node '{name}': \"profile\" must be a file name");
                }

                var file = Path.Combine(dir, profile.GetString()!);
                InputFile.RequireRegularFile(file, path, $"node '{name}': profile");
                using var inner = Load(file);
                list.Add(Parse(inner.RootElement, file, name, BaseDirectory(file)));
            }
            else
            {
                list.Add(Parse(e, path, name, dir, allowName: true));
            }
        }

        return list.ToImmutable();
    }

    /// <summary>Parses one profile object.</summary>
    /// <param name="root">The JSON object.</param>
    /// <param name="file">The file (for messages).</param>
    /// <param name="name">The node name.</param>
    /// <param name="baseDirectory">The directory relative paths are relative to.</param>
    /// <param name="allowName">Whether a <c>"name"</c> key is allowed.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="InputException">Malformed profile.</exception>
    public static NodeProfile Parse(JsonElement root, string file, string name, string baseDirectory, bool allowName = false)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InputException(file, "a node profile must be a JSON object");
        }

        var (catalog, qemu, machine, accel, host, libvirt) = ReadKeys(root, file, allowName);
        var (catalogSource, cpuCatalog) = ReadCatalog(catalog, file, baseDirectory);
        QemuHypervisorCatalog hypervisor;
        try
        {
            hypervisor = BuiltInHypervisors.Get(qemu, baseDirectory);
        }
        catch (InputException e)
        {
            throw new InputException(file, e.Problem ?? e.Message, e);
        }

        var accelerator = accel switch
        {
            "kvm" => QemuAccelerator.Kvm,
            "tcg" => QemuAccelerator.Tcg,
            _ => throw new InputException(file, $"unknown accel '{accel}' (kvm or tcg)"),
        };

        var release = LibvirtRelease(libvirt, catalogSource, file);
        var profile = new NodeProfile
        {
            File = file,
            Name = name,
            Libvirt = release,
            CatalogSource = catalogSource,
            Catalog = cpuCatalog,
            Hypervisor = hypervisor,
            Machine = machine,
            Accelerator = accelerator,
            HostSource = "inline",
        };
        return ReadHost(profile, host, baseDirectory);
    }

    /// <summary>The keys of a profile object, the required ones checked present.</summary>
    private static (JsonElement Catalog, string Qemu, string Machine, string Accel, JsonElement Host, string? Libvirt) ReadKeys(JsonElement root, string file, bool allowName)
    {
        JsonElement? catalog = null, host = null;
        string? qemu = null, machine = null, accel = null, libvirt = null;
        foreach (var p in root.EnumerateObject())
        {
            switch (p.Name)
            {
                case "catalog":
                    catalog = p.Value;
                    break;
                case "qemu":
                    qemu = Text(p.Value, file, "qemu");
                    break;
                case "machine":
                    machine = Text(p.Value, file, "machine");
                    break;
                case "accel":
                    accel = Text(p.Value, file, "accel");
                    break;
                case "host":
                    host = p.Value;
                    break;
                case "libvirt":
                    libvirt = Text(p.Value, file, "libvirt");
                    break;
                case "captured-from" or "qemu-release":
                    Text(p.Value, file, p.Name);
                    break;
                case "name" when allowName:
                    break;
                default:
                    throw new InputException(file, $"unknown key '{p.Name}' (a node profile has libvirt, catalog, qemu, machine, accel, host)");
            }
        }

        if (catalog is null || qemu is null || machine is null || accel is null || host is null)
        {
            var missing = new[] { ("catalog", catalog is null), ("qemu", qemu is null), ("machine", machine is null), ("accel", accel is null), ("host", host is null) }
                .Where(x => x.Item2).Select(x => x.Item1);
            throw new InputException(file, "missing key(s): " + string.Join(", ", missing));
        }

        return (catalog.Value, qemu, machine, accel, host.Value, libvirt);
    }

    /// <summary>The node's libvirt release: the <c>libvirt</c> key, else the built-in catalog's release (<c>libvirt-X.Y</c>), else unknown.</summary>
    private static Version? LibvirtRelease(string? libvirt, string catalogSource, string file)
    {
        if (libvirt is not null)
        {
            return Version.TryParse(libvirt, out var v) ? v : throw new InputException(file, $"libvirt must be a release such as 9.0 or 11.3.0, not '{libvirt}'");
        }

        return BuiltInCatalogs.LibvirtReleaseOf(catalogSource);
    }

    private static NodeProfile ReadHost(NodeProfile profile, JsonElement host, string baseDirectory)
    {
        var file = profile.File;
        if (host.ValueKind != JsonValueKind.Object)
        {
            throw new InputException(file, "\"host\" must be an object");
        }

        var keys = host.EnumerateObject().Select(p => p.Name).ToList();
        if (keys.Count == 1 && keys[0] == "domcapabilities")
        {
            var path = FullPath(file, baseDirectory, Text(host.GetProperty("domcapabilities"), file, "host.domcapabilities"));
            InputFile.RequireRegularFile(path, file, "host domcapabilities file");
            var cpu = CpuXml.ParseAll(InputFile.ReadAllText(path), path, VirtCpu.Cpu.CpuType.Guest)[0];
            if (cpu.Mode != VirtCpu.Cpu.CpuMode.Custom || cpu.Model is null)
            {
                throw new InputException(path, "the domain capabilities hold no host-model CPU with a model");
            }

            return profile with { HostModel = cpu, HostSource = path };
        }

        if (keys.Count == 1 && keys[0] is "cpuid" or "qemu-host")
        {
            var kind = keys[0];
            var path = FullPath(file, baseDirectory, Text(host.GetProperty(kind), file, "host." + kind));
            InputFile.RequireRegularFile(path, file, $"host {kind} file");

            var data = HostFiles.GetOrAdd(path, p => new Lazy<CpuDataInput>(() => CpuDataFile.Read(p))).Value;
            if (kind == "cpuid" && !data.IsRaw)
            {
                throw new InputException(file, $"host \"cpuid\" file {path} holds a QEMU reply, not CPUID data (use \"qemu-host\")");
            }

            if (kind == "qemu-host" && data.Qemu is null)
            {
                throw new InputException(file, $"host \"qemu-host\" file {path} holds raw CPUID data, not a QEMU reply (use \"cpuid\")");
            }

            return profile with { HostData = data, HostSource = path };
        }

        return profile with { InlineHost = ReadInlineHost(host, file) };
    }

    /// <summary>A host written in the profile itself: vendor, family, model, stepping and features.</summary>
    private static InlineHost ReadInlineHost(JsonElement host, string file)
    {
        string? vendor = null;
        uint? family = null, model = null, stepping = null;
        ImmutableArray<string>? features = null;
        foreach (var p in host.EnumerateObject())
        {
            switch (p.Name)
            {
                case "vendor":
                    vendor = Text(p.Value, file, "host.vendor");
                    break;
                case "family":
                    family = Number(p.Value, file, "host.family");
                    break;
                case "model":
                    model = Number(p.Value, file, "host.model");
                    break;
                case "stepping":
                    stepping = Number(p.Value, file, "host.stepping");
                    break;
                case "features":
                    if (p.Value.ValueKind != JsonValueKind.Array)
                    {
                        throw new InputException(file, "host.features must be an array of names");
                    }

                    features = [.. p.Value.EnumerateArray().Select(x => Text(x, file, "host.features[]"))];
                    break;
                default:
                    throw new InputException(file, $"unknown host key '{p.Name}' (host is {{\"cpuid\": FILE}}, {{\"qemu-host\": FILE}}, {{\"domcapabilities\": FILE}} or {{vendor, family, model, stepping, features}})");
            }
        }

        if (vendor is null || family is null || model is null || features is null)
        {
            throw new InputException(file, "an inline host needs vendor, family, model and features (stepping defaults to 0)");
        }

        return new InlineHost(vendor, family.Value, model.Value, stepping ?? 0, features.Value);
    }

    private static (string Source, CpuCatalog Catalog) ReadCatalog(JsonElement catalog, string file, string baseDirectory)
    {
        if (catalog.ValueKind == JsonValueKind.String)
        {
            var name = catalog.GetString()!;
            try
            {
                return (name, BuiltInCatalogs.Get(name));
            }
            catch (InputException e)
            {
                throw new InputException(file, e.Problem ?? e.Message, e);
            }
        }

        if (catalog.ValueKind == JsonValueKind.Object && catalog.TryGetProperty("map", out var map) && catalog.EnumerateObject().Count() == 1)
        {
            var dir = FullPath(file, baseDirectory, Text(map, file, "catalog.map"));
            if (!Directory.Exists(dir))
            {
                throw new InputException(file, $"catalog map directory not found: {dir}");
            }

            return ("map:" + dir, Maps.GetOrAdd(dir, d => new Lazy<CpuCatalog>(() => LibvirtMapReader.Load(d))).Value);
        }

        throw new InputException(file, "\"catalog\" must be a built-in catalog name or {\"map\": DIR}");
    }

    /// <summary>
    /// Parses a profile or node list document: UTF-8 (checked up front), JSON with comments and
    /// trailing commas allowed, nested at most 64 deep.
    /// </summary>
    /// <param name="utf8">The bytes.</param>
    /// <param name="file">The file name used in error messages.</param>
    /// <returns>The document (the caller disposes it).</returns>
    /// <exception cref="InputException">Not UTF-8 or not JSON.</exception>
    public static JsonDocument ParseDocument(ReadOnlyMemory<byte> utf8, string file)
    {
        if (utf8.Span.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8.Span))
        {
            throw new InputException(file, "not UTF-8 text");
        }

        try
        {
            return JsonDocument.Parse(utf8, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new InputException(file, $"line {(e.LineNumber ?? 0) + 1}: malformed JSON: {e.Message}", e);
        }
    }

    private static JsonDocument Load(string path) => ParseDocument(InputFile.ReadAllBytes(path, MaxBytes), path);

    private static string FullPath(string file, string baseDirectory, string relative) =>
        relative.Contains('\0', StringComparison.Ordinal)
            ? throw new InputException(file, "a file name holds a NUL character")
            : Path.GetFullPath(Path.Combine(baseDirectory, relative));

    private static string BaseDirectory(string path) => Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";

    private static string Text(JsonElement e, string file, string key) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new InputException(file, $"{key} must be a string");

    private static uint Number(JsonElement e, string file, string key) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetUInt32(out var v) ? v : throw new InputException(file, $"{key} must be a non-negative integer");
}
