using System.Globalization;
using System.Text;

namespace VirtCpu.Formats.Input;

/// <summary>
/// The one way VirtCpu reads an input file into memory: a size limit checked before and while
/// reading, and every failure (missing file, permission, too large, not UTF-8) reported as a
/// one-line <see cref="InputException"/> naming the file.
/// </summary>
public static class InputFile
{
    /// <summary>The largest input file accepted, in bytes (64 MiB).</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    /// <summary>Reads a whole file as bytes.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The size limit (at most <see cref="MaxBytes"/> is sensible).</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="InputException">The file is missing, unreadable or larger than the limit.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes = MaxBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            // No FileStream buffer: the file is read into one array of its size (or in 80 KB chunks).
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            if (stream.CanSeek && stream.Length > maxBytes)
            {
                throw TooLarge(path, maxBytes);
            }

            if (stream.CanSeek)
            {
                return ReadKnownLength(stream, path, maxBytes);
            }

            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int n;
            while ((n = stream.Read(chunk)) > 0)
            {
                buffer.Write(chunk, 0, n);
                if (buffer.Length > maxBytes)
                {
                    throw TooLarge(path, maxBytes);
                }
            }

            return buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw CannotRead(path, e);
        }
    }

    // A seekable file: one array of the file's size (no growing buffer, no final copy). Files whose
    // size says nothing (/proc files, devices such as /dev/zero) and files that grow while read go
    // on in chunks, still bounded by the limit. The end is probed with one byte on the stack: an
    // 80 KB chunk allocated (and zeroed) per file cost a quarter of loading a cpu_map folder.
    private static byte[] ReadKnownLength(FileStream stream, string path, long maxBytes)
    {
        var data = new byte[stream.Length];
        stream.ReadExactly(data);
        Span<byte> probe = stackalloc byte[1];
        if (stream.Read(probe) == 0)
        {
            return data;
        }

        using var rest = new MemoryStream();
        rest.Write(data);
        rest.Write(probe);
        var chunk = new byte[81920];
        var n = stream.Read(chunk);
        while (n > 0)
        {
            rest.Write(chunk, 0, n);
            if (rest.Length > maxBytes)
            {
                throw TooLarge(path, maxBytes);
            }

            n = stream.Read(chunk);
        }

        if (rest.Length > maxBytes)
        {
            throw TooLarge(path, maxBytes);
        }

        return rest.ToArray();
    }

    /// <summary>
    /// Refuses a path that is not a regular file with content: a pipe, terminal, socket, FIFO or
    /// device (<c>/dev/stdin</c> named inside an input would wait for input forever, and opening a
    /// FIFO blocks until someone writes to it). Their size is 0, so the check looks at the size
    /// without opening anything. Used for paths that come from inside other inputs (node
    /// profiles), not for paths the user typed.
    /// </summary>
    /// <param name="path">The path.</param>
    /// <param name="referencedBy">The file that names the path, for the message.</param>
    /// <param name="what">What the path is, for the message (for example <c>host cpuid file</c>).</param>
    /// <exception cref="InputException">The path is missing, a directory, empty or not a regular file.</exception>
    public static void RequireRegularFile(string path, string referencedBy, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw Directory.Exists(path)
                ? new InputException(referencedBy, $"{what} {path} is a directory, not a file")
                : new InputException(referencedBy, $"{what} not found: {path}");
        }

        // The size of a symbolic link is its own (/dev/stdin -> /proc/self/fd/0 -> pipe:[...]): look at the final target.
        // A plain file needs no more than the one status call FileInfo made.
        FileSystemInfo? target;
        try
        {
            target = (info.Attributes & FileAttributes.ReparsePoint) == 0 ? info : info.ResolveLinkTarget(returnFinalTarget: true);
        }
        catch (IOException)
        {
            target = null;
        }

        if (target is not FileInfo { Exists: true, Length: > 0 })
        {
            throw new InputException(referencedBy, $"{what} {path} is empty or not a regular file");
        }
    }

    /// <summary>Reads a whole file as UTF-8 text (a byte order mark is dropped).</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The size limit.</param>
    /// <returns>The text.</returns>
    /// <exception cref="InputException">The file is missing, unreadable, larger than the limit or not UTF-8.</exception>
    public static string ReadAllText(string path, long maxBytes = MaxBytes) => DecodeUtf8(ReadAllBytes(path, maxBytes), path);

    /// <summary>Decodes UTF-8 strictly (a byte order mark is dropped).</summary>
    /// <param name="utf8">The bytes.</param>
    /// <param name="file">The file name used in error messages.</param>
    /// <returns>The text.</returns>
    /// <exception cref="InputException">The bytes are not UTF-8.</exception>
    public static string DecodeUtf8(ReadOnlySpan<byte> utf8, string file)
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

    /// <summary>The error for a file over the size limit.</summary>
    /// <param name="file">The file.</param>
    /// <param name="maxBytes">The limit.</param>
    /// <returns>The input error.</returns>
    public static InputException TooLarge(string file, long maxBytes) =>
        new(file, string.Create(CultureInfo.InvariantCulture, $"file too large (the limit is {maxBytes} bytes)"));

    /// <summary>The error for a file that cannot be opened or read.</summary>
    /// <param name="file">The file.</param>
    /// <param name="e">The cause.</param>
    /// <returns>The input error.</returns>
    public static InputException CannotRead(string file, Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e switch
        {
            FileNotFoundException or DirectoryNotFoundException => new InputException(file, "no such file", e),
            _ when Directory.Exists(file) => new InputException(file, "is a directory, not a file", e),
            UnauthorizedAccessException => new InputException(file, "permission denied", e),
            _ => new InputException(file, "cannot read: " + e.Message.ReplaceLineEndings(" ").Trim(), e),
        };
    }
}
