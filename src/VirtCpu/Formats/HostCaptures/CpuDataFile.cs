using System.Text;
using VirtCpu.Cpuid;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.QemuData;
using VirtCpu.Qemu;

namespace VirtCpu.Formats.HostCaptures;

/// <summary>The format of a CPU data file, as detected from its content.</summary>
public enum CpuDataFormat
{
    /// <summary>libvirt <c>&lt;cpudata&gt;</c> XML.</summary>
    CpudataXml,

    /// <summary><c>cpuid -r</c> / <c>cpuid -1r</c> text.</summary>
    CpuidText,

    /// <summary>QEMU replies (<c>query-cpu-model-expansion</c>, optionally <c>query-cpu-definitions</c>).</summary>
    QemuReplies,
}

/// <summary>The content of a CPU data file: raw CPUID/MSR data or QEMU replies.</summary>
/// <param name="Format">The detected format.</param>
/// <param name="Raw">The raw data (XML or text input), or null.</param>
/// <param name="Qemu">The QEMU replies (JSON input), or null.</param>
public sealed record CpuDataInput(CpuDataFormat Format, CpuidData? Raw, QemuReplyFile? Qemu)
{
    /// <summary>True when the input holds raw CPUID/MSR data.</summary>
    public bool IsRaw => Raw is not null;
}

/// <summary>
/// Reads a CPU data file of any supported format, detected from its content (not its name):
/// the first non-space character <c>&lt;</c> means <c>&lt;cpudata&gt;</c> XML, <c>{</c> means QEMU
/// replies, anything else <c>cpuid -r</c> text.
/// </summary>
public static class CpuDataFile
{
    /// <summary>The largest file accepted, in bytes.</summary>
    public const long MaxBytes = 32L * 1024 * 1024;

    /// <summary>Reads and parses a file.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The content.</returns>
    /// <exception cref="InputException">The file cannot be read, is too large, empty or malformed.</exception>
    public static CpuDataInput Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(InputFile.ReadAllBytes(path, MaxBytes), path);
    }

    /// <summary>Parses file content.</summary>
    /// <param name="utf8">The bytes (UTF-8).</param>
    /// <param name="file">The file name used in error messages.</param>
    /// <returns>The content.</returns>
    /// <exception cref="InputException">The content is empty or malformed.</exception>
    public static CpuDataInput Parse(ReadOnlySpan<byte> utf8, string file)
    {
        if (utf8.Length > MaxBytes)
        {
            throw new InputException(file, $"file too large ({utf8.Length} bytes; the limit is {MaxBytes} bytes)");
        }

        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        var first = -1;
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                first = utf8[i];
                break;
            }
        }

        switch (first)
        {
            case -1:
                throw new InputException(file, "empty file");
            case '{':
                return new CpuDataInput(CpuDataFormat.QemuReplies, null, QemuReplyReader.Parse(utf8, file));
        }

        var text = InputFile.DecodeUtf8(utf8, file);
        return first == '<'
            ? new CpuDataInput(CpuDataFormat.CpudataXml, CpuidXml.Parse(text, file), null)
            : new CpuDataInput(CpuDataFormat.CpuidText, CpuidText.Parse(text, file), null);
    }

    /// <summary>Parses file content given as text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="file">The file name used in error messages.</param>
    /// <returns>The content.</returns>
    /// <exception cref="InputException">The content is empty or malformed.</exception>
    public static CpuDataInput Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(Encoding.UTF8.GetBytes(text), file);
    }
}
