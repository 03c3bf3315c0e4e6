using System.Collections.Immutable;

namespace VirtCpu.Qemu;

/// <summary>The kind of a QEMU property value in a CPU model expansion.</summary>
public enum QemuValueKind
{
    /// <summary>A JSON boolean.</summary>
    Boolean,

    /// <summary>A JSON number.</summary>
    Number,

    /// <summary>A JSON string.</summary>
    Text,

    /// <summary>Anything else (null, object, array): ignored by consumers.</summary>
    Other,
}

/// <summary>One property value of a QEMU CPU model expansion.</summary>
/// <param name="Kind">The JSON kind.</param>
/// <param name="Boolean">The value when <see cref="Kind"/> is Boolean.</param>
/// <param name="Number">The value when <see cref="Kind"/> is Number (as a double; integers are exact up to 2^53).</param>
/// <param name="Text">The value when <see cref="Kind"/> is Text, or the raw JSON text of a number.</param>
public readonly record struct QemuValue(QemuValueKind Kind, bool Boolean = false, double Number = 0, string? Text = null)
{
    /// <summary>True when the value is an integral number.</summary>
    public bool IsInteger => Kind == QemuValueKind.Number && Math.Abs(Number % 1) == 0 && Text is not null && !Text.Contains('.', StringComparison.Ordinal) && !Text.Contains('e', StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The <c>model</c> of a <c>query-cpu-model-expansion</c> reply: the model name (<c>base</c> for
/// static expansions) and its properties in reply order.
/// </summary>
/// <param name="Name">The model name of the reply.</param>
/// <param name="Props">The properties.</param>
public sealed record QemuModelExpansion(string Name, ImmutableArray<KeyValuePair<string, QemuValue>> Props);

/// <summary>One element of a <c>query-cpu-definitions</c> reply.</summary>
/// <param name="Name">The model name.</param>
/// <param name="Typename">The QOM type name, or null.</param>
/// <param name="UnavailableFeatures">The <c>unavailable-features</c> list, or null when absent.</param>
/// <param name="AliasOf">The <c>alias-of</c> value, or null.</param>
/// <param name="Static">The <c>static</c> flag.</param>
/// <param name="MigrationSafe">The <c>migration-safe</c> flag.</param>
/// <param name="Deprecated">The <c>deprecated</c> flag.</param>
public sealed record QemuCpuDefinitionInfo(
    string Name,
    string? Typename,
    ImmutableArray<string>? UnavailableFeatures,
    string? AliasOf = null,
    bool Static = false,
    bool MigrationSafe = false,
    bool Deprecated = false);

/// <summary>
/// A QEMU reply file as libvirt's tests store them (<c>x86_64-cpuid-*.json</c>): the expansion of
/// the <c>host</c> model, optionally followed by the CPU definitions.
/// </summary>
/// <param name="Expansion">The host model expansion.</param>
/// <param name="Definitions">The CPU definitions, or null when the file has none.</param>
public sealed record QemuReplyFile(QemuModelExpansion Expansion, ImmutableArray<QemuCpuDefinitionInfo>? Definitions);
