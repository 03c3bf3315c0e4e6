using System.Collections.Immutable;
using System.Text.Json;
using VirtCpu.Cpu;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.NodeProfiles;

namespace VirtCpu.Formats.HostCaptures;

/// <summary>The kind of a host capture file, as detected from its content.</summary>
public enum HostCaptureFormat
{
    /// <summary>libvirt <c>&lt;cpudata&gt;</c> XML (<c>virtcpu cpuid --dump</c>, libvirt's cputestdata).</summary>
    CpudataXml,

    /// <summary><c>cpuid -r</c> text.</summary>
    CpuidText,

    /// <summary>QEMU replies (<c>query-cpu-model-expansion</c> of the host model).</summary>
    QemuReplies,

    /// <summary>A host <c>&lt;cpu&gt;</c> definition: libvirt capabilities XML or a bare host CPU.</summary>
    CapabilitiesXml,

    /// <summary>libvirt domain capabilities XML (its host-model CPU).</summary>
    DomainCapabilitiesXml,

    /// <summary>A node profile (<c>.json</c> with a <c>"host"</c> key).</summary>
    NodeProfile,
}

/// <summary>
/// One host of a fleet as read from one file: the host's name (the file name without extension)
/// and its content, either CPU data (raw CPUID or QEMU replies), a CPU definition
/// (capabilities or domain capabilities XML) or a node profile. Nothing is resolved against a
/// catalog here.
/// </summary>
public sealed record HostCapture
{
    /// <summary>The host name: the file name without its extension (the relative path without extension when two files share a name).</summary>
    public required string Name { get; init; }

    /// <summary>The file.</summary>
    public required string File { get; init; }

    /// <summary>The detected format.</summary>
    public required HostCaptureFormat Format { get; init; }

    /// <summary>The CPU data (raw or QEMU replies), for <see cref="HostCaptureFormat.CpudataXml"/>, <see cref="HostCaptureFormat.CpuidText"/>, <see cref="HostCaptureFormat.QemuReplies"/>.</summary>
    public CpuDataInput? Data { get; init; }

    /// <summary>The CPU definition, for the capabilities formats (a host CPU, or the guest host-model CPU of domain capabilities).</summary>
    public CpuDefinition? Cpu { get; init; }

    /// <summary>The node profile, for <see cref="HostCaptureFormat.NodeProfile"/>.</summary>
    public NodeProfile? Profile { get; init; }
}

/// <summary>A file that could not be read as a host capture.</summary>
/// <param name="File">The file.</param>
/// <param name="Reason">Why it was skipped.</param>
public sealed record SkippedCapture(string File, string Reason);

/// <summary>The host captures of a directory.</summary>
/// <param name="Hosts">The hosts, in file order (ordinal by relative path).</param>
/// <param name="Skipped">The unreadable files, with reasons.</param>
public sealed record HostCaptureSet(ImmutableArray<HostCapture> Hosts, ImmutableArray<SkippedCapture> Skipped);

/// <summary>
/// Reads a directory of host captures (issue 7 item 1): every file below it (recursively; hidden
/// files and directories, whose names start with a dot, are ignored), one host per file, the format
/// detected from the content: <c>{</c> starts a node profile when the object has a <c>"host"</c>
/// key, QEMU replies otherwise; <c>&lt;cpudata&gt;</c> is raw CPUID; <c>&lt;capabilities&gt;</c>,
/// <c>&lt;domainCapabilities&gt;</c> and <c>&lt;cpu&gt;</c> are CPU definitions; anything else is
/// <c>cpuid -r</c> text.
/// </summary>
public static class HostCaptureReader
{
    /// <summary>Reads every capture of a directory; unreadable files are listed, not thrown.</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="progress">Called after each file with (files done, files total), or null.</param>
    /// <returns>The hosts and the skipped files.</returns>
    /// <exception cref="InputException">The directory does not exist or cannot be listed.</exception>
    public static HostCaptureSet ReadDirectory(string directory, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new InputException(directory, "not a directory");
        }

