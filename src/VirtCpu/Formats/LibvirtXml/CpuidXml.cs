using System.Globalization;
using System.Text;
using System.Xml.Linq;
using VirtCpu.Catalog;
using VirtCpu.Cpuid;
using VirtCpu.Formats.Input;

namespace VirtCpu.Formats.LibvirtXml;

/// <summary>
/// libvirt's <c>&lt;cpudata arch='x86'&gt;</c> XML (the <c>x86_64-cpuid-*.xml</c> test inputs):
/// raw CPUID leaves and MSRs.
/// </summary>
/// <remarks>
/// Reading follows <c>docs/design.md#52-cpu-data</c>: the root is <c>&lt;cpudata&gt;</c> with a
/// required <c>arch</c> attribute (only <c>x86</c> is understood); comments are skipped;
/// <c>&lt;alias&gt;</c> elements are skipped (as in feature definitions);
/// <c>&lt;cpuid eax_in ecx_in eax ebx ecx edx/&gt;</c> gives a CPUID item (<c>eax_in</c> required,
/// the others default to 0); every other element is read as <c>&lt;msr index eax edx/&gt;</c>
/// with all three attributes required; numbers are C-style (<c>0x</c> hexadecimal, leading
/// <c>0</c> octal, decimal); items with the same key are OR-merged. Writing is libvirt's
/// <c>virCPUx86DataFormat</c>, optionally preceded by a comment with the brand string.
/// </remarks>
public static class CpuidXml
{
    /// <summary>Parses a <c>&lt;cpudata&gt;</c> document.</summary>
    /// <param name="xml">The XML text.</param>
    /// <param name="file">The file name used in error messages.</param>
    /// <returns>The raw data.</returns>
    /// <exception cref="InputException">The text is not a valid x86 <c>&lt;cpudata&gt;</c> document.</exception>
    public static CpuidData Parse(string xml, string file)
    {
        var root = XmlInput.LoadRoot(xml, file);
        if (root.Name.LocalName != "cpudata")
        {
            throw XmlInput.Error(file, root, $"expected a <cpudata> root element, found <{root.Name.LocalName}>");
        }

        var arch = (string?)root.Attribute("arch");
        if (arch is null)
        {
            throw XmlInput.Error(file, root, "missing CPU data architecture (attribute 'arch' of <cpudata>)");
        }

        if (arch != "x86")
        {
            throw XmlInput.Error(file, root, $"unsupported CPU data architecture '{arch}' (only 'x86' is handled)");
        }

        var items = new List<KeyValuePair<CpuDataKey, CpuRegisters>>();
        foreach (var e in root.Elements())
        {
            if (e.Name.LocalName == "alias")
            {
                continue;
            }

            if (e.Name.LocalName == "cpuid")
            {
                var leaf = Required(e, "eax_in", file);
                var subleaf = Optional(e, "ecx_in", file);
                var regs = new CpuRegisters(Optional(e, "eax", file), Optional(e, "ebx", file), Optional(e, "ecx", file), Optional(e, "edx", file));
                items.Add(new(CpuDataKey.Cpuid(leaf, subleaf), regs));
            }
            else
            {
                var index = Required(e, "index", file);
                var regs = new CpuRegisters(Required(e, "eax", file), 0, 0, Required(e, "edx", file));
                items.Add(new(CpuDataKey.Msr(index), regs));
            }
        }

        return CpuidData.From(items);
    }

    /// <summary>
    /// Formats data as libvirt does: <c>&lt;cpudata arch='x86'&gt;</c>, one line per non-zero item
    /// in key order, <c>&lt;/cpudata&gt;</c> and a final newline.
    /// </summary>
    /// <param name="data">The data.</param>
    /// <param name="brandComment">
    /// When true and the data has brand-string leaves (0x80000002 to 0x80000004), a first line
    /// <c>&lt;!-- BRAND --&gt;</c> names the processor, as libvirt's test files do.
    /// </param>
    /// <returns>The XML text.</returns>
    public static string Format(CpuidData data, bool brandComment = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        var sb = new StringBuilder();
        if (brandComment && BrandString(data) is { Length: > 0 } brand)
        {
            sb.Append("<!-- ").Append(brand).Append(" -->\n");
        }

        sb.Append("<cpudata arch='x86'>\n");
        foreach (var (key, r) in data.Items)
        {
            if (r.IsZero)
            {
                continue;
            }

            if (key.Kind == CpuDataKind.Cpuid)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  <cpuid eax_in='0x{key.Index:x8}' ecx_in='0x{key.Subleaf:x8}' eax='0x{r.Eax:x8}' ebx='0x{r.Ebx:x8}' ecx='0x{r.Ecx:x8}' edx='0x{r.Edx:x8}'/>\n");
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"  <msr index='0x{key.Index:x}' eax='0x{r.Eax:x8}' edx='0x{r.Edx:x8}'/>\n");
            }
        }

        sb.Append("</cpudata>\n");
        return sb.ToString();
    }

    /// <summary>
    /// The processor brand string of CPUID leaves 0x80000002 to 0x80000004, trimmed, with
    /// anything that cannot appear in an XML comment replaced; null when those leaves are absent.
    /// </summary>
    /// <param name="data">The data.</param>
    /// <returns>The brand string, or null.</returns>
    public static string? BrandString(CpuidData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var bytes = new List<byte>(48);
        var any = false;
        for (uint leaf = 0x80000002; leaf <= 0x80000004; leaf++)
        {
            var r = data.Get(CpuDataKey.Cpuid(leaf)) ?? default;
            any |= !r.IsZero;
            foreach (var v in (ReadOnlySpan<uint>)[r.Eax, r.Ebx, r.Ecx, r.Edx])
            {
                for (var i = 0; i < 4; i++)
                {
                    bytes.Add((byte)(v >> (8 * i)));
                }
            }
        }

        if (!any)
        {
            return null;
        }

        var sb = new StringBuilder();
        foreach (var b in bytes)
        {
            if (b == 0)
            {
                break;
            }

            sb.Append(b is >= 0x20 and < 0x7f ? (char)b : '?');
        }

        var text = sb.ToString().Trim();
        while (text.Contains("--", StringComparison.Ordinal))
        {
            text = text.Replace("--", "- -", StringComparison.Ordinal);
        }

        return text;
    }

    private static uint Required(XElement e, string name, string file)
    {
        var text = (string?)e.Attribute(name)
            ?? throw XmlInput.Error(file, e, $"missing attribute '{name}' in element <{e.Name.LocalName}>");
        return Number(e, name, text, file);
    }

    private static uint Optional(XElement e, string name, string file)
    {
        var text = (string?)e.Attribute(name);
        return text is null ? 0 : Number(e, name, text, file);
    }

    private static uint Number(XElement e, string name, string text, string file) =>
        SafeXml.TryParseCUInt32(text, out var v)
            ? v
            : throw XmlInput.Error(file, e, $"invalid value '{text}' for attribute '{name}' in element <{e.Name.LocalName}>: expected an unsigned 32-bit number");
}
