using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Xml.Linq;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Formats.Input;

namespace VirtCpu.Formats.LibvirtXml;

/// <summary>How <see cref="CpuXml.Format"/> prints what changed between libvirt versions.</summary>
public enum CpuXmlStyle
{
    /// <summary>libvirt 11.x: <c>&lt;topology&gt;</c> carries <c>clusters</c>.</summary>
    Libvirt11 = 0,

    /// <summary>libvirt 9.x: <c>&lt;topology&gt;</c> has no <c>clusters</c> attribute.</summary>
    Libvirt9 = 1,
}

/// <summary>Options of <see cref="CpuXml.Parse"/> and <see cref="CpuXml.ParseAll(string, string, CpuType?, CpuXmlParseOptions)"/>.</summary>
[Flags]
public enum CpuXmlParseOptions
{
    /// <summary>libvirt's behaviour.</summary>
    None = 0,

    /// <summary>
    /// A deliberate deviation from libvirt: a host CPU that has a <c>&lt;model&gt;</c> gets mode
    /// custom instead of "none" (null), as if decode had created it, so that formatting prints its
    /// <c>&lt;model&gt;</c> and <c>&lt;vendor&gt;</c> again. libvirt's parser leaves host CPUs
    /// without a mode, and its formatter then drops the model (section 3.4, rule 2); decode output
    /// such as <c>x86_64-cpuid-*-host.xml</c> only round-trips with this option.
    /// </summary>
    HostModelAsCustom = 1,
}

/// <summary>
/// libvirt <c>&lt;cpu&gt;</c> definitions: parse (<c>virCPUDefParseXML</c>) and format
/// (<c>virCPUDefFormat</c>) with libvirt's exact text, as <c>docs/design.md#53-cpu-definitions</c>
/// describes them. Every error becomes an <see cref="InputException"/> naming the file and line.
/// </summary>
/// <remarks>
/// Not kept (parsed as unknown children and dropped): <c>&lt;cache&gt;</c>,
/// <c>&lt;maxphysaddr&gt;</c>, <c>&lt;numa&gt;</c>, <c>&lt;pages&gt;</c>.
/// </remarks>
public static partial class CpuXml
{
    // libvirt's virArch names: any other <arch> of a host CPU is an error.
    private static readonly FrozenSet<string> KnownArchitectures = FrozenSet.ToFrozenSet(
    [
        "alpha", "armv6l", "armv7l", "armv7b", "aarch64", "cris", "i686", "ia64", "lm32", "loongarch64",
        "m68k", "microblaze", "microblazeel", "mips", "mipsel", "mips64", "mips64el", "openrisc",
        "parisc", "parisc64", "ppc", "ppcle", "ppc64", "ppc64le", "ppcemb", "riscv32", "riscv64",
        "s390", "s390x", "sh4", "sh4eb", "sparc", "sparc64", "unicore32", "x86_64", "xtensa", "xtensaeb",
    ], StringComparer.Ordinal);

    /// <summary>Parses a document whose root is one <c>&lt;cpu&gt;</c> element.</summary>
    /// <param name="xml">The XML text.</param>
    /// <param name="file">The file name used in error messages.</param>
    /// <param name="type">
    /// Host or guest, or null for libvirt's "auto": host when the element has an <c>&lt;arch&gt;</c>
    /// child, guest otherwise (an <c>&lt;arch&gt;</c> together with a <c>match</c> attribute is an error).
    /// </param>
    /// <param name="options">Deviations from libvirt's parser.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="InputException">The XML is malformed or not a valid CPU definition.</exception>
    public static CpuDefinition Parse(string xml, string file, CpuType? type = null, CpuXmlParseOptions options = CpuXmlParseOptions.None)
    {
        var root = XmlInput.LoadRoot(xml, file);
        if (root.Name.LocalName != "cpu")
        {
            throw XmlInput.Error(file, root, $"XML does not contain expected 'cpu' element (root is <{root.Name.LocalName}>)");
        }

        return ParseElement(root, file, type, options);
    }

