using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.ProjectFiles;

namespace VirtCpu.Live;

/// <summary>
/// What <c>virtcpu node capture</c> reads from a running libvirt + QEMU node: the daemon's libvirt
/// release, the QEMU release, the accelerator it offers, the machine type a plain <c>pc</c> guest
/// gets, and the host CPU libvirt uses for <c>host-model</c> and <c>check='partial'</c> (QEMU's
/// TCG CPU on a TCG node), as libvirt's domain capabilities state it.
/// </summary>
public sealed record NodeCapture
{
    /// <summary>The URI it was captured from.</summary>
    public required string Uri { get; init; }

    /// <summary>The daemon's libvirt release (e.g. 9.0.0).</summary>
    public required Version Libvirt { get; init; }

    /// <summary>The QEMU release (e.g. 7.2.22).</summary>
    public required Version Qemu { get; init; }

    /// <summary><c>kvm</c> or <c>tcg</c>.</summary>
    public required string Accelerator { get; init; }

    /// <summary>The machine type <c>pc</c> stands for on this QEMU.</summary>
    public required string Machine { get; init; }

    /// <summary>The domain capabilities XML, as the daemon wrote it.</summary>
    public required string DomainCapabilities { get; init; }

    /// <summary>The capabilities XML, as the daemon wrote it.</summary>
    public required string Capabilities { get; init; }

    /// <summary>Captures a node.</summary>
    /// <param name="virsh">virsh pointed at the node.</param>
    /// <param name="accelerator">The accelerator its guests run with: <c>kvm</c>, <c>tcg</c> (or libvirt's word for it, <c>qemu</c>: <c>domain type='qemu'</c>), or null for KVM when the node offers it, else TCG.</param>
    /// <returns>The capture.</returns>
    /// <exception cref="InputException">The daemon is down, the URI is wrong, virsh is missing, or the replies are not understood.</exception>
    public static NodeCapture Read(Virsh virsh, string? accelerator = null)
    {
        ArgumentNullException.ThrowIfNull(virsh);
        var versions = virsh.Run("version", "--daemon");
        var libvirt = VersionAfter(versions, "Running against daemon:") ?? throw new InputException(virsh.Target, "virsh version --daemon printed no daemon version");
        var qemu = VersionAfter(versions, "Running hypervisor: QEMU") ?? throw new InputException(virsh.Target, "virsh version printed no QEMU version (is this a QEMU driver URI?)");
        var capabilities = virsh.Run("capabilities");
        var caps = Parse(capabilities, virsh.Target, "capabilities");
        var x86 = caps.Descendants("guest").FirstOrDefault(g => (string?)g.Element("arch")?.Attribute("name") == "x86_64")
            ?? throw new InputException(virsh.Target, "the node offers no x86_64 guests");
        var offersKvm = x86.Element("arch")!.Elements("domain").Any(d => (string?)d.Attribute("type") == "kvm");
        var kvm = accelerator switch
        {
            null => offersKvm,
            "tcg" or "qemu" => false, // libvirt calls a TCG domain type qemu
            "kvm" when offersKvm => true,
            "kvm" => throw new InputException(virsh.Target, "the node offers no KVM guests (its capabilities list no domain type 'kvm')"),
            _ => throw new ArgumentException($"unknown accelerator '{accelerator}' (kvm or tcg)", nameof(accelerator)),
        };
        var machine = x86.Element("arch")!.Elements("machine").FirstOrDefault(m => m.Value.Trim() == "pc")?.Attribute("canonical")?.Value
            ?? throw new InputException(virsh.Target, "the node's QEMU has no 'pc' machine type");
        var domcaps = virsh.Run("domcapabilities", "--virttype", kvm ? "kvm" : "qemu", "--arch", "x86_64", "--machine", machine);
        Parse(domcaps, virsh.Target, "domcapabilities");
        return new NodeCapture
        {
            Uri = virsh.Target,
            Libvirt = libvirt,
            Qemu = qemu,
            Accelerator = kvm ? "kvm" : "tcg",
            Machine = machine,
            DomainCapabilities = domcaps,
            Capabilities = capabilities,
        };
    }

