using System.Collections.Immutable;

namespace VirtCpu.Qemu;

/// <summary>
/// One version of a base model (<c>X86CPUVersionDefinition</c>): its number, optional alias
/// name, note and its own ordered props. <see cref="Definition"/> is the result of applying the
/// props of v1..vN in order to the base definition (QEMU's <c>x86_cpu_apply_version_props</c>).
/// </summary>
public sealed class QemuModelVersion
{
    /// <summary>Creates a version.</summary>
    /// <param name="number">The version number (1..N).</param>
    /// <param name="alias">The alias name fixed to this version (<c>Haswell-noTSX</c>), or null.</param>
    /// <param name="note">The note shown by <c>-cpu help</c>, or null.</param>
    /// <param name="props">The version's own props, in table order.</param>
    /// <param name="cacheInfo">The version's own cache descriptor set (10.0), or null when it inherits.</param>
    public QemuModelVersion(int number, string? alias, string? note, ImmutableArray<QemuProp> props, string? cacheInfo)
    {
        if (number < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(number), number, "version numbers start at 1");
        }

        Number = number;
        Alias = string.IsNullOrEmpty(alias) ? null : alias;
        Note = string.IsNullOrEmpty(note) ? null : note;
        Props = props.IsDefault ? [] : props;
        CacheInfo = string.IsNullOrEmpty(cacheInfo) ? null : cacheInfo;
    }

    /// <summary>The version number.</summary>
    public int Number { get; }

    /// <summary>The alias name fixed to this version, or null.</summary>
    public string? Alias { get; }

    /// <summary>The note, or null.</summary>
    public string? Note { get; }

    /// <summary>The version's own props, in order.</summary>
    public ImmutableArray<QemuProp> Props { get; }

    /// <summary>The version's own cache descriptor set, or null when it inherits the previous one.</summary>
    public string? CacheInfo { get; }

    /// <summary>The base model's name (set by the catalog).</summary>
    public string BaseName { get; internal set; } = "";

    /// <summary>The versioned model name, <c>X-vN</c> (derived, never stored).</summary>
    public string Name => $"{BaseName}-v{Number}";

    /// <summary>The resolved definition after the cumulative props (set by the catalog).</summary>
    public QemuModelDefinition Definition { get; internal set; } = null!;

    /// <inheritdoc/>
    public override string ToString() => Name;
}
