using System.Collections.Immutable;
using VirtCpu.Catalog;

namespace VirtCpu.Cpuid;

/// <summary>The four registers of one CPUID item (MSR items use <see cref="Eax"/> and <see cref="Edx"/> only).</summary>
/// <param name="Eax">EAX (MSR: low half).</param>
/// <param name="Ebx">EBX.</param>
/// <param name="Ecx">ECX.</param>
/// <param name="Edx">EDX (MSR: high half).</param>
public readonly record struct CpuRegisters(uint Eax, uint Ebx, uint Ecx, uint Edx)
{
    /// <summary>True when every register is zero.</summary>
    public bool IsZero => (Eax | Ebx | Ecx | Edx) == 0;

    /// <summary>Reads one register.</summary>
    /// <param name="register">Which register.</param>
    /// <returns>Its value.</returns>
    public uint this[CpuRegister register] => register switch
    {
        CpuRegister.Eax => Eax,
        CpuRegister.Ebx => Ebx,
        CpuRegister.Ecx => Ecx,
        _ => Edx,
    };

    /// <summary>Bitwise OR of two register sets.</summary>
    /// <param name="other">The other registers.</param>
    /// <returns>The union.</returns>
    public CpuRegisters Or(CpuRegisters other) => new(Eax | other.Eax, Ebx | other.Ebx, Ecx | other.Ecx, Edx | other.Edx);

    /// <summary>Sets bits in one register.</summary>
    /// <param name="register">Which register.</param>
    /// <param name="mask">The bits.</param>
    /// <returns>The new registers.</returns>
    public CpuRegisters With(CpuRegister register, uint mask) => register switch
    {
        CpuRegister.Eax => this with { Eax = Eax | mask },
        CpuRegister.Ebx => this with { Ebx = Ebx | mask },
        CpuRegister.Ecx => this with { Ecx = Ecx | mask },
        _ => this with { Edx = Edx | mask },
    };
}

/// <summary>
/// Raw CPU data: CPUID leaves and MSRs as a host reported them (libvirt's <c>&lt;cpudata&gt;</c>).
/// Items are kept sorted by key; items with the same key are OR-merged.
/// </summary>
public sealed class CpuidData
{
    private readonly ImmutableSortedDictionary<CpuDataKey, CpuRegisters> _items;

    private CpuidData(ImmutableSortedDictionary<CpuDataKey, CpuRegisters> items) => _items = items;

    /// <summary>Data with no item.</summary>
    public static CpuidData Empty { get; } = new(ImmutableSortedDictionary<CpuDataKey, CpuRegisters>.Empty);

    /// <summary>Every stored item, sorted (zero items included).</summary>
    public IEnumerable<KeyValuePair<CpuDataKey, CpuRegisters>> Items => _items;

    /// <summary>The number of stored items.</summary>
    public int Count => _items.Count;

    /// <summary>Builds data from items, OR-merging duplicate keys.</summary>
    /// <param name="items">The items.</param>
    /// <returns>The data.</returns>
    public static CpuidData From(IEnumerable<KeyValuePair<CpuDataKey, CpuRegisters>> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var b = ImmutableSortedDictionary.CreateBuilder<CpuDataKey, CpuRegisters>();
        foreach (var (k, v) in items)
        {
            b[k] = b.TryGetValue(k, out var old) ? old.Or(v) : v;
        }

        return new CpuidData(b.ToImmutable());
    }

    /// <summary>Looks up an item.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The registers, or null when absent.</returns>
    public CpuRegisters? Get(CpuDataKey key) => _items.TryGetValue(key, out var r) ? r : null;

    /// <summary>Returns this data with an item OR-merged in.</summary>
    /// <param name="key">The key.</param>
    /// <param name="registers">The registers.</param>
    /// <returns>The new data.</returns>
    public CpuidData With(CpuDataKey key, CpuRegisters registers) =>
        new(_items.SetItem(key, _items.TryGetValue(key, out var old) ? old.Or(registers) : registers));

    /// <summary>True when every bit of <paramref name="bits"/> is set.</summary>
    /// <param name="bits">The bits.</param>
    /// <returns>Whether the data has them.</returns>
    public bool Has(FeatureBits bits) => Get(bits.Key) is { } r && (r[bits.Register] & bits.Mask) == bits.Mask;

    /// <summary>The 12-character vendor string of CPUID leaf 0, or null when leaf 0 is absent.</summary>
    public string? VendorString => Get(CpuDataKey.Cpuid(0)) is { } r ? Vendor.StringFromRegisters(r.Ebx, r.Ecx, r.Edx) : null;

    /// <summary>CPUID leaf 1 EAX as reported (not masked), or 0 when leaf 1 is absent.</summary>
    public uint Leaf1Eax => Get(CpuDataKey.Cpuid(1))?.Eax ?? 0;
}