    /// <summary>
    /// Parses every CPU definition found in a document, in document order.
    /// </summary>
    /// <remarks>
    /// The rule (close to <c>virsh cpu-baseline</c>'s): the text may be one document or several
    /// top-level elements without a common root (concatenated <c>&lt;cpu&gt;</c> elements). Every
    /// <c>&lt;cpu&gt;</c> element found at any depth is one definition (its own subtree is not
    /// searched further), except <c>&lt;cpu&gt;</c> entries of a NUMA <c>&lt;cpus&gt;</c> list
    /// (capabilities topology), which are skipped. So a bare <c>&lt;cpu&gt;</c>, a
    /// <c>&lt;cpuTest&gt;</c> list, capabilities XML (<c>/capabilities/host/cpu</c>) and domain XML
    /// (<c>/domain/cpu</c>) all work. In domain capabilities XML, the <c>&lt;cpu&gt;</c> child of
    /// <c>&lt;domainCapabilities&gt;</c> is not a definition; its <c>&lt;mode name='host-model'
    /// supported='yes'&gt;</c> element is read instead as a guest CPU with mode custom and match
    /// exact whose model (with its fallback), vendor and features are those of the mode element.
    /// </remarks>
    /// <param name="xml">The XML text.</param>
    /// <param name="file">The file name used in error messages.</param>
    /// <param name="type">Host, guest or null for auto (see <see cref="Parse"/>); domain capabilities always give guest CPUs.</param>
    /// <param name="options">Deviations from libvirt's parser.</param>
    /// <returns>The definitions, at least one.</returns>
    /// <exception cref="InputException">The XML is malformed, holds no CPU definition or an invalid one.</exception>
    public static ImmutableArray<CpuDefinition> ParseAll(string xml, string file, CpuType? type = null, CpuXmlParseOptions options = CpuXmlParseOptions.None)
    {
        ArgumentNullException.ThrowIfNull(xml);
        if (xml.Length <= SafeXml.MaxCharactersInDocument && Ascii.IsValid(xml) && TryParseHostList(Encoding.ASCII.GetBytes(xml), type, options) is { } hosts)
        {
            return hosts;
        }

        return ParseAllWithTree(xml, file, type, options);
    }

    /// <summary>Parses every CPU definition found in UTF-8 text (see <see cref="ParseAll(string, string, CpuType?, CpuXmlParseOptions)"/> for the rule).</summary>
    /// <param name="utf8">The XML text as UTF-8 bytes (a byte order mark is allowed).</param>
    /// <param name="file">The file name used in error messages.</param>
    /// <param name="type">Host, guest or null for auto.</param>
    /// <param name="options">Deviations from libvirt's parser.</param>
    /// <returns>The definitions, at least one.</returns>
    /// <exception cref="InputException">The bytes are not UTF-8, the XML is malformed, holds no CPU definition or an invalid one.</exception>
    public static ImmutableArray<CpuDefinition> ParseAll(ReadOnlySpan<byte> utf8, string file, CpuType? type = null, CpuXmlParseOptions options = CpuXmlParseOptions.None) =>
        TryParseHostList(utf8, type, options) ?? ParseAllWithTree(InputFile.DecodeUtf8(utf8, file), file, type, options);

    /// <summary>The full parser behind <see cref="ParseAll(string, string, CpuType?, CpuXmlParseOptions)"/>, without the fast path (tests and fuzzing compare the two).</summary>
    /// <param name="xml">The text.</param>
    /// <param name="file">The file name used in error messages.</param>
    /// <param name="type">Host, guest or null for auto.</param>
    /// <param name="options">Deviations from libvirt's parser.</param>
    /// <returns>The definitions.</returns>
    internal static ImmutableArray<CpuDefinition> ParseAllWithTree(string xml, string file, CpuType? type, CpuXmlParseOptions options)
    {
        var result = ImmutableArray.CreateBuilder<CpuDefinition>();
        XmlInput.ForEachTopElement(xml, file, top => Collect(top, file, type, options, result));

        if (result.Count == 0)
        {
            throw new InputException(file, "no CPU definition found (no <cpu> element, and no supported host-model CPU in domain capabilities)");
        }

        return result.ToImmutable();
    }

