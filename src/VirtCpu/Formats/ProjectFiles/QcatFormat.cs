using System.Globalization;
using System.Text;

namespace VirtCpu.Formats.ProjectFiles;

/// <summary>
/// The project's hypervisor catalog file format, <c>.qcat</c>: QEMU's x86 CPU model table for one
/// release as line-oriented text, reviewable in a diff.
/// </summary>
/// <remarks>
/// <code>
/// # comment lines and blank lines are ignored
/// qcat 1                                   format version (first item)
/// name qemu-10.0
/// qemu 10.0
/// provenance "imported from ..."         where the data comes from (any number; import-qemu --binary writes them)
/// word FEAT_7_0_EBX cpuid 0x7 0x0 ebx      CPUID word: leaf, subleaf or "-", register
/// word FEAT_ARCH_CAPABILITIES msr 0x10a    MSR word
/// feature sse4.1 FEAT_1_ECX 19 tcg alias=sse4-1,sse4_1
/// feature kvmclock FEAT_KVM 0,3            one name, two bits
/// feature invtsc FEAT_8000_0007_EDX 8 unmigratable
/// feature ht FEAT_1_EDX 28 tcg no-autoenable
/// dep vmx -> FEAT_VMX_PROCBASED_CTLS       feature_dependencies[] in order: a whole word,
/// dep vmx-ept -> FEAT_VMX_EPT_VPID_CAPS/0xffffffff   part of a word,
/// dep lm -> vmx-entry-ia32e-mode           or named features; "a|b" = any of
/// model Haswell                            a base model; its definition is indented by two
///   vendor GenuineIntel
///   family 6
///   model 60
///   stepping 4
///   model-id "Intel Core Processor (Haswell)"
///   level 0xd
///   xlevel 0x80000008
///   avx10-version 1                        only when not 0
///   cache-info epyc_cache_info             only when the model has one
///   features fpu vme de ...                the base definition's features, table order
///   unnamed FEAT_VMX_EPT_VPID_CAPS 14      a set bit without a name
///   version 2                              versions 1..N; their own data indented by four
///     alias Haswell-noTSX
///     note "no TSX"
///     cache-info epyc_v4_cache_info        the version's own cache set
///     prop hle off                         the version's own props, in order
///     prop model-id "Intel Core Processor (Haswell, no TSX)"
/// </code>
/// Strings are in double quotes with <c>\"</c> and <c>\\</c> escapes. Everything derived (the
/// <c>X-vN</c> names, each version's cumulative definition) is computed on load, never stored.
/// </remarks>
public static class QcatFormat
{
    /// <summary>The format version this build reads and writes.</summary>
    public const int Version = 1;

    /// <summary>Quotes a string.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The quoted form.</returns>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Splits a line into tokens: bare words separated by spaces, and quoted strings.</summary>
    /// <param name="line">The line, without its indentation.</param>
    /// <param name="error">Makes the exception for a malformed line.</param>
    /// <returns>The tokens (quoted strings unquoted).</returns>
    internal static List<string> Tokenize(string line, Func<string, Exception> error)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < line.Length)
        {
            if (line[i] == ' ')
            {
                i++;
                continue;
            }

            if (line[i] == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw error("unterminated string");
                    }

                    var c = line[i++];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\')
                    {
                        if (i >= line.Length || line[i] is not ('"' or '\\'))
                        {
                            throw error("bad escape in string (only \\\" and \\\\ exist)");
                        }

                        c = line[i++];
                    }

                    sb.Append(c);
                }

                tokens.Add(sb.ToString());
                continue;
            }

            var start = i;
            while (i < line.Length && line[i] != ' ')
            {
                if (line[i] == '"')
                {
                    throw error("quote inside a word");
                }

                i++;
            }

            tokens.Add(line[start..i]);
        }

        return tokens;
    }

    /// <summary>Formats a hexadecimal number the way the format writes them.</summary>
    /// <param name="value">The value.</param>
    /// <returns><c>0x</c> + lower-case hex digits.</returns>
    internal static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
