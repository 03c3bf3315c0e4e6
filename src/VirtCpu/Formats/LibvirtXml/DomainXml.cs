using System.Globalization;
using System.Xml.Linq;
using VirtCpu.Cpu;
using VirtCpu.Formats.Input;

namespace VirtCpu.Formats.LibvirtXml;

/// <summary>
/// A libvirt domain as <c>virsh dumpxml</c> writes it (inactive, <c>--migratable</c> or live), reduced
/// to what decides its CPU: the domain type, the machine type, the vCPU count and the <c>&lt;cpu&gt;</c>.
/// </summary>
public sealed record LibvirtDomain
{
    /// <summary>The domain name.</summary>
    public required string Name { get; init; }

    /// <summary>The domain type: <c>kvm</c> or <c>qemu</c> (TCG).</summary>
    public required string Type { get; init; }

    /// <summary>The machine type as written (<c>pc</c>, <c>pc-i440fx-7.2</c>, ...).</summary>
    public required string Machine { get; init; }

    /// <summary>The number of vCPUs (<c>&lt;vcpu&gt;</c>).</summary>
    public required int Vcpus { get; init; }

    /// <summary>The CPU definition (a default <c>qemu64</c>-less custom CPU when the domain has none).</summary>
    public required CpuDefinition Cpu { get; init; }

    /// <summary>Whether this is the live definition of a running domain (it has an <c>id</c>).</summary>
    public bool IsLive { get; init; }

    /// <summary>The guest memory in KiB (<c>&lt;memory&gt;</c>, converted from its unit), or 0 when the domain gives none.</summary>
    public long MemoryKiB { get; init; }

    /// <summary>The <c>&lt;cpu&gt;&lt;maxphysaddr mode=... bits=...&gt;</c> of the domain (mode <c>passthrough</c> or <c>emulate</c>; bits 0 when not given), or null.</summary>
    public (string Mode, int Bits)? MaxPhysAddr { get; init; }

    /// <summary>The TSC frequency in Hz the domain asks for (<c>&lt;clock&gt;&lt;timer name='tsc' frequency=...&gt;</c>), or null.</summary>
    public long? TscFrequency { get; init; }

    /// <summary>Whether the machine type is an alias (<c>pc</c>, <c>q35</c>) that a node resolves to its newest.</summary>
    public bool MachineIsAlias => Machine is "pc" or "q35";

