using System.Globalization;

namespace VirtCpu.Qemu;

/// <summary>Parses QOM property values the way QEMU's table and <c>-cpu</c> spell them.</summary>
public static class QemuPropValues
{
    /// <summary>Parses a boolean property value (<c>on</c>/<c>off</c>, <c>true</c>/<c>false</c>, <c>yes</c>/<c>no</c>).</summary>
    /// <param name="value">The text.</param>
    /// <returns>The value, or null when the text is not a boolean.</returns>
    public static bool? ParseSwitch(string value) => value switch
    {
        "on" or "true" or "yes" => true,
        "off" or "false" or "no" => false,
        _ => null,
    };

    /// <summary>Parses an integer property value, decimal or <c>0x</c> hexadecimal.</summary>
    /// <param name="value">The text.</param>
    /// <returns>The value, or null when the text is not an unsigned integer.</returns>
    public static ulong? ParseNumber(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return ulong.TryParse(value.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h) ? h : null;
        }

        return ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d : null;
    }
}
