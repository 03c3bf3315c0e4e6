using System.Collections.Immutable;
using VirtCpu.Cpu;

namespace VirtCpu.Formats.LibvirtXml;

/// <summary>Reads guest <c>&lt;cpu&gt;</c> definition files.</summary>
public static class GuestFiles
{
    private const long MaxBytes = 1024 * 1024;

    /// <summary>Reads one guest definition.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The definition (type guest).</returns>
    /// <exception cref="InputException">Missing, unreadable or malformed file.</exception>
    public static CpuDefinition Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ReadGuest(path).Cpu;
    }

    /// <summary>
    /// Reads one guest: a bare <c>&lt;cpu&gt;</c>, or a whole domain XML as <c>virsh dumpxml</c> writes
    /// it (its CPU, topology, machine type and domain type are taken from it).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The guest: its CPU, and the domain when the file is a domain XML.</returns>
    /// <exception cref="InputException">Missing, unreadable or malformed file.</exception>
    public static (CpuDefinition Cpu, LibvirtDomain? Domain) ReadGuest(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = ReadText(path);
        if (LibvirtDomain.IsDomain(text))
        {
            var domain = LibvirtDomain.Parse(text, path);
            return (domain.Cpu, domain);
        }

        return (CpuXml.Parse(text, path, CpuType.Guest), null);
    }

    /// <summary>Reads every <c>*.xml</c> file of a directory, in ordinal name order.</summary>
    /// <param name="directory">The directory.</param>
    /// <returns>(file name, definition) pairs.</returns>
    /// <exception cref="InputException">Missing directory or a bad file.</exception>
    public static ImmutableArray<(string Name, CpuDefinition Definition)> ReadDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new InputException(directory, "directory not found");
        }

        var files = Directory.GetFiles(directory, "*.xml");
        Array.Sort(files, StringComparer.Ordinal);
        return [.. files.Select(f => (Path.GetFileName(f), Read(f)))];
    }

    private static string ReadText(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new InputException(path, "file not found");
            }

            if (info.Length > MaxBytes)
            {
                throw new InputException(path, $"file too large ({info.Length} bytes)");
            }

            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, "cannot read: " + e.Message, e);
        }
    }
}
