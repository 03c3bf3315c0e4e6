using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace VirtCpu.Formats.Input;

/// <summary>
/// The one way VirtCpu reads XML: no DTD processing (so no entities, internal or external, and
/// no entity-expansion bomb), no external resolution, limits on size, element count, nesting depth
/// and the length of one attribute or text, and every parse error or exceeded limit turned into a
/// one-line <see cref="InputException"/> naming the file, line and column.
/// Also parses the C-style numbers that libvirt files use.
/// </summary>
/// <remarks>
/// The limits are checked by a streaming pass (<see cref="CheckLimits"/>) before any tree is built,
/// so a hostile document is refused without allocating more than the reader's buffer.
/// </remarks>
public static class SafeXml
{
    /// <summary>The largest document accepted, in characters (64 Mi, the same as <see cref="InputFile.MaxBytes"/>).</summary>
    public const long MaxCharactersInDocument = 64L * 1024 * 1024;

    /// <summary>The most elements accepted in one document (2,000,000: a 10,000-host file of host CPUs with full feature lists fits).</summary>
    public const int MaxElements = 2_000_000;

    /// <summary>The deepest element nesting accepted (64; libvirt's files nest at most 6 deep).</summary>
    public const int MaxDepth = 64;

    /// <summary>The longest attribute value or text node accepted, in characters (1 Mi).</summary>
    public const int MaxValueLength = 1024 * 1024;

    /// <summary>Reader settings: DTDs prohibited, no resolver, size-limited, comments and processing instructions skipped.</summary>
    /// <returns>A fresh settings object.</returns>
    public static XmlReaderSettings CreateSettings() => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = MaxCharactersInDocument,
        MaxCharactersFromEntities = 0,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    /// <summary>Creates a safe reader over text.</summary>
    /// <param name="text">The text reader (closed with the XML reader).</param>
    /// <returns>The XML reader.</returns>
    public static XmlReader CreateReader(TextReader text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return XmlReader.Create(text, CreateSettings());
    }

