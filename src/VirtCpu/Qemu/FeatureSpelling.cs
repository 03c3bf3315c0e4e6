using System.Collections.Frozen;
using System.Collections.Immutable;

namespace VirtCpu.Qemu;

/// <summary>
/// How one libvirt release spells CPU features towards QEMU: the pairs where libvirt's name differs
/// from QEMU's (<c>pclmuldq</c>/<c>pclmulqdq</c>), read from the release's behaviour file
/// (<c>qemu-spelling</c> lines, <c>docs/design.md#4-releases-as-data</c>). libvirt translates its
/// names into QEMU's on <c>-cpu</c> and QEMU's names back into its own when it reads QEMU's replies;
/// every name not in the table is the same in both.
/// </summary>
public sealed class FeatureSpelling
{
    private readonly FrozenDictionary<string, string> _toQemu;
    private readonly FrozenDictionary<string, string> _toLibvirt;

    /// <summary>Creates a table from its pairs.</summary>
    /// <param name="pairs">libvirt name and QEMU name, each name at most once on its side.</param>
    /// <exception cref="ArgumentException">A name appears twice on one side.</exception>
    public FeatureSpelling(IEnumerable<(string Libvirt, string Qemu)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        Pairs = [.. pairs];
        if (Conflict(Pairs) is { } conflict)
        {
            throw new ArgumentException(conflict, nameof(pairs));
        }

        _toQemu = Pairs.ToFrozenDictionary(p => p.Libvirt, p => p.Qemu, StringComparer.Ordinal);
        _toLibvirt = Pairs.ToFrozenDictionary(p => p.Qemu, p => p.Libvirt, StringComparer.Ordinal);
    }

    /// <summary>The first pair that repeats a name of another pair on either side, in words, or null when there is none.</summary>
    /// <param name="pairs">libvirt name and QEMU name.</param>
    /// <returns>The problem, or null.</returns>
    public static string? Conflict(IEnumerable<(string Libvirt, string Qemu)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var libvirtNames = new HashSet<string>(StringComparer.Ordinal);
        var qemuNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (libvirt, qemu) in pairs)
        {
            if (!libvirtNames.Add(libvirt) || !qemuNames.Add(qemu))
            {
                return $"the spelling {libvirt} = {qemu} repeats a name of another pair";
            }
        }

        return null;
    }

    /// <summary>The pairs (libvirt name, QEMU name), in file order.</summary>
    public ImmutableArray<(string Libvirt, string Qemu)> Pairs { get; }

    /// <summary>Translates a libvirt feature name to QEMU's spelling.</summary>
    /// <param name="libvirtName">The libvirt name.</param>
    /// <returns>The QEMU name (the same name when the table does not list it).</returns>
    public string ToQemu(string libvirtName)
    {
        ArgumentNullException.ThrowIfNull(libvirtName);
        return _toQemu.GetValueOrDefault(libvirtName, libvirtName);
    }

    /// <summary>Translates a QEMU feature name to libvirt's spelling.</summary>
    /// <param name="qemuName">The QEMU name.</param>
    /// <returns>The libvirt name (the same name when the table does not list it).</returns>
    public string ToLibvirt(string qemuName)
    {
        ArgumentNullException.ThrowIfNull(qemuName);
        return _toLibvirt.GetValueOrDefault(qemuName, qemuName);
    }
}
