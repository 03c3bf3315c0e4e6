using System.Globalization;

namespace VirtCpu.Formats;

/// <summary>
/// Unsigned numbers written as C's <c>strtoul(s, NULL, 0)</c> reads them (what libvirt's
/// <c>virXMLPropUInt(..., 0, ...)</c> accepts): <c>0x</c>/<c>0X</c> hexadecimal, a leading
/// <c>0</c> octal, otherwise decimal. No sign, no spaces, no trailing garbage.
/// </summary>
internal static class CNumber
{
    /// <summary>Parses a 32-bit unsigned number.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The value.</param>
    /// <returns>False when the text is not a number or does not fit.</returns>
    public static bool TryParseUInt32(string? text, out uint value)
    {
        value = 0;
        if (!TryParseUInt64(text, out var wide) || wide > uint.MaxValue)
        {
            return false;
        }

        value = (uint)wide;
        return true;
    }

    /// <summary>Parses a 64-bit unsigned number.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The value.</param>
    /// <returns>False when the text is not a number or does not fit.</returns>
    public static bool TryParseUInt64(string? text, out ulong value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text.Length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        {
            var digits = text.AsSpan(2);
            foreach (var c in digits)
            {
                if (!char.IsAsciiHexDigit(c))
                {
                    return false;
                }
            }

            return ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        if (text.Length > 1 && text[0] == '0')
        {
            ulong v = 0;
            foreach (var c in text.AsSpan(1))
            {
                if (c > '7' || v > (ulong.MaxValue >> 3))
                {
                    return false;
                }

                v = (v << 3) | (uint)(c - '0');
            }

            value = v;
            return true;
        }

        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