    /// <summary>Reads a file whose root is one <c>&lt;cpu&gt;</c> element (see <see cref="Parse"/>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="type">Host, guest or null for auto.</param>
    /// <param name="options">Deviations from libvirt's parser.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="InputException">The file cannot be read, is too large, or is not a valid CPU definition.</exception>
    public static CpuDefinition ReadFile(string path, CpuType? type = null, CpuXmlParseOptions options = CpuXmlParseOptions.None) =>
        Parse(InputFile.ReadAllText(path), path, type, options);

    /// <summary>Reads every CPU definition of a file (see <see cref="ParseAll(string, string, CpuType?, CpuXmlParseOptions)"/> for the rule).</summary>
    /// <param name="path">The file.</param>
    /// <param name="type">Host, guest or null for auto.</param>
    /// <param name="options">Deviations from libvirt's parser.</param>
    /// <returns>The definitions, at least one.</returns>
    /// <exception cref="InputException">The file cannot be read, is too large, holds no CPU definition or an invalid one.</exception>
    public static ImmutableArray<CpuDefinition> ReadAllFile(string path, CpuType? type = null, CpuXmlParseOptions options = CpuXmlParseOptions.None)
    {
        ArgumentNullException.ThrowIfNull(path);
        return TryReadHostListFile(path, type, options) ?? ParseAll(InputFile.ReadAllBytes(path), path, type, options);
    }

    /// <summary>Formats a definition exactly as libvirt does (two-space indent, single quotes, final newline).</summary>
    /// <param name="cpu">The definition.</param>
    /// <param name="style">Which libvirt version's formatting.</param>
    /// <returns>The XML text; empty when the definition has neither attributes nor children (as libvirt).</returns>
    public static string Format(CpuDefinition cpu, CpuXmlStyle style = CpuXmlStyle.Libvirt11)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        var guest = cpu.Type == CpuType.Guest;
        var attrs = FormatAttributes(cpu);
        var children = new List<string>();
        if (cpu.Type == CpuType.Host && cpu.Arch is not null)
        {
            children.Add($"<arch>{Escape(cpu.Arch)}</arch>");
        }

        if (FormatModel(cpu) is { } model)
        {
            children.Add(model);
        }

        if (cpu.Mode is CpuMode.Custom or CpuMode.HostModel && cpu.Vendor is not null)
        {
            children.Add($"<vendor>{Escape(cpu.Vendor)}</vendor>");
        }

        if (cpu.Type == CpuType.Host)
        {
            FormatHostData(cpu, children);
        }

        if (cpu.Topology is { Sockets: not 0, Dies: not 0, Clusters: not 0, Cores: not 0, Threads: not 0 } t)
        {
            children.Add(style == CpuXmlStyle.Libvirt9
                ? string.Create(CultureInfo.InvariantCulture, $"<topology sockets='{t.Sockets}' dies='{t.Dies}' cores='{t.Cores}' threads='{t.Threads}'/>")
                : string.Create(CultureInfo.InvariantCulture, $"<topology sockets='{t.Sockets}' dies='{t.Dies}' clusters='{t.Clusters}' cores='{t.Cores}' threads='{t.Threads}'/>"));
        }

        foreach (var f in cpu.Features)
        {
            children.Add(guest && f.Policy is { } p
                ? $"<feature policy='{PolicyName(p)}' name='{Escape(f.Name)}'/>"
                : $"<feature name='{Escape(f.Name)}'/>");
        }

        if (attrs.Length == 0 && children.Count == 0)
        {
            return string.Empty;
        }

        if (children.Count == 0)
        {
            return $"<cpu{attrs}/>\n";
        }

