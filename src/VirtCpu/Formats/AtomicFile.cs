using System.Text;

namespace VirtCpu.Formats;

/// <summary>Writes files all at once: to a temporary file in the same directory, then renamed, so no partial file is ever left.</summary>
public static class AtomicFile
{
    /// <summary>Writes text (UTF-8, no byte order mark) to a file atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="text">The contents.</param>
    /// <exception cref="InputException">The file cannot be written.</exception>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(text);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? ".";
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temp, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new InputException(path, e is DirectoryNotFoundException ? "cannot write: no such directory" : "cannot write: " + e.Message.ReplaceLineEndings(" "), e);
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
