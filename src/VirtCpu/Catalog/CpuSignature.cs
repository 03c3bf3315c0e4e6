using System.Globalization;

namespace VirtCpu.Catalog;

/// <summary>
/// A CPU signature (family, model, stepping) and its CPUID leaf 1 EAX encoding, with libvirt's
/// arithmetic (extended family and model are always added, whatever the base family).
/// </summary>
/// <param name="Family">The display family.</param>
/// <param name="Model">The display model.</param>
/// <param name="Stepping">The stepping.</param>
public readonly record struct CpuSignature(uint Family, uint Model, uint Stepping)
{
    /// <summary>The mask libvirt applies to leaf 1 EAX (reserved bits and processor type cleared).</summary>
    public const uint Leaf1Mask = 0x0FFF3FFF;

    /// <summary>Decomposes a CPUID leaf 1 EAX value.</summary>
    /// <param name="eax">Leaf 1 EAX.</param>
    /// <returns>The signature.</returns>
    public static CpuSignature FromEax(uint eax) => new(
        ((eax >> 20) & 0xFF) + ((eax >> 8) & 0xF),
        ((eax >> 12) & 0xF0) + ((eax >> 4) & 0xF),
        eax & 0xF);

    /// <summary>Composes the leaf 1 EAX value of this signature.</summary>
    /// <returns>The EAX value.</returns>
    public uint ToEax()
    {
        uint baseFamily = Family;
        uint extFamily = 0;
        if (Family > 0xF)
        {
            extFamily = Family - 0xF;
            baseFamily = 0xF;
        }

        return ((extFamily & 0xFF) << 20)
            | (((Model >> 4) & 0xF) << 16)
            | ((baseFamily & 0xF) << 8)
            | ((Model & 0xF) << 4)
            | (Stepping & 0xF);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Family}/{Model}/{Stepping}");
}

/// <summary>A signature a CPU model claims: family, model and optionally a set of steppings.</summary>
/// <param name="Family">The display family (non-zero).</param>
/// <param name="Model">The display model.</param>
/// <param name="Steppings">A bitmap over steppings 0 to 15, or null for any stepping.</param>
public readonly record struct ModelSignature(uint Family, uint Model, ushort? Steppings)
{
    /// <summary>True when a CPU signature matches this entry.</summary>
    /// <param name="signature">The CPU's signature.</param>
    /// <returns>Whether family and model are equal and the stepping is allowed.</returns>
    public bool Matches(CpuSignature signature) =>
        signature.Family == Family && signature.Model == Model
        && (Steppings is null || (signature.Stepping < 16 && (Steppings.Value & (1 << (int)signature.Stepping)) != 0));

    /// <summary>The lowest allowed stepping, or 0 when any stepping matches.</summary>
    public uint LowestStepping => Steppings is { } s && s != 0 ? (uint)System.Numerics.BitOperations.TrailingZeroCount(s) : 0;

    /// <summary>The stepping set in libvirt's bitmap syntax (<c>0-4</c>, <c>5,7</c>), or null.</summary>
    /// <returns>The text, or null when any stepping matches.</returns>
    public string? SteppingText()
    {
        if (Steppings is not { } s)
        {
            return null;
        }

        var parts = new List<string>();
        var i = 0;
        while (i < 16)
        {
            if ((s & (1 << i)) == 0)
            {
                i++;
                continue;
            }

            var j = i;
            while (j + 1 < 16 && (s & (1 << (j + 1))) != 0)
            {
                j++;
            }

            parts.Add(i == j ? i.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{i}-{j}"));
            i = j + 1;
        }

        return string.Join(',', parts);
    }
}
