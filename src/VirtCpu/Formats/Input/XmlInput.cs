using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace VirtCpu.Formats.Input;

/// <summary>
/// How the CPU data and CPU definition readers open XML: through <see cref="SafeXml"/> (no DTD, no
/// entity resolution, limits on size, element count, depth and value length, comments and processing
/// instructions dropped), every <see cref="XmlException"/> turned into an <see cref="InputException"/>
/// naming the file and line; plus fragments (several top-level elements without a root).
/// </summary>
internal static class XmlInput
{
    /// <summary>The largest document accepted, in characters.</summary>
    public const long MaxCharacters = SafeXml.MaxCharactersInDocument;

    /// <summary>Creates reader settings that never process a DTD or resolve anything.</summary>
    /// <param name="conformance">Document (one root) or fragment (several top-level elements).</param>
    /// <returns>The settings.</returns>
    public static XmlReaderSettings Settings(ConformanceLevel conformance = ConformanceLevel.Document)
    {
        var settings = SafeXml.CreateSettings();
        settings.ConformanceLevel = conformance;
        return settings;
    }

    /// <summary>Parses a document with exactly one root element.</summary>
    /// <param name="xml">The text.</param>
    /// <param name="file">The file name for messages.</param>
    /// <returns>The root element (with line information).</returns>
    public static XElement LoadRoot(string xml, string file)
    {
        ArgumentNullException.ThrowIfNull(xml);
        SafeXml.CheckLimits(xml, file);
        try
        {
            using var text = new StringReader(xml);
            using var reader = XmlReader.Create(text, Settings());
            return XDocument.Load(reader, LoadOptions.SetLineInfo).Root
                ?? throw new InputException(file, "no root element");
        }
        catch (XmlException e)
        {
            throw Wrap(e, file);
        }
    }

    /// <summary>
    /// Streams the top-level elements of a document or of a fragment without a single root: each
    /// one is loaded, handed to <paramref name="visit"/> and dropped before the next is read, so a
    /// file of 10,000 concatenated <c>&lt;cpu&gt;</c> elements never holds more than one tree.
    /// </summary>
    /// <param name="xml">The text.</param>
    /// <param name="file">The file name for messages.</param>
    /// <param name="visit">Called with each top-level element (with line information), in document order.</param>
    /// <exception cref="InputException">The text is empty, malformed, has text outside elements, or no element.</exception>
    public static void ForEachTopElement(string xml, string file, Action<XElement> visit)
    {
        ArgumentNullException.ThrowIfNull(xml);
        ArgumentNullException.ThrowIfNull(visit);
        SafeXml.CheckLimits(xml, file, ConformanceLevel.Fragment);
        var count = 0;
        try
        {
            using var text = new StringReader(xml);
            using var reader = XmlReader.Create(text, Settings(ConformanceLevel.Fragment));
            reader.Read();
            while (!reader.EOF)
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        using (var subtree = reader.ReadSubtree())
                        {
                            visit(XElement.Load(subtree, LoadOptions.SetLineInfo));
                            count++;
                        }

                        // The reader now stands on the element's end (or on the empty element itself).
                        reader.Read();
                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA:
                        throw new InputException(file, $"{Where(reader as IXmlLineInfo)}text outside of any element");
                    default:
                        reader.Read();
                        break;
                }
            }
        }
        catch (XmlException e)
        {
            throw Wrap(e, file);
        }

        if (count == 0)
        {
            throw new InputException(file, "no XML element found");
        }
    }

    /// <summary>A <c>line N: </c> prefix for a node, or empty when unknown.</summary>
    /// <param name="info">The node (an <see cref="XObject"/> or a reader).</param>
    /// <returns>The prefix.</returns>
    public static string Where(IXmlLineInfo? info) =>
        info is not null && info.HasLineInfo() ? string.Create(CultureInfo.InvariantCulture, $"line {info.LineNumber}: ") : string.Empty;

    /// <summary>An input error located at a node.</summary>
    /// <param name="file">The file.</param>
    /// <param name="node">The node at fault.</param>
    /// <param name="problem">The problem.</param>
    /// <returns>The exception.</returns>
    public static InputException Error(string file, XObject? node, string problem) => new(file, Where(node) + problem);

    private static InputException Wrap(XmlException e, string file) => SafeXml.Malformed(file, e);
}
