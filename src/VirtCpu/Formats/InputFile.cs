using System.Text;

namespace VirtCpu.Formats;

/// <summary>Reads input files whole, with a size limit, turning every failure into an <see cref="InputException"/> naming the file.</summary>
internal static class InputFile
{
    /// <summary>The largest input file accepted, in bytes.</summary>
    public const long MaxBytes = 32L * 1024 * 1024;

    /// <summary>Reads a file's bytes.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="InputException">The file cannot be read or is larger than <see cref="MaxBytes"/>.</exception>
    public static byte[] ReadBytes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.CanSeek && stream.Length > MaxBytes)
            {
                throw TooLarge(path);
            }

            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int n;
            while ((n = stream.Read(chunk)) > 0)
            {
                buffer.Write(chunk, 0, n);
                if (buffer.Length > MaxBytes)
                {
                    throw TooLarge(path);
                }
            }

            return buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InputException(path, e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied",
                _ => "cannot read: " + e.Message.ReplaceLineEndings(" "),
            }, e);
        }
    }

    /// <summary>Reads a file as UTF-8 text (a byte order mark is dropped).</summary>
    /// <param name="path">The path.</param>
    /// <returns>The text.</returns>
    /// <exception cref="InputException">The file cannot be read, is too large or is not UTF-8.</exception>
    public static string ReadText(string path) => Decode(ReadBytes(path), path);

    /// <summary>Decodes UTF-8 bytes strictly (a byte order mark is dropped).</summary>
    /// <param name="utf8">The bytes.</param>
    /// <param name="file">The file name used in error messages.</param>
    /// <returns>The text.</returns>
    /// <exception cref="InputException">The bytes are not UTF-8.</exception>
    public static string Decode(ReadOnlySpan<byte> utf8, string file)
    {
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        try
        {
            return new UTF8Encoding(false, true).GetString(utf8);
        }
        catch (DecoderFallbackException e)
        {
            throw new InputException(file, "not UTF-8 text", e);
        }
    }

    private static InputException TooLarge(string path) => new(path, $"file too large (the limit is {MaxBytes} bytes)");
}
