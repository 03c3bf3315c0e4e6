using System.Xml;
using System.Xml.Linq;

namespace VirtCpu.Formats;

/// <summary>
/// The one way VirtCpu reads XML: no DTD processing, no external resolution, a size limit, and
/// every parse error turned into a one-line <see cref="InputException"/> naming the file, line and column.
/// Also parses the C-style numbers that libvirt files use.
/// </summary>
public static class SafeXml
{
    /// <summary>The largest document accepted, in characters (64 Mi).</summary>
    public const long MaxCharactersInDocument = 64L * 1024 * 1024;

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

    /// <summary>Loads a document from a file, with line information.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The document.</returns>
    /// <exception cref="InputException">The file cannot be read or is not well-formed XML.</exception>
    public static XDocument LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Stream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InputException(path, CannotRead(e), e);
        }

        using var reader = CreateReader(stream);
        return Load(reader, path);
    }

    /// <summary>Loads a document from text, with line information.</summary>
    /// <param name="text">The text.</param>
    /// <param name="sourceName">The file name used in error messages.</param>
    /// <returns>The document.</returns>
    /// <exception cref="InputException">The text is not well-formed XML.</exception>
    public static XDocument Load(TextReader text, string sourceName)
    {
        using var reader = CreateReader(text);
        return Load(reader, sourceName);
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

    /// <summary>Parses a C-style unsigned 64-bit number or throws an input error.</summary>
    /// <param name="text">The text.</param>
    /// <param name="sourceName">The file, for the error.</param>
    /// <param name="what">What the number is, for the error.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InputException">The text is not a number or does not fit 64 bits.</exception>
    public static ulong ParseCUInt64(string? text, string sourceName, string what) =>
        text is not null && TryParseCUInt64(text, out var v)
            ? v
            : throw new InputException(sourceName, $"{what}: '{text}' is not an unsigned 64-bit number");

    private static string CannotRead(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file",
        UnauthorizedAccessException => "permission denied",
        _ => "cannot read: " + OneLine(e.Message),
    };

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
