using System.Buffers.Binary;
using System.Text;

namespace VirtCpu.Catalog;

/// <summary>A CPU vendor: a short name (<c>Intel</c>) and its 12-character CPUID string (<c>GenuineIntel</c>).</summary>
public sealed record Vendor
{
    /// <summary>Creates a vendor.</summary>
    /// <param name="name">The short name used in CPU definitions.</param>
    /// <param name="cpuidString">The 12-character string of CPUID leaf 0.</param>
    public Vendor(string name, string cpuidString)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(cpuidString);
        if (cpuidString.Length != 12 || Encoding.ASCII.GetByteCount(cpuidString) != 12)
        {
            throw new CatalogException($"vendor {name}: CPUID string '{cpuidString}' must be exactly 12 ASCII characters");
        }

        Name = name;
        CpuidString = cpuidString;
        var bytes = Encoding.ASCII.GetBytes(cpuidString);
        Ebx = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(0, 4));
        Edx = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4, 4));
        Ecx = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8, 4));
    }

    /// <summary>The short name (<c>Intel</c>, <c>AMD</c>, <c>Hygon</c>).</summary>
    public string Name { get; }

    /// <summary>The CPUID leaf 0 string (<c>GenuineIntel</c>).</summary>
    public string CpuidString { get; }

    /// <summary>CPUID leaf 0 EBX: characters 0 to 3.</summary>
    public uint Ebx { get; }

    /// <summary>CPUID leaf 0 EDX: characters 4 to 7.</summary>
    public uint Edx { get; }

    /// <summary>CPUID leaf 0 ECX: characters 8 to 11.</summary>
    public uint Ecx { get; }

    /// <summary>Decodes the vendor string from CPUID leaf 0 registers.</summary>
    /// <param name="ebx">EBX.</param>
    /// <param name="ecx">ECX.</param>
    /// <param name="edx">EDX.</param>
    /// <returns>The 12-character string (non-printable bytes kept as they are).</returns>
    public static string StringFromRegisters(uint ebx, uint ecx, uint edx)
    {
        Span<byte> b = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(b[..4], ebx);
        BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(4, 4), edx);
        BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(8, 4), ecx);
        return Encoding.Latin1.GetString(b);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
