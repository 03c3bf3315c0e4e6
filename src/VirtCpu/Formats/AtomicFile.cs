using System.Text;

namespace VirtCpu.Formats;

/// <summary>Writes files atomically: a temporary file in the same folder, then a rename over the target.</summary>
public static class AtomicFile
{
    /// <summary>Writes UTF-8 text (no byte order mark) to a file atomically.</summary>
    /// <param name="path">The target file.</param>
    /// <param name="text">The content.</param>
    /// <exception cref="InputException">The file cannot be written (the message names it).</exception>
    public static void WriteAllText(string path, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(text);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(new UTF8Encoding(false).GetBytes(text));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new InputException(path, "cannot write: " + e.Message, e);
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
            // Nothing more to do: the temporary file stays behind.
        }
    }
}
