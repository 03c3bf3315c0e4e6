using System.Globalization;
using System.Text.RegularExpressions;
using VirtCpu.Catalog;

namespace VirtCpu.Qemu.BinaryImport;

/// <summary>Why QEMU dropped a requested feature of a vCPU.</summary>
public enum QemuDropReason
{
    /// <summary><c>TCG doesn't support requested feature</c> (or the host's, under KVM).</summary>
    NotSupported,

    /// <summary><c>This feature depends on other features that were not requested</c>: a prerequisite was off.</summary>
    Dependency,

    /// <summary>Any other reason (<c>this feature conflicts with APX</c>, ...).</summary>
    Other,
}

/// <summary>
/// One warning QEMU prints when it drops a feature a vCPU asked for
/// (<c>warning: TCG doesn't support requested feature: CPUID[eax=07h,ecx=00h].EBX.avx512f [bit 16]</c>;
/// QEMU 7.2 and 10.0 write the word as <c>CPUID.07H:EBX</c>, MSRs as <c>MSR(48EH)</c>). It names the
/// feature with its word and bit, which is how a probe learns the bits of MSR features.
/// </summary>
/// <param name="Reason">Why the feature was dropped.</param>
/// <param name="ReasonText">The reason as QEMU wrote it.</param>
/// <param name="Word">The word; for the older CPUID spelling the subleaf is unknown (null) even when the word has one.</param>
/// <param name="SubleafKnown">False for the older CPUID spelling, which does not print the subleaf.</param>
/// <param name="Name">The feature name, or null for a bit without one.</param>
/// <param name="Bit">The bit.</param>
public sealed partial record QemuFeatureWarning(QemuDropReason Reason, string ReasonText, QemuWordLocation Word, bool SubleafKnown, string? Name, int Bit)
{
    /// <summary>Reads every feature warning of a QEMU's stderr (other lines are skipped).</summary>
    /// <param name="stderr">The text.</param>
    /// <returns>The warnings, in order.</returns>
    public static IReadOnlyList<QemuFeatureWarning> ParseAll(string stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        return [.. stderr.Split('\n').Select(l => Parse(l.TrimEnd('\r'))).OfType<QemuFeatureWarning>()];
    }

    /// <summary>Reads one line.</summary>
    /// <param name="line">The line.</param>
    /// <returns>The warning, or null when the line is not one.</returns>
    public static QemuFeatureWarning? Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var m = Line().Match(line);
        if (!m.Success)
        {
            return null;
        }

        var text = m.Groups["reason"].Value;
        var reason = text.Contains("doesn't support requested feature", StringComparison.Ordinal) ? QemuDropReason.NotSupported
            : text.Contains("depends on other features", StringComparison.Ordinal) ? QemuDropReason.Dependency
            : QemuDropReason.Other;
        QemuWordLocation word;
        var subleafKnown = true;
        if (m.Groups["msr"].Success)
        {
            word = QemuWordLocation.Msr(Hex(m.Groups["msr"].Value));
        }
        else if (m.Groups["leaf"].Success)
        {
            uint? subleaf = m.Groups["sub"].Success ? Hex(m.Groups["sub"].Value) : null;
            word = QemuWordLocation.Cpuid(Hex(m.Groups["leaf"].Value), subleaf, Register(m.Groups["reg"].Value));
        }
        else
        {
            word = QemuWordLocation.Cpuid(Hex(m.Groups["oldleaf"].Value), null, Register(m.Groups["oldreg"].Value));
            subleafKnown = false;
        }

        var name = m.Groups["name"].Success ? m.Groups["name"].Value : null;
        return new QemuFeatureWarning(reason, text, word, subleafKnown, name, int.Parse(m.Groups["bit"].Value, CultureInfo.InvariantCulture));
    }

    private static uint Hex(string text) => uint.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private static CpuRegister Register(string text) => text.ToUpperInvariant() switch
    {
        "EAX" => CpuRegister.Eax,
        "EBX" => CpuRegister.Ebx,
        "ECX" => CpuRegister.Ecx,
        _ => CpuRegister.Edx,
    };

    [GeneratedRegex(@"warning: (?<reason>.+?): (?:CPUID\[eax=(?<leaf>[0-9a-fA-F]+)h(?:,ecx=(?<sub>[0-9a-fA-F]+)h)?\]\.(?<reg>E[A-D]X)|CPUID\.(?<oldleaf>[0-9a-fA-F]+)H:(?<oldreg>E[A-D]X)|MSR\((?<msr>[0-9a-fA-F]+)[hH]\))(?:\.(?<name>\S+))? \[bit (?<bit>\d+)\]$")]
    private static partial Regex Line();
}
