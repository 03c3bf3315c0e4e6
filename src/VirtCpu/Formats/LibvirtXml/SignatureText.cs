using System.Globalization;
using VirtCpu.Catalog;
using VirtCpu.Cpuid;

namespace VirtCpu.Formats.LibvirtXml;

/// <summary>
/// The CPU signature text of libvirt's <c>.sig</c> test files (<c>docs/design.md#52-cpu-data</c>):
/// the re-composed signature in lowercase hex (at least 6 digits), then family, model and
/// stepping in decimal and hex, each line ending in a newline.
/// </summary>
public static class SignatureText
{
    /// <summary>Formats the signature of a CPUID leaf 1 EAX value.</summary>
    /// <param name="leaf1Eax">CPUID leaf 1 EAX as reported (reserved bits are dropped by re-composition).</param>
    /// <returns>The four lines.</returns>
    public static string Format(uint leaf1Eax)
    {
        var s = CpuSignature.FromEax(leaf1Eax);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{s.ToEax():x6}\nfamily:   {s.Family,3} (0x{s.Family:x2})\nmodel:    {s.Model,3} (0x{s.Model:x2})\nstepping: {s.Stepping,3} (0x{s.Stepping:x2})\n");
    }

    /// <summary>Formats the signature of raw CPU data (leaf 1 EAX, 0 when absent).</summary>
    /// <param name="data">The data.</param>
    /// <returns>The four lines.</returns>
    public static string Format(CpuidData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Format(data.Leaf1Eax);
    }
}
