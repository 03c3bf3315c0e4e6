using System.Globalization;
using VirtCpu.Catalog;
using VirtCpu.Cpuid;

namespace VirtCpu.Formats.HostCaptures;

/// <summary>
/// The raw output of Todd Allen's <c>cpuid</c> tool: <c>cpuid -r</c> (one block per CPU under
/// <c>CPU N:</c> headers) and <c>cpuid -1r</c> (one block). Each data line reads
/// <c>   0x00000000 0x00: eax=0x0000000d ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65</c>.
/// Only the first CPU's block is used; blank lines are skipped; any other line is an error.
/// </summary>
public static class CpuidText
{
    /// <summary>The longest line accepted, in characters (a data line is about 80).</summary>
    public const int MaxLineLength = 1024;

    /// <summary>The most data lines accepted in the first CPU's block (a real CPU has a few hundred).</summary>
    public const int MaxLines = 100_000;

    /// <summary>Parses <c>cpuid -r</c> or <c>cpuid -1r</c> output.</summary>
    /// <param name="text">The text.</param>
    /// <param name="file">The file name used in error messages.</param>
    /// <returns>The CPUID leaves of the first CPU.</returns>
    /// <exception cref="InputException">A line is neither a header nor a data line, or there is no data line.</exception>
    public static CpuidData Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InputException(file, "empty file");
        }

        var items = new List<KeyValuePair<CpuDataKey, CpuRegisters>>();
        var headers = 0;
        var lineNumber = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            if (raw.Length > MaxLineLength)
            {
                throw new InputException(file, string.Create(CultureInfo.InvariantCulture, $"line {lineNumber}: line too long (the limit is {MaxLineLength} characters)"));
            }

            var line = raw.Trim();
            if (line.IsEmpty)
            {
                continue;
            }

            if (line.StartsWith("CPU", StringComparison.Ordinal) && line.EndsWith(':'))
            {
                var number = line[3..^1].Trim();
                if (!number.IsEmpty && !int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    throw Bad(file, lineNumber);
                }

                headers++;
                if (headers > 1)
                {
                    break;
                }

                continue;
            }

            if (items.Count == MaxLines)
            {
                throw new InputException(file, string.Create(CultureInfo.InvariantCulture, $"line {lineNumber}: too many CPUID lines (the limit is {MaxLines})"));
            }

            items.Add(ParseLine(line, file, lineNumber));
        }

        if (items.Count == 0)
        {
            throw new InputException(file, "no CPUID line found (expected 'cpuid -r' output such as '0x00000000 0x00: eax=0x... ebx=0x... ecx=0x... edx=0x...')");
        }

        return CpuidData.From(items);
    }

    private static KeyValuePair<CpuDataKey, CpuRegisters> ParseLine(ReadOnlySpan<char> line, string file, int lineNumber)
    {
        // "0x00000000 0x00: eax=0x0000000d ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65"
        var colon = line.IndexOf(':');
        if (colon < 0)
        {
            throw Bad(file, lineNumber);
        }

        Span<Range> keyParts = stackalloc Range[3];
        var key = line[..colon];
        if (key.Split(keyParts, ' ', StringSplitOptions.RemoveEmptyEntries) != 2
            || !Hex(key[keyParts[0]], out var leaf)
            || !Hex(key[keyParts[1]], out var subleaf))
        {
            throw Bad(file, lineNumber);
        }

        Span<Range> regParts = stackalloc Range[5];
        var regs = line[(colon + 1)..];
        if (regs.Split(regParts, ' ', StringSplitOptions.RemoveEmptyEntries) != 4)
        {
            throw Bad(file, lineNumber);
        }

        Span<uint> values = stackalloc uint[4];
        ReadOnlySpan<string> names = ["eax=", "ebx=", "ecx=", "edx="];
        for (var i = 0; i < 4; i++)
        {
            var part = regs[regParts[i]];
            if (!part.StartsWith(names[i], StringComparison.Ordinal) || !Hex(part[4..], out values[i]))
            {
                throw Bad(file, lineNumber);
            }
        }

        return new(CpuDataKey.Cpuid(leaf, subleaf), new CpuRegisters(values[0], values[1], values[2], values[3]));
    }

    private static bool Hex(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        return text.Length > 2 && text.Length <= 10 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')
            && uint.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    private static InputException Bad(string file, int lineNumber) => new(
        file,
        string.Create(CultureInfo.InvariantCulture, $"line {lineNumber}: not a 'cpuid -r' line (expected 'CPU N:' or '0xLEAF 0xSUB: eax=0x... ebx=0x... ecx=0x... edx=0x...')"));
}