        var sb = new StringBuilder();
        sb.Append("<cpu").Append(attrs).Append(">\n");
        foreach (var c in children)
        {
            sb.Append("  ").Append(c).Append('\n');
        }

        sb.Append("</cpu>\n");
        return sb.ToString();
    }

    /// <summary>The <c>cpu</c> element's attributes: only for a guest CPU with a mode other than custom, or a model.</summary>
    private static StringBuilder FormatAttributes(CpuDefinition cpu)
    {
        var attrs = new StringBuilder();
        if (cpu.Type != CpuType.Guest || (cpu.Mode == CpuMode.Custom && cpu.Model is null))
        {
            return attrs;
        }

        if (cpu.Mode is { } mode)
        {
            attrs.Append(" mode='").Append(ModeName(mode)).Append('\'');
        }

        if (cpu.Mode == CpuMode.Custom)
        {
            attrs.Append(" match='").Append(MatchName(cpu.Match)).Append('\'');
        }

        if (cpu.Check != CpuCheck.Default)
        {
            attrs.Append(" check='").Append(CheckName(cpu.Check)).Append('\'');
        }

        if (cpu.Mode is CpuMode.HostPassthrough or CpuMode.Maximum && cpu.Migratable is { } migratable)
        {
            attrs.Append(" migratable='").Append(migratable ? "on" : "off").Append('\'');
        }

        if (cpu.DeprecatedFeatures is { } deprecated)
        {
            attrs.Append(" deprecated_features='").Append(deprecated ? "on" : "off").Append('\'');
        }

        return attrs;
    }

    /// <summary>The <c>model</c> element (custom and host-model only; a guest's carries <c>fallback</c> and <c>vendor_id</c>), or null.</summary>
    private static string? FormatModel(CpuDefinition cpu)
    {
        var guest = cpu.Type == CpuType.Guest;
        var formatModel = cpu.Mode is CpuMode.Custom or CpuMode.HostModel;
        var formatFallback = guest && (cpu.Mode == CpuMode.HostModel || (cpu.Mode == CpuMode.Custom && cpu.Model is not null));
        if (!((formatModel && (cpu.Model is not null || cpu.VendorId is not null)) || formatFallback))
        {
            return null;
        }

        var model = new StringBuilder("<model");
        if (formatFallback)
        {
            model.Append(" fallback='").Append(cpu.Fallback == CpuFallback.Forbid ? "forbid" : "allow").Append('\'');
        }

        if (formatModel && guest && cpu.VendorId is not null)
        {
            model.Append(" vendor_id='").Append(Escape(cpu.VendorId)).Append('\'');
        }

        if (formatModel && cpu.Model is not null)
        {
            model.Append('>').Append(Escape(cpu.Model)).Append("</model>");
        }
        else
        {
            model.Append("/>");
        }

        return model.ToString();
    }

    /// <summary>What only a host CPU shows: microcode, signature and TSC counter.</summary>
    private static void FormatHostData(CpuDefinition cpu, List<string> children)
    {
        if (cpu.Microcode != 0)
        {
            children.Add(string.Create(CultureInfo.InvariantCulture, $"<microcode version='{cpu.Microcode}'/>"));
        }

        if (cpu.Signature is { Family: not 0 } s)
        {
            children.Add(string.Create(CultureInfo.InvariantCulture, $"<signature family='{s.Family}' model='{s.Model}' stepping='{s.Stepping}'/>"));
        }

        if (cpu.Tsc is { } tsc)
        {
            var scaling = tsc.Scaling is { } sc ? (sc ? " scaling='yes'" : " scaling='no'") : string.Empty;
            children.Add(string.Create(CultureInfo.InvariantCulture, $"<counter name='tsc' frequency='{tsc.Frequency}'{scaling}/>"));
        }
    }

    /// <summary>libvirt's name of a mode.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns><c>custom</c>, <c>host-model</c>, <c>host-passthrough</c> or <c>maximum</c>.</returns>
    public static string ModeName(CpuMode mode) => mode switch
    {
        CpuMode.Custom => "custom",
        CpuMode.HostModel => "host-model",
        CpuMode.HostPassthrough => "host-passthrough",
        _ => "maximum",
    };

    /// <summary>libvirt's name of a match mode.</summary>
    /// <param name="match">The match mode.</param>
    /// <returns><c>exact</c>, <c>minimum</c> or <c>strict</c>.</returns>
    public static string MatchName(CpuMatch match) => match switch
    {
        CpuMatch.Exact => "exact",
        CpuMatch.Minimum => "minimum",
        _ => "strict",
    };

    /// <summary>libvirt's name of a check mode.</summary>
    /// <param name="check">The check mode.</param>
    /// <returns><c>default</c>, <c>none</c>, <c>partial</c> or <c>full</c>.</returns>
    public static string CheckName(CpuCheck check) => check switch
    {
        CpuCheck.Default => "default",
        CpuCheck.None => "none",
        CpuCheck.Partial => "partial",
        _ => "full",
    };

    /// <summary>libvirt's name of a feature policy.</summary>
    /// <param name="policy">The policy.</param>
    /// <returns><c>force</c>, <c>require</c>, <c>optional</c>, <c>disable</c> or <c>forbid</c>.</returns>
    public static string PolicyName(FeaturePolicy policy) => policy switch
    {
        FeaturePolicy.Force => "force",
        FeaturePolicy.Require => "require",
        FeaturePolicy.Optional => "optional",
        FeaturePolicy.Disable => "disable",
        _ => "forbid",
    };

    /// <summary>Reads a feature policy name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The policy, or null when the name is unknown.</returns>
    public static FeaturePolicy? ParsePolicy(string name) => name switch
    {
        "force" => FeaturePolicy.Force,
        "require" => FeaturePolicy.Require,
        "optional" => FeaturePolicy.Optional,
        "disable" => FeaturePolicy.Disable,
        "forbid" => FeaturePolicy.Forbid,
        _ => null,
    };

    /// <summary>Parses one guest <c>&lt;cpu&gt;</c> element of a tree that <see cref="SafeXml"/> already loaded (a domain XML's).</summary>
    /// <param name="cpu">The element.</param>
    /// <param name="file">The file name used in error messages.</param>
    /// <returns>The definition.</returns>
    internal static CpuDefinition ParseGuestElement(XElement cpu, string file) => ParseElement(cpu, file, CpuType.Guest, CpuXmlParseOptions.None);

    private static void Collect(XElement e, string file, CpuType? type, CpuXmlParseOptions options, ImmutableArray<CpuDefinition>.Builder result)
    {
        switch (e.Name.LocalName)
        {
            case "cpu":
                result.Add(ParseElement(e, file, type, options));
                return;
            case "cpus":
                return;
            case "domainCapabilities":
                foreach (var cpu in e.Elements("cpu"))
                {
                    foreach (var mode in cpu.Elements("mode"))
                    {
                        if ((string?)mode.Attribute("name") == "host-model" && (string?)mode.Attribute("supported") == "yes")
                        {
                            result.Add(ParseElement(mode, file, CpuType.Guest, options, hostModelOfDomainCapabilities: true));
                        }
                    }
                }

                return;
            default:
                foreach (var child in e.Elements())
                {
                    Collect(child, file, type, options, result);
                }

                return;
        }
    }

    private static CpuDefinition ParseElement(XElement e, string file, CpuType? requestedType, CpuXmlParseOptions options, bool hostModelOfDomainCapabilities = false)
    {
        var archElement = e.Element("arch");
        var type = ParseType(e, file, requestedType, archElement);

        string? Attr(string name) => hostModelOfDomainCapabilities ? null : (string?)e.Attribute(name);

        var mode = ParseMode(e, file, type, Attr("mode"));
        var (match, check, deprecatedFeatures) = type == CpuType.Guest
            ? ParseGuestAttributes(e, file, Attr("match"), Attr("check"), Attr("deprecated_features"))
            : (CpuMatch.Exact, CpuCheck.Default, null);
        var migratable = ParseMigratable(e, file, mode, Attr("migratable"));
        var host = type == CpuType.Host ? ParseHostData(e, file, archElement) : default;
        var (model, fallback, vendorId) = ParseModel(e, file, type, mode);

        var vendorElement = e.Element("vendor");
        var vendor = NonEmpty(vendorElement?.Value);
        if (vendor is not null && model is null)
        {
            throw XmlInput.Error(file, vendorElement, "CPU vendor specified without CPU model");
        }

        var topology = ParseTopology(e, file);
        var features = ParseFeatures(e, file, type, mode, model);
        if (type == CpuType.Host && model is not null && (options & CpuXmlParseOptions.HostModelAsCustom) != 0)
        {
            mode = CpuMode.Custom;
        }

        return new CpuDefinition
        {
            Type = type,
            Mode = mode,
            Match = match,
            Check = check,
            Fallback = fallback,
            Arch = host.Arch,
            Model = model,
            Vendor = vendor,
            VendorId = vendorId,
            Features = features,
            Topology = topology,
            Signature = host.Signature,
            Microcode = host.Microcode,
            Tsc = host.Tsc,
            Migratable = migratable,
            DeprecatedFeatures = deprecatedFeatures,
        };
    }

    /// <summary>The CPU's type: the one asked for, else host when it has an <c>arch</c> element (and no <c>match</c>), else guest.</summary>
    private static CpuType ParseType(XElement e, string file, CpuType? requestedType, XElement? archElement)
    {
        if (requestedType is { } requested)
        {
            return requested;
        }

        if (archElement is null)
        {
            return CpuType.Guest;
        }

        if (e.Attribute("match") is not null)
        {
            throw XmlInput.Error(file, e, "'arch' element cannot be used inside 'cpu' element with 'match' attribute'");
        }

        return CpuType.Host;
    }

    private static CpuMode? ParseMode(XElement e, string file, CpuType type, string? modeText)
    {
        if (modeText is null)
        {
            return type == CpuType.Host ? null : CpuMode.Custom;
        }

        if (type == CpuType.Host)
        {
            throw XmlInput.Error(file, e, "Attribute mode is only allowed for guest CPU");
        }

        return modeText switch
        {
            "custom" => CpuMode.Custom,
            "host-model" => CpuMode.HostModel,
            "host-passthrough" => CpuMode.HostPassthrough,
            "maximum" => CpuMode.Maximum,
            _ => throw XmlInput.Error(file, e, $"Invalid mode attribute '{modeText}'"),
        };
    }

    /// <summary>A guest CPU's <c>match</c>, <c>check</c> and <c>deprecated_features</c> attributes.</summary>
    private static (CpuMatch Match, CpuCheck Check, bool? DeprecatedFeatures) ParseGuestAttributes(XElement e, string file, string? matchText, string? checkText, string? deprecatedText)
    {
        var match = matchText switch
        {
            null => CpuMatch.Exact,
            "exact" => CpuMatch.Exact,
            "minimum" => CpuMatch.Minimum,
            "strict" => CpuMatch.Strict,
            _ => throw XmlInput.Error(file, e, $"Invalid match attribute for CPU specification: '{matchText}'"),
        };
        var check = checkText switch
        {
            null => CpuCheck.Default,
            "default" => CpuCheck.Default,
            "none" => CpuCheck.None,
            "partial" => CpuCheck.Partial,
            "full" => CpuCheck.Full,
            _ => throw XmlInput.Error(file, e, $"Invalid check attribute for CPU specification: '{checkText}'"),
        };
        bool? deprecatedFeatures = deprecatedText is null
            ? null
            : OnOff(deprecatedText) ?? throw XmlInput.Error(file, e, $"Invalid value in deprecated_features attribute: '{deprecatedText}'");
        return (match, check, deprecatedFeatures);
    }

    private static bool? ParseMigratable(XElement e, string file, CpuMode? mode, string? migratableText)
    {
        if (migratableText is null)
        {
            return null;
        }

        if (mode is not (CpuMode.HostPassthrough or CpuMode.Maximum))
        {
            throw XmlInput.Error(file, e, "Attribute migratable is only allowed for 'host-passthrough' / 'maximum' CPU mode");
        }

        return OnOff(migratableText) ?? throw XmlInput.Error(file, e, $"Invalid value in migratable attribute: '{migratableText}'");
    }

    /// <summary>What only a host CPU has: architecture, microcode, signature and TSC counter.</summary>
    private readonly record struct HostData(string? Arch, ulong Microcode, CpuSignature? Signature, TscCounter? Tsc);

    private static HostData ParseHostData(XElement e, string file, XElement? archElement)
    {
        var arch = NonEmpty(archElement?.Value) ?? throw XmlInput.Error(file, archElement ?? (XObject)e, "Missing CPU architecture");
        if (!KnownArchitectures.Contains(arch))
        {
            throw XmlInput.Error(file, archElement, $"Unknown architecture {arch}");
        }

        ulong microcode = 0;
        if (e.Element("microcode")?.Attribute("version") is { } version)
        {
            microcode = Decimal64(version.Value) ?? throw XmlInput.Error(file, version, $"invalid microcode version '{version.Value}'");
        }

        CpuSignature? signature = null;
        if (e.Element("signature") is { } sig)
        {
            var family = RequiredUInt(sig, "family", file, nonZero: true);
            signature = new CpuSignature(family, RequiredUInt(sig, "model", file, nonZero: false), RequiredUInt(sig, "stepping", file, nonZero: false));
        }

        return new HostData(arch, microcode, signature, ParseTscCounter(e, file));
    }

    /// <summary>The first <c>counter name='tsc'</c> element, if any.</summary>
    private static TscCounter? ParseTscCounter(XElement e, string file)
    {
        foreach (var counter in e.Elements("counter"))
        {
            if ((string?)counter.Attribute("name") != "tsc")
            {
                continue;
            }

            var freqText = (string?)counter.Attribute("frequency") ?? throw XmlInput.Error(file, counter, "Missing required attribute 'frequency' in element 'counter'");
            var frequency = Decimal64(freqText) ?? throw XmlInput.Error(file, counter, $"Invalid value for attribute 'frequency' in element 'counter': '{freqText}'");
            bool? scaling = null;
            if ((string?)counter.Attribute("scaling") is { } scalingText)
            {
                scaling = scalingText switch
                {
                    "yes" => true,
                    "no" => false,
                    _ => throw XmlInput.Error(file, counter, $"Invalid value for attribute 'scaling' in element 'counter': '{scalingText}'"),
                };
            }

            return new TscCounter(frequency, scaling);
        }

        return null;
    }

    /// <summary>The <c>model</c> element: the name, and for a guest CPU its <c>fallback</c> and <c>vendor_id</c>.</summary>
    private static (string? Model, CpuFallback Fallback, string? VendorId) ParseModel(XElement e, string file, CpuType type, CpuMode? mode)
    {
        var modelElement = e.Element("model");
        var model = NonEmpty(modelElement?.Value);
        if (model is null && type == CpuType.Host)
        {
            throw XmlInput.Error(file, e, "Missing CPU model name");
        }

        var fallback = CpuFallback.Allow;
        string? vendorId = null;
        if (type != CpuType.Guest || modelElement is null || mode is CpuMode.HostPassthrough or CpuMode.Maximum)
        {
            return (model, fallback, vendorId);
        }

        if ((string?)modelElement.Attribute("fallback") is { Length: > 0 } fallbackText)
        {
            fallback = fallbackText switch
            {
                "allow" => CpuFallback.Allow,
                "forbid" => CpuFallback.Forbid,
                _ => throw XmlInput.Error(file, modelElement, $"Invalid fallback attribute '{fallbackText}'"),
            };
        }

        if ((string?)modelElement.Attribute("vendor_id") is { Length: > 0 } vid)
        {
            if (vid.Length != 12)
            {
                throw XmlInput.Error(file, modelElement, "vendor_id must be exactly 12 characters long");
            }

            if (vid.Contains(',', StringComparison.Ordinal))
            {
                throw XmlInput.Error(file, modelElement, "vendor id is invalid (it must not contain a comma)");
            }

            vendorId = vid;
        }

        return (model, fallback, vendorId);
    }

    private static CpuTopology? ParseTopology(XElement e, string file) =>
        e.Element("topology") is { } topo
            ? new CpuTopology(
                RequiredUInt(topo, "sockets", file, nonZero: true),
                OptionalUInt(topo, "dies", file, 1),
                OptionalUInt(topo, "clusters", file, 1),
                RequiredUInt(topo, "cores", file, nonZero: true),
                RequiredUInt(topo, "threads", file, nonZero: true))
            : null;

    /// <summary>The <c>feature</c> elements: names unique, policies only (and by default <c>require</c>) for a guest CPU.</summary>
    private static ImmutableArray<CpuFeature> ParseFeatures(XElement e, string file, CpuType type, CpuMode? mode, string? model)
    {
        var features = ImmutableArray.CreateBuilder<CpuFeature>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in e.Elements("feature"))
        {
            if (model is null && mode == CpuMode.Custom)
            {
                throw XmlInput.Error(file, f, "Non-empty feature list specified without CPU model");
            }

            FeaturePolicy? policy = null;
            if (type == CpuType.Guest)
            {
                var policyText = (string?)f.Attribute("policy");
                policy = policyText is null
                    ? FeaturePolicy.Require
                    : ParsePolicy(policyText) ?? throw XmlInput.Error(file, f, $"Invalid CPU feature policy '{policyText}'");
            }

            var name = (string?)f.Attribute("name");
            if (string.IsNullOrEmpty(name))
            {
                throw XmlInput.Error(file, f, "Invalid CPU feature name");
            }

            if (!seen.Add(name))
            {
                throw XmlInput.Error(file, f, $"CPU feature '{name}' specified more than once");
            }

            features.Add(new CpuFeature(name, policy));
        }

        return features.ToImmutable();
    }

    private static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static bool? OnOff(string text) => text switch
    {
        "on" => true,
        "off" => false,
        _ => null,
    };

    private static ulong? Decimal64(string text) =>
        text.Length > 0 && text.All(char.IsAsciiDigit) && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static uint RequiredUInt(XElement e, string name, string file, bool nonZero)
    {
        var text = (string?)e.Attribute(name)
            ?? throw XmlInput.Error(file, e, $"Missing required attribute '{name}' in element '{e.Name.LocalName}'");
        return UInt(e, name, text, file, nonZero);
    }

    private static uint OptionalUInt(XElement e, string name, string file, uint defaultValue)
    {
        var text = (string?)e.Attribute(name);
        return text is null ? defaultValue : UInt(e, name, text, file, nonZero: true);
    }

    private static uint UInt(XElement e, string name, string text, string file, bool nonZero)
    {
        if (Decimal64(text) is not { } v || v > uint.MaxValue)
        {
            throw XmlInput.Error(file, e, $"Invalid value for attribute '{name}' in element '{e.Name.LocalName}': '{text}'. Expected non-negative integer value");
        }

        if (nonZero && v == 0)
        {
            throw XmlInput.Error(file, e, $"Invalid value for attribute '{name}' in element '{e.Name.LocalName}': Zero is not permitted");
        }

        return (uint)v;
    }

    private static string Escape(string text)
    {
        if (text.AsSpan().IndexOfAny("<>&'\"") < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '<' => "&lt;",
                '>' => "&gt;",
                '&' => "&amp;",
                '\'' => "&apos;",
                '"' => "&quot;",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }
}