    /// <summary>Reads a domain XML file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The domain.</returns>
    /// <exception cref="InputException">Malformed XML, not a domain, or a bad CPU definition.</exception>
    public static LibvirtDomain Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(InputFile.ReadAllText(path), path);
    }

    /// <summary>
    /// Reads only what capacity needs from a domain XML file, in one streaming pass without a tree: its
    /// name, vCPU count and memory (KiB). The whole domain is read with <see cref="Read"/> when needed.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The name, vCPUs and memory.</returns>
    /// <exception cref="InputException">Unreadable or malformed file, not a domain, bad numbers.</exception>
    public static (string Name, int Vcpus, long MemoryKiB) Scan(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = InputFile.ReadAllText(path);
        using var reader = SafeXml.CreateReader(new StringReader(text));
        string? name = null;
        var vcpus = 1L;
        long memory = 0;
        try
        {
            reader.MoveToContent();
            if (reader.LocalName != "domain")
            {
                throw new InputException(path, $"not a domain XML (root is <{reader.LocalName}>)");
            }

            while (reader.Read())
            {
                if (reader.NodeType != System.Xml.XmlNodeType.Element || reader.Depth != 1)
                {
                    continue;
                }

                switch (reader.LocalName)
                {
                    case "name":
                        name = reader.ReadElementContentAsString().Trim();
                        break;
                    case "vcpu":
                        var v = reader.ReadElementContentAsString().Trim();
                        vcpus = Count(v, path, "<vcpu>");
                        if (vcpus is < 1 or > int.MaxValue)
                        {
                            throw new InputException(path, $"<vcpu> must be a positive number, not '{v}'");
                        }

                        break;
                    case "memory":
                        var unit = reader.GetAttribute("unit");
                        memory = Memory(new XElement("memory", new XAttribute("unit", unit ?? "KiB"), reader.ReadElementContentAsString()), path);
                        break;
                }
            }
        }
        catch (System.Xml.XmlException e)
        {
            throw SafeXml.Malformed(path, e);
        }

        return (name ?? Path.GetFileNameWithoutExtension(path), (int)vcpus, memory);
    }

    /// <summary>Whether a text is a domain XML (its root element is <c>&lt;domain&gt;</c>).</summary>
    /// <param name="xml">The text.</param>
    /// <returns>True for a domain.</returns>
    public static bool IsDomain(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        var at = xml.IndexOf('<', StringComparison.Ordinal);
        while (at >= 0 && at + 1 < xml.Length && xml[at + 1] is '?' or '!')
        {
            at = xml.IndexOf('<', at + 1);
        }

        return at >= 0 && string.CompareOrdinal(xml, at, "<domain", 0, 7) == 0 && at + 7 < xml.Length && xml[at + 7] is ' ' or '>' or '\n' or '\t' or '\r';
    }

    /// <summary>Parses a domain XML text.</summary>
    /// <param name="xml">The text.</param>
    /// <param name="file">The file name used in messages.</param>
    /// <returns>The domain.</returns>
    /// <exception cref="InputException">Malformed XML, not a domain, or a bad CPU definition.</exception>
    public static LibvirtDomain Parse(string xml, string file)
    {
        ArgumentNullException.ThrowIfNull(xml);
        var root = SafeXml.Load(xml, file).Root!;
        if (root.Name.LocalName != "domain")
        {
            throw new InputException(file, $"not a domain XML (root is <{root.Name.LocalName}>)");
        }

        var type = (string?)root.Attribute("type") ?? throw new InputException(file, "<domain> has no type attribute");
        var machine = (string?)root.Element("os")?.Element("type")?.Attribute("machine") ?? throw new InputException(file, "the domain names no machine type (<os><type machine=...>)");
        var vcpuText = root.Element("vcpu")?.Value.Trim() ?? "1";
        if (!int.TryParse(vcpuText, NumberStyles.None, CultureInfo.InvariantCulture, out var vcpus) || vcpus < 1)
        {
            throw new InputException(file, $"<vcpu> must be a positive number, not '{vcpuText}'");
        }

        var cpu = root.Element("cpu") is { } cpuElement
            ? CpuXml.ParseGuestElement(cpuElement, file)
            : new CpuDefinition { Type = CpuType.Guest, Mode = CpuMode.Custom, Model = "qemu64" };
        return new LibvirtDomain
        {
            Name = root.Element("name")?.Value.Trim() ?? Path.GetFileNameWithoutExtension(file),
            Type = type,
            Machine = machine,
            Vcpus = vcpus,
            Cpu = cpu,
            IsLive = root.Attribute("id") is not null,
            MemoryKiB = Memory(root.Element("memory"), file),
            MaxPhysAddr = root.Element("cpu")?.Element("maxphysaddr") is { } pa
                ? ((string?)pa.Attribute("mode") ?? "passthrough", (int)Math.Min(Count(pa.Attribute("bits")?.Value ?? "0", file, "<maxphysaddr bits>"), 64))
                : null,
            TscFrequency = root.Element("clock")?.Elements("timer").FirstOrDefault(t => (string?)t.Attribute("name") == "tsc")?.Attribute("frequency") is { } f
                ? Count(f.Value, file, "<timer name='tsc' frequency>")
                : null,
        };
    }

    private static long Memory(XElement? memory, string file)
    {
        if (memory is null)
        {
            return 0;
        }

        var amount = Count(memory.Value.Trim(), file, "<memory>");
        var unit = ((string?)memory.Attribute("unit") ?? "KiB").ToUpperInvariant();
        long factor = unit switch
        {
            "B" or "BYTES" => 1,
            "KB" => 1000,
            "K" or "KIB" => 1024,
            "MB" => 1000 * 1000,
            "M" or "MIB" => 1024 * 1024,
            "GB" => 1000L * 1000 * 1000,
            "G" or "GIB" => 1024L * 1024 * 1024,
            "TB" => 1000L * 1000 * 1000 * 1000,
            "T" or "TIB" => 1024L * 1024 * 1024 * 1024,
            _ => throw new InputException(file, $"<memory> has an unknown unit '{unit}'"),
        };
        return amount > long.MaxValue / factor ? throw new InputException(file, "<memory> is too large") : amount * factor / 1024;
    }

    private static long Count(string text, string file, string what) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw new InputException(file, $"{what} must be a non-negative number, not '{InputException.OneLine(text)}'");

}