        List<string> files;
        try
        {
            files = [.. Files(directory).Select(f => Path.GetRelativePath(directory, f)).Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(directory, "cannot list the directory: " + e.Message, e);
        }

        var names = files.GroupBy(f => Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal)
            .Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var hosts = new HostCapture?[files.Count];
        var skipped = new SkippedCapture?[files.Count];
        var done = 0;
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) }, i =>
        {
            var relative = files[i];
            var path = Path.Combine(directory, relative);
            var name = Path.GetFileNameWithoutExtension(relative);
            if (names.Contains(name))
            {
                name = Path.ChangeExtension(relative, null).Replace('\\', '/');
            }

            try
            {
                hosts[i] = Read(path, name);
            }
            catch (InputException e)
            {
                skipped[i] = new SkippedCapture(path, e.Problem ?? e.Message);
            }

            var n = Interlocked.Increment(ref done);
            progress?.Invoke(n, files.Count);
        });
        return new HostCaptureSet([.. hosts.OfType<HostCapture>()], [.. skipped.OfType<SkippedCapture>()]);
    }

    /// <summary>Reads one capture file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="name">The host name, or null for the file name without extension.</param>
    /// <returns>The capture.</returns>
    /// <exception cref="InputException">The file cannot be read or is not a host capture.</exception>
    public static HostCapture Read(string path, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(InputFile.ReadAllBytes(path), path, name ?? Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>Parses the content of one capture file.</summary>
    /// <param name="utf8">The content (UTF-8).</param>
    /// <param name="file">The file name (used in errors, and as the profile's base directory).</param>
    /// <param name="name">The host name.</param>
    /// <returns>The capture.</returns>
    /// <exception cref="InputException">The content is not a host capture.</exception>
    public static HostCapture Parse(ReadOnlySpan<byte> utf8, string file, string name)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(name);
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        var first = FirstNonSpace(utf8);
        if (first == '{' && IsNodeProfile(utf8, file, out var document))
        {
            using (document)
            {
                return FromNodeProfile(document!, file, name);
            }
        }

        if (first == '<')
        {
            var root = RootName(utf8);
            if (root is "capabilities" or "domainCapabilities" or "cpu")
            {
                return FromCpuXml(utf8, file, name, root);
            }

            if (root is not "cpudata")
            {
                throw new InputException(file, $"not a host capture (root element <{root}>; expected <cpudata>, <capabilities>, <domainCapabilities> or <cpu>)");
            }
        }

        return FromCpuData(utf8, file, name);
    }

    /// <summary>A node profile (JSON with a <c>host</c>): its host files are relative to the profile's folder.</summary>
    private static HostCapture FromNodeProfile(JsonDocument document, string file, string name)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";
        var profile = NodeProfileReader.Parse(document.RootElement, file, name, directory, allowName: true);
        return new HostCapture { Name = name, File = file, Format = HostCaptureFormat.NodeProfile, Profile = profile };
    }

    /// <summary>A libvirt <c>capabilities</c>, <c>domainCapabilities</c> or <c>cpu</c> XML: its first CPU, which must name a model.</summary>
    private static HostCapture FromCpuXml(ReadOnlySpan<byte> utf8, string file, string name, string root)
    {
        var cpus = CpuXml.ParseAll(utf8, file);
        var format = root == "domainCapabilities" ? HostCaptureFormat.DomainCapabilitiesXml : HostCaptureFormat.CapabilitiesXml;
        if (cpus[0].Model is null)
        {
            throw new InputException(file, "the CPU definition names no model");
        }

        return new HostCapture { Name = name, File = file, Format = format, Cpu = cpus[0] };
    }

    /// <summary>Raw CPU data: <c>&lt;cpudata&gt;</c>, <c>cpuid -r</c> text or QEMU replies.</summary>
    private static HostCapture FromCpuData(ReadOnlySpan<byte> utf8, string file, string name)
    {
        var data = CpuDataFile.Parse(utf8, file);
        var kind = data.Format switch
        {
            CpuDataFormat.CpudataXml => HostCaptureFormat.CpudataXml,
            CpuDataFormat.CpuidText => HostCaptureFormat.CpuidText,
            _ => HostCaptureFormat.QemuReplies,
        };
        return new HostCapture { Name = name, File = file, Format = kind, Data = data };
    }

    private static IEnumerable<string> Files(string directory)
    {
        foreach (var f in Directory.EnumerateFiles(directory))
        {
            if (!Path.GetFileName(f).StartsWith('.'))
            {
                yield return f;
            }
        }

        foreach (var d in Directory.EnumerateDirectories(directory))
        {
            if (Path.GetFileName(d).StartsWith('.'))
            {
                continue;
            }

            foreach (var f in Files(d))
            {
                yield return f;
            }
        }
    }

    private static int FirstNonSpace(ReadOnlySpan<byte> utf8)
    {
        foreach (var b in utf8)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return b;
            }
        }

        return -1;
    }

    private static bool IsNodeProfile(ReadOnlySpan<byte> utf8, string file, out JsonDocument? document)
    {
        document = null;
        try
        {
            var doc = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("host", out _))
            {
                document = doc;
                return true;
            }

            doc.Dispose();
            return false;
        }
        catch (JsonException e)
        {
            throw new InputException(file, $"malformed JSON (line {(e.LineNumber ?? 0) + 1}): {e.Message}", e);
        }
    }

    // The name of the first element, skipping the XML declaration, processing instructions,
    // comments and a doctype (which the XML readers then refuse).
    private static string RootName(ReadOnlySpan<byte> utf8)
    {
        var i = 0;
        while (i < utf8.Length)
        {
            var lt = utf8[i..].IndexOf((byte)'<');
            if (lt < 0)
            {
                break;
            }

            i += lt + 1;
            if (i >= utf8.Length)
            {
                break;
            }

            var rest = utf8[i..];
            if (rest.StartsWith("!--"u8))
            {
                var end = rest.IndexOf("-->"u8);
                i += end < 0 ? rest.Length : end + 3;
                continue;
            }

            if (rest[0] is (byte)'?' or (byte)'!')
            {
                continue;
            }

            var n = 0;
            while (n < rest.Length && rest[n] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'>' or (byte)'/'))
            {
                n++;
            }

            return System.Text.Encoding.UTF8.GetString(rest[..n]);
        }

        return "";
    }
}