    /// <summary>Creates a safe reader over a stream.</summary>
    /// <param name="stream">The stream (closed with the XML reader).</param>
    /// <returns>The XML reader.</returns>
    public static XmlReader CreateReader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return XmlReader.Create(stream, CreateSettings());
    }

    /// <summary>Loads a document from a file, with line information, after checking the limits.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The document.</returns>
    /// <exception cref="InputException">The file cannot be read, is not well-formed XML or exceeds a limit.</exception>
    public static XDocument LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Load(InputFile.ReadAllText(path), path);
    }

    /// <summary>Loads a document from text, with line information, after checking the limits.</summary>
    /// <param name="text">The text.</param>
    /// <param name="sourceName">The file name used in error messages.</param>
    /// <returns>The document.</returns>
    /// <exception cref="InputException">The text is empty, not well-formed XML or exceeds a limit.</exception>
    public static XDocument Load(TextReader text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Load(text.ReadToEnd(), sourceName);
    }

    /// <summary>Loads a document from a string, with line information, after checking the limits.</summary>
    /// <param name="xml">The text.</param>
    /// <param name="sourceName">The file name used in error messages.</param>
    /// <returns>The document.</returns>
    /// <exception cref="InputException">The text is empty, not well-formed XML or exceeds a limit.</exception>
    public static XDocument Load(string xml, string sourceName)
    {
        CheckLimits(xml, sourceName);
        using var reader = CreateReader(new StringReader(xml));
        return Load(reader, sourceName);
    }

    /// <summary>
    /// Checks a document against the limits in one streaming pass, without building a tree: not
    /// empty, at most <see cref="MaxCharactersInDocument"/> characters, <see cref="MaxElements"/>
    /// elements, <see cref="MaxDepth"/> levels and <see cref="MaxValueLength"/> characters per
    /// attribute or text, no DTD. Also reports malformed XML.
    /// </summary>
    /// <param name="xml">The text.</param>
    /// <param name="sourceName">The file name used in error messages.</param>
    /// <param name="conformance">Document (one root) or fragment (several top-level elements).</param>
    /// <exception cref="InputException">The text is empty, malformed or exceeds a limit.</exception>
    public static void CheckLimits(string xml, string sourceName, ConformanceLevel conformance = ConformanceLevel.Document)
    {
        ArgumentNullException.ThrowIfNull(xml);
        CheckSize(xml, sourceName);
        var settings = CreateSettings();
        settings.ConformanceLevel = conformance;
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        var elements = 0;
        try
        {
            while (reader.Read())
            {
                CheckNode(reader, sourceName, ref elements);
            }
        }
        catch (XmlException e)
        {
            throw Malformed(sourceName, e, reader as IXmlLineInfo);
        }
    }

    /// <summary>
    /// Loads a file as a light element tree (<see cref="XmlTreeElement"/>) in one pass of the safe
    /// reader that also checks the limits: the same file gives the same errors, in the same words,
    /// as <see cref="LoadFile"/>, at a fraction of the cost (no second pass, no <c>XDocument</c>).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="names">
    /// A name table shared by the files of one load (a cpu_map folder reads 83 files with the same
    /// element and attribute names: each name is then made once), or null for a table of its own.
    /// </param>
    /// <returns>The root element.</returns>
    /// <exception cref="InputException">The file cannot be read, is not well-formed XML or exceeds a limit.</exception>
    public static XmlTreeElement LoadTree(string path, XmlNameTable? names = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var xml = InputFile.ReadAllText(path);
        CheckSize(xml, path);
        var settings = CreateSettings();
        settings.NameTable = names;
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        var info = (IXmlLineInfo)reader;
        var open = new Stack<XmlTreeElement>();
        XmlTreeElement? root = null;
        var elements = 0;
        try
        {
            while (reader.Read())
            {
                CheckNode(reader, path, ref elements);
                if (reader.NodeType == XmlNodeType.EndElement)
                {
                    open.Pop();
                }
                else if (reader.NodeType == XmlNodeType.Element)
                {
                    var element = new XmlTreeElement(reader.LocalName, reader.NamespaceURI, info.LineNumber, ReadAttributes(reader));
                    if (open.TryPeek(out var parent))
                    {
                        parent.Add(element);
                    }
                    else
                    {
                        root = element;
                    }

                    if (!reader.IsEmptyElement)
                    {
                        open.Push(element);
                    }
                }
            }
        }
        catch (XmlException e)
        {
            throw Malformed(path, e, info);
        }

        // A document the reader accepts has one root element.
        return root!;
    }

    private static (string LocalName, string NamespaceUri, string Value)[] ReadAttributes(XmlReader reader)
    {
        if (reader.AttributeCount == 0)
        {
            return [];
        }

        var attributes = new (string, string, string)[reader.AttributeCount];
        for (var i = 0; i < attributes.Length; i++)
        {
            reader.MoveToAttribute(i);
            attributes[i] = (reader.LocalName, reader.NamespaceURI, reader.Value);
        }

        reader.MoveToElement();
        return attributes;
    }

    private static void CheckSize(string xml, string sourceName)
    {
        if (string.IsNullOrWhiteSpace(xml))
        {
            throw new InputException(sourceName, "empty file");
        }

        if (xml.Length > MaxCharactersInDocument)
        {
            throw new InputException(sourceName, string.Create(CultureInfo.InvariantCulture, $"file too large (more than {MaxCharactersInDocument} characters)"));
        }
    }

    /// <summary>Checks the node the reader stands on against the limits (an element leaves the reader on the element).</summary>
    private static void CheckNode(XmlReader reader, string sourceName, ref int elements)
    {
        switch (reader.NodeType)
        {
            case XmlNodeType.Element:
                if (++elements > MaxElements)
                {
                    throw Limit(sourceName, reader, $"too many elements (the limit is {MaxElements})");
                }

                if (reader.Depth >= MaxDepth)
                {
                    throw Limit(sourceName, reader, $"elements nested too deeply (the limit is {MaxDepth} levels)");
                }

                for (var i = 0; i < reader.AttributeCount; i++)
                {
                    reader.MoveToAttribute(i);
                    if (reader.Value.Length > MaxValueLength)
                    {
                        throw Limit(sourceName, reader, $"attribute '{reader.Name}' too long (the limit is {MaxValueLength} characters)");
                    }
                }

                reader.MoveToElement();
                break;
            case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                if (reader.Value.Length > MaxValueLength)
                {
                    throw Limit(sourceName, reader, $"text too long (the limit is {MaxValueLength} characters)");
                }

                break;
        }
    }

    /// <summary>Loads a document from a reader made by <see cref="CreateReader(TextReader)"/>, with line information.</summary>
    /// <param name="reader">The XML reader.</param>
    /// <param name="sourceName">The file name used in error messages.</param>
    /// <returns>The document.</returns>
    /// <exception cref="InputException">The text is not well-formed XML.</exception>
    public static XDocument Load(XmlReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        try
        {
            return XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            throw Malformed(sourceName, e, reader as IXmlLineInfo);
        }
        catch (IOException e)
        {
            throw new InputException(sourceName, CannotRead(e), e);
        }
    }

    /// <summary>Turns an <see cref="XmlException"/> into a one-line input error.</summary>
    /// <param name="sourceName">The file.</param>
    /// <param name="e">The XML error.</param>
    /// <param name="position">Where the reader stood, used when the exception carries no position (DTD errors), or null.</param>
    /// <returns>The input error.</returns>
    public static InputException Malformed(string sourceName, XmlException e, IXmlLineInfo? position = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        var message = OneLine(e.Message);
        if (message.Contains("DTD", StringComparison.Ordinal))
        {
            message = "DTDs and entities are not allowed: " + message;
        }

        if (e.LineNumber == 0 && position is not null && position.HasLineInfo() && position.LineNumber > 0)
        {
            return new InputException(sourceName, $"malformed XML at line {position.LineNumber}, column {position.LinePosition}: {message}", e);
        }

        if (e.LineNumber > 0)
        {
            // XmlException appends "Line L, position C." itself; drop it, we say it first.
            var at = message.LastIndexOf(" Line ", StringComparison.Ordinal);
            if (at > 0)
            {
                message = message[..at];
            }

            return new InputException(sourceName, $"malformed XML at line {e.LineNumber}, column {e.LinePosition}: {message}", e);
        }

        return new InputException(sourceName, $"malformed XML: {message}", e);
    }

    /// <summary>The line of an element or attribute, for error messages (0 when unknown).</summary>
    /// <param name="node">An element or attribute loaded with line information.</param>
    /// <returns>The line number, or 0.</returns>
    public static int LineOf(XObject node) => node is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : 0;

    /// <summary>Parses a C-style unsigned number (<c>0x</c> hex, leading <c>0</c> octal, else decimal) as 32 bits.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The value.</param>
    /// <returns>False when the text is not such a number or does not fit.</returns>
    public static bool TryParseCUInt32(ReadOnlySpan<char> text, out uint value)
    {
        if (TryParseCUInt64(text, out var v) && v <= uint.MaxValue)
        {
            value = (uint)v;
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>Parses a C-style unsigned number (<c>0x</c> hex, leading <c>0</c> octal, else decimal) as 64 bits.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The value.</param>
    /// <returns>False when the text is not such a number or does not fit.</returns>
    public static bool TryParseCUInt64(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        if (text.IsEmpty)
        {
            return false;
        }

        uint radix = 10;
        if (text.Length >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        {
            radix = 16;
            text = text[2..];
            if (text.IsEmpty)
            {
                return false;
            }
        }
        else if (text.Length >= 2 && text[0] == '0')
        {
            radix = 8;
            text = text[1..];
        }

        ulong v = 0;
        foreach (var c in text)
        {
            uint d;
            if (c is >= '0' and <= '9')
            {
                d = (uint)(c - '0');
            }
            else if (c is >= 'a' and <= 'f')
            {
                d = (uint)(c - 'a' + 10);
            }
            else if (c is >= 'A' and <= 'F')
            {
                d = (uint)(c - 'A' + 10);
            }
            else
            {
                return false;
            }

            if (d >= radix || v > (ulong.MaxValue - d) / radix)
            {
                return false;
            }

            v = (v * radix) + d;
        }

        value = v;
        return true;
    }

    /// <summary>Parses a C-style unsigned 32-bit number or throws an input error.</summary>
    /// <param name="text">The text.</param>
    /// <param name="sourceName">The file, for the error.</param>
    /// <param name="what">What the number is (<c>feature pni: eax_in</c>), for the error.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InputException">The text is not a number or does not fit 32 bits.</exception>
    public static uint ParseCUInt32(string? text, string sourceName, string what) =>
        text is not null && TryParseCUInt32(text, out var v)
            ? v
            : throw new InputException(sourceName, $"{what}: '{text}' is not an unsigned 32-bit number");

    private static InputException Limit(string sourceName, XmlReader reader, string problem) =>
        new(sourceName, reader is IXmlLineInfo info && info.HasLineInfo()
            ? string.Create(CultureInfo.InvariantCulture, $"line {info.LineNumber}: {problem}")
            : problem);

    private static string CannotRead(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file",
        UnauthorizedAccessException => "permission denied",
        _ => "cannot read: " + OneLine(e.Message),
    };

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
