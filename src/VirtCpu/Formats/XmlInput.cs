using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace VirtCpu.Formats;

/// <summary>
/// The one place where the CPU data and CPU definition readers open XML: no DTD, no entity
/// resolution, a size limit, comments and processing instructions dropped, and every
/// <see cref="XmlException"/> turned into an <see cref="InputException"/> naming the file and line.
/// (Meant to be swapped for the shared <c>SafeXml</c> helper once it exists.)
/// </summary>
internal static class XmlInput
{
    /// <summary>The largest document accepted, in characters.</summary>
    public const long MaxCharacters = 32L * 1024 * 1024;

    /// <summary>Creates reader settings that never process a DTD or resolve anything.</summary>
    /// <param name="conformance">Document (one root) or fragment (several top-level elements).</param>
    /// <returns>The settings.</returns>
    public static XmlReaderSettings Settings(ConformanceLevel conformance = ConformanceLevel.Document) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = MaxCharacters,
        MaxCharactersFromEntities = 0,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = false,
        ConformanceLevel = conformance,
    };

    /// <summary>Parses a document with exactly one root element.</summary>
    /// <param name="xml">The text.</param>
    /// <param name="file">The file name for messages.</param>
    /// <returns>The root element (with line information).</returns>
    public static XElement LoadRoot(string xml, string file)
    {
        ArgumentNullException.ThrowIfNull(xml);
        CheckNotEmpty(xml, file);
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

    /// <summary>Parses every top-level element of a document or of a fragment without a single root.</summary>
    /// <param name="xml">The text.</param>
    /// <param name="file">The file name for messages.</param>
    /// <returns>The top-level elements in document order (with line information).</returns>
    public static IReadOnlyList<XElement> LoadFragment(string xml, string file)
    {
        ArgumentNullException.ThrowIfNull(xml);
        CheckNotEmpty(xml, file);
        var result = new List<XElement>();
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
                            result.Add(XElement.Load(subtree, LoadOptions.SetLineInfo));
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

        if (result.Count == 0)
        {
            throw new InputException(file, "no XML element found");
        }

        return result;
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

    private static void CheckNotEmpty(string xml, string file)
    {
        if (string.IsNullOrWhiteSpace(xml))
        {
            throw new InputException(file, "empty file");
        }

        if (xml.Length > MaxCharacters)
        {
            throw new InputException(file, $"file too large (more than {MaxCharacters} characters)");
        }
    }

    private static InputException Wrap(XmlException e, string file)
    {
        var message = e.Message;
        if (message.Contains("DTD", StringComparison.OrdinalIgnoreCase))
        {
            message = "DTDs are not allowed (no DOCTYPE, no entities): " + message;
        }

        return new InputException(file, "malformed XML: " + message, e);
    }
}