    /// <summary>The built-in catalog of this node's libvirt release (<c>libvirt-X.Y</c>), or null when none is built in.</summary>
    public string? BuiltInCatalog => BuiltInCatalogs.Contains(ShortName("libvirt", Libvirt)) ? ShortName("libvirt", Libvirt) : null;

    /// <summary>The built-in QEMU catalog of this node's QEMU release (<c>qemu-X.Y</c>), or null when none is built in.</summary>
    public string? BuiltInHypervisor => BuiltInHypervisors.Names.Contains(ShortName("qemu", Qemu)) ? ShortName("qemu", Qemu) : null;

    /// <summary>
    /// Writes the node profile (<c>NAME.json</c>) and its host file (<c>NAME-domcaps.xml</c>) into a
    /// folder; the profile names the built-in catalogs of the node's releases, or <paramref name="map"/>.
    /// </summary>
    /// <param name="profilePath">The profile file to write.</param>
    /// <param name="map">A cpu_map folder the daemon uses instead of its release's own, or null.</param>
    /// <exception cref="InputException">No built-in catalog for a release and no map given.</exception>
    public void WriteProfile(string profilePath, string? map = null)
    {
        ArgumentNullException.ThrowIfNull(profilePath);
        var hypervisor = BuiltInHypervisor ?? throw new InputException(Uri, $"QEMU {Qemu.ToString(2)} is not modelled; built-in QEMU catalogs: {string.Join(", ", BuiltInHypervisors.Names)}");
        var catalog = map is null ? BuiltInCatalog ?? throw new InputException(Uri, $"libvirt {Libvirt.ToString(2)} has no built-in catalog ({string.Join(", ", BuiltInCatalogs.Names)}); give its cpu_map with --map") : null;
        var dir = Path.GetDirectoryName(Path.GetFullPath(profilePath))!;
        var stem = Path.GetFileNameWithoutExtension(profilePath);
        var hostFile = stem + "-domcaps.xml";
        AtomicFile.WriteAllText(Path.Combine(dir, hostFile), DomainCapabilities);
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("libvirt", Libvirt.ToString(3));
            if (catalog is not null)
            {
                w.WriteString("catalog", catalog);
            }
            else
            {
                w.WriteStartObject("catalog");
                w.WriteString("map", Path.GetRelativePath(dir, Path.GetFullPath(map!)));
                w.WriteEndObject();
            }

            w.WriteString("qemu", hypervisor);
            w.WriteString("machine", Machine);
            w.WriteString("accel", Accelerator);
            w.WriteStartObject("host");
            w.WriteString("domcapabilities", hostFile);
            w.WriteEndObject();
            w.WriteString("captured-from", Uri);
            w.WriteString("qemu-release", Qemu.ToString(3));
            w.WriteEndObject();
        }

        AtomicFile.WriteAllText(profilePath, Encoding.UTF8.GetString(buffer.ToArray()) + "\n");
    }

    private static string ShortName(string prefix, Version v) => string.Create(CultureInfo.InvariantCulture, $"{prefix}-{v.Major}.{v.Minor}");

    private static Version? VersionAfter(string text, string label)
    {
        foreach (var line in text.Split('\n'))
        {
            var at = line.IndexOf(label, StringComparison.Ordinal);
            if (at >= 0 && Version.TryParse(line[(at + label.Length)..].Trim(), out var v))
            {
                return v;
            }
        }

        return null;
    }

    private static XElement Parse(string xml, string target, string what)
    {
        try
        {
            return XDocument.Parse(xml).Root ?? throw new InputException(target, $"virsh {what} printed no XML");
        }
        catch (System.Xml.XmlException e)
        {
            throw new InputException(target, $"virsh {what} printed malformed XML: {e.Message}", e);
        }
    }
}
