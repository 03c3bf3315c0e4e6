using System.Text;

namespace VirtCpu.Formats.Input;

/// <summary>
/// Writes files all at once: to a temporary file in the same directory (flushed to disk), then
/// renamed over the destination, so an interrupted or failed run never leaves a partial file, an
/// existing file is replaced only on success, and the temporary file is removed on failure.
/// Every file VirtCpu writes goes through here.
/// </summary>
public static class AtomicFile
{
    /// <summary>The suffix of temporary files (<c>.NAME.PID.GUID.tmp</c> beside the destination).</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>Writes text (UTF-8, no byte order mark) to a file atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="text">The contents.</param>
    /// <exception cref="InputException">The file cannot be written.</exception>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));
    }

    /// <summary>Writes bytes to a file atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="bytes">The contents.</param>
    /// <exception cref="InputException">The file cannot be written.</exception>
    public static void WriteAllBytes(string path, ReadOnlyMemory<byte> bytes) => Write(path, stream => stream.Write(bytes.Span));

    /// <summary>
    /// Writes a file atomically through a callback. When the callback throws, the temporary file is
    /// removed, the destination is left as it was, and the exception propagates.
    /// </summary>
    /// <param name="path">The destination.</param>
    /// <param name="write">Writes the contents to the stream it is given.</param>
    /// <exception cref="InputException">The file cannot be written (missing directory, permission, disk full).</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? ".";
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}{TempSuffix}");
        var done = false;
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
            done = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, e switch
            {
                DirectoryNotFoundException => "cannot write: no such directory",
                UnauthorizedAccessException => "cannot write: permission denied",
                _ when Directory.Exists(full) => "cannot write: is a directory",
                _ => "cannot write: " + e.Message.ReplaceLineEndings(" "),
            }, e);
        }
        finally
        {
            if (!done)
            {
                TryDelete(temp);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do: the temporary file is all that can be left.
        }
    }
}
