using System.Collections.Immutable;
using VirtCpu.Catalog;

namespace VirtCpu.Qemu;

/// <summary>
/// One base model of QEMU's <c>builtin_x86_defs[]</c> (<c>Haswell</c>, <c>EPYC-Rome</c>): the base
/// definition and its versions. The unversioned name is <see cref="Name"/>; the versioned names
/// <c>Name-vN</c> are derived from <see cref="Versions"/>.
/// </summary>
public sealed class QemuBaseModel
{
    /// <summary>Creates a base model.</summary>
    /// <param name="name">The base name.</param>
    /// <param name="definition">The base definition (what LEGACY resolution loads).</param>
    /// <param name="versions">The versions 1..N, in order.</param>
    public QemuBaseModel(string name, QemuModelDefinition definition, ImmutableArray<QemuModelVersion> versions)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(definition);
        if (versions.IsDefaultOrEmpty)
        {
            throw new CatalogException($"QEMU model {name} has no version");
        }

        for (var i = 0; i < versions.Length; i++)
        {
            if (versions[i].Number != i + 1)
            {
                throw new CatalogException($"QEMU model {name}: versions must be numbered 1..N without gaps (found v{versions[i].Number} at position {i + 1})");
            }
        }

        Name = name;
        Definition = definition;
        Versions = versions;
    }

    /// <summary>The base (unversioned) name.</summary>
    public string Name { get; }

    /// <summary>The base definition, with no version props: QEMU's LEGACY resolution.</summary>
    public QemuModelDefinition Definition { get; }

    /// <summary>The versions, v1 first.</summary>
    public ImmutableArray<QemuModelVersion> Versions { get; }

    /// <summary>The highest version.</summary>
    public QemuModelVersion Latest => Versions[^1];

    /// <summary>The position of the model in its catalog (set by the catalog).</summary>
    public int Index { get; internal set; } = -1;

    /// <summary>Looks up a version.</summary>
    /// <param name="number">The version number.</param>
    /// <returns>The version, or null.</returns>
    public QemuModelVersion? Version(int number) => number >= 1 && number <= Versions.Length ? Versions[number - 1] : null;

    /// <inheritdoc/>
    public override string ToString() => Name;
}
