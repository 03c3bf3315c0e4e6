using System.Collections.Immutable;
using System.Xml;
using VirtCpu.Catalog;
using VirtCpu.Cpu;

namespace VirtCpu.Formats;

/// <summary>The streaming fast path of <see cref="CpuXml.ParseAll"/> for lists of plain host CPUs.</summary>
public static partial class CpuXml
{
    /// <summary>
    /// Reads concatenated plain host <c>&lt;cpu&gt;</c> elements (the input of <c>virsh
    /// cpu-baseline</c>: only <c>arch</c>, <c>model</c>, <c>vendor</c>, <c>signature</c> and
    /// <c>feature name</c> children, no attributes on <c>&lt;cpu&gt;</c>) straight from an
    /// <see cref="XmlReader"/>, without building a tree per element: 10,000 hosts are read several
    /// times faster than through <see cref="XmlInput.ForEachTopElement"/>.
    /// </summary>
    /// <remarks>
    /// Anything else — another element or attribute, a namespace, a document root other than
    /// <c>&lt;cpu&gt;</c>, malformed XML, or any value the full parser would reject — gives null,
    /// and the caller parses the text again with the full parser, which gives the result or the
    /// error message. So this path never changes a result or an error; it only makes the common
    /// case fast.
    /// </remarks>
    /// <param name="xml">The text.</param>
    /// <param name="type">The requested type: host or null (auto; every accepted element has an <c>arch</c>, so host).</param>
    /// <param name="options">Parse options: only <see cref="CpuXmlParseOptions.None"/> is handled here.</param>
    /// <returns>The definitions, or null when the full parser must be used.</returns>
    private static ImmutableArray<CpuDefinition>? TryParseHostList(string xml, CpuType? type, CpuXmlParseOptions options)
    {
        // The limits of SafeXml.CheckLimits are checked on the way (a failing text goes to the full
        // parser, which reports them): size here; depth (at most 2 here), element count, and
        // value lengths below.
        if (options != CpuXmlParseOptions.None || type == CpuType.Guest || xml.Length > SafeXml.MaxCharactersInDocument)
        {
            return null;
        }

        var result = ImmutableArray.CreateBuilder<CpuDefinition>();
        try
        {
            var settings = SafeXml.CreateSettings();
            settings.ConformanceLevel = ConformanceLevel.Fragment;
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            var elements = 0;
            reader.Read();
            while (!reader.EOF)
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        if (reader.LocalName != "cpu" || reader.NamespaceURI.Length != 0 || ReadPlainHost(reader, ref elements) is not { } cpu)
                        {
                            return null;
                        }

                        result.Add(cpu);
                        break;
                    case XmlNodeType.XmlDeclaration:
                        reader.Read();
                        break;
                    case XmlNodeType.Whitespace when reader.Value.Length <= SafeXml.MaxValueLength:
                        reader.Read();
                        break;
                    default:
                        return null;
                }
            }
        }
        catch (XmlException)
        {
            return null;
        }

        return result.Count == 0 ? null : result.ToImmutable();
    }

    // Reads one <cpu> element (the reader stands on its start tag) and leaves the reader after its
    // end; null when the element is not a plain host CPU the full parser would accept as is.
    private static CpuDefinition? ReadPlainHost(XmlReader reader, ref int elements)
    {
        if (reader.HasAttributes || reader.IsEmptyElement || ++elements > SafeXml.MaxElements)
        {
            return null;
        }

        string? arch = null, model = null, vendor = null;
        CpuSignature? signature = null;
        var features = ImmutableArray.CreateBuilder<CpuFeature>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        reader.Read();
        while (reader.NodeType != XmlNodeType.EndElement)
        {
            if (reader.NodeType == XmlNodeType.Whitespace && reader.Value.Length <= SafeXml.MaxValueLength)
            {
                reader.Read();
                continue;
            }

            if (reader.NodeType != XmlNodeType.Element || reader.NamespaceURI.Length != 0 || ++elements > SafeXml.MaxElements)
            {
                return null;
            }

            switch (reader.LocalName)
            {
                case "arch" when arch is null && !reader.HasAttributes:
                    arch = reader.ReadElementContentAsString();
                    break;
                case "model" when model is null && !reader.HasAttributes:
                    model = reader.ReadElementContentAsString();
                    break;
                case "vendor" when vendor is null && !reader.HasAttributes:
                    vendor = reader.ReadElementContentAsString();
                    break;
                case "signature" when signature is null && reader.IsEmptyElement:
                    if (ReadSignature(reader) is not { } sig)
                    {
                        return null;
                    }

                    signature = sig;
                    reader.Read();
                    break;
                case "feature" when reader.IsEmptyElement && reader.AttributeCount == 1:
                    var name = reader.GetAttribute("name");
                    if (string.IsNullOrEmpty(name) || name.Length > SafeXml.MaxValueLength || !seen.Add(name))
                    {
                        return null;
                    }

                    // The reader's name table holds each feature name once: 10,000 hosts share
                    // a few hundred strings instead of keeping 250,000 copies alive.
                    features.Add(new CpuFeature(reader.NameTable.Add(name), null));
                    reader.Read();
                    break;
                default:
                    return null;
            }
        }

        reader.Read();
        if (arch is { Length: > SafeXml.MaxValueLength } || model is { Length: > SafeXml.MaxValueLength } || vendor is { Length: > SafeXml.MaxValueLength })
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(arch) || !KnownArchitectures.Contains(arch) || string.IsNullOrWhiteSpace(model)
            || (vendor is not null && string.IsNullOrWhiteSpace(vendor)))
        {
            return null;
        }

        return new CpuDefinition
        {
            Type = CpuType.Host,
            Mode = null,
            Arch = arch,
            Model = model,
            Vendor = vendor,
            Features = features.ToImmutable(),
            Signature = signature,
        };
    }

    private static CpuSignature? ReadSignature(XmlReader reader)
    {
        ulong? family = null, model = null, stepping = null;
        while (reader.MoveToNextAttribute())
        {
            var value = reader.Value.Length <= 20 ? Decimal64(reader.Value) : null;
            if (value is not { } v || v > uint.MaxValue)
            {
                return null;
            }

            switch (reader.LocalName)
            {
                case "family" when reader.NamespaceURI.Length == 0:
                    family = v;
                    break;
                case "model" when reader.NamespaceURI.Length == 0:
                    model = v;
                    break;
                case "stepping" when reader.NamespaceURI.Length == 0:
                    stepping = v;
                    break;
                default:
                    return null;
            }
        }

        reader.MoveToElement();
        return family is { } f and not 0 && model is { } m && stepping is { } s ? new CpuSignature((uint)f, (uint)m, (uint)s) : null;
    }
}
