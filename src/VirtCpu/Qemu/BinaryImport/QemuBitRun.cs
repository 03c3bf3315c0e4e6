using System.Collections.Immutable;
using System.Text.Json;
using VirtCpu.Catalog;

namespace VirtCpu.Qemu.BinaryImport;

/// <summary>The bits of one feature word, as a realized vCPU reports them.</summary>
/// <param name="Word">The word.</param>
/// <param name="Bits">Its bits.</param>
public readonly record struct QemuWordBits(QemuWordLocation Word, ulong Bits)
{
    /// <summary>
    /// Reads the value of a vCPU's <c>feature-words</c> or <c>filtered-features</c> QOM property: a
    /// list of <c>{"cpuid-input-eax", "cpuid-input-ecx"?, "cpuid-register", "features"}</c>, one per
    /// CPUID word (QEMU lists no MSR word there), newest word first.
    /// </summary>
    /// <param name="value">The JSON value.</param>
    /// <returns>The words, in QEMU's order.</returns>
    public static ImmutableArray<QemuWordBits> Parse(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var list = ImmutableArray.CreateBuilder<QemuWordBits>();
        foreach (var e in value.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Object
                || !e.TryGetProperty("cpuid-input-eax", out var eax) || !eax.TryGetUInt32(out var leaf)
                || !e.TryGetProperty("cpuid-register", out var reg) || reg.ValueKind != JsonValueKind.String
                || !e.TryGetProperty("features", out var f) || !f.TryGetUInt64(out var bits))
            {
                continue;
            }

            uint? subleaf = e.TryGetProperty("cpuid-input-ecx", out var ecx) && ecx.TryGetUInt32(out var s) ? s : null;
            var register = reg.GetString() switch
            {
                "EAX" => CpuRegister.Eax,
                "EBX" => CpuRegister.Ebx,
                "ECX" => CpuRegister.Ecx,
                _ => CpuRegister.Edx,
            };
            list.Add(new QemuWordBits(QemuWordLocation.Cpuid(leaf, subleaf, register), bits));
        }

        return list.ToImmutable();
    }
}

/// <summary>
/// One vCPU realized by a bit probe: the features it asked for, the words QEMU kept and filtered,
/// and the warnings QEMU printed while dropping features.
/// </summary>
/// <param name="Label">What the run is (<c>baseline</c>, <c>all</c>, <c>group 3</c>, <c>complement 3</c>).</param>
/// <param name="Group">For a coded run, the bit of the feature number that selects its features; null for baseline and all.</param>
/// <param name="Complement">True when the run holds the features whose number has that bit clear.</param>
/// <param name="Requested">The features switched on.</param>
/// <param name="FeatureWords">The vCPU's <c>feature-words</c>.</param>
/// <param name="FilteredFeatures">The vCPU's <c>filtered-features</c>.</param>
/// <param name="Warnings">QEMU's feature warnings.</param>
public sealed record QemuBitRun(
    string Label,
    int? Group,
    bool Complement,
    ImmutableHashSet<string> Requested,
    ImmutableArray<QemuWordBits> FeatureWords,
    ImmutableArray<QemuWordBits> FilteredFeatures,
    ImmutableArray<QemuFeatureWarning> Warnings);
