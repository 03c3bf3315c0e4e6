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
        var toQemu = new Dictionary<string, string>(StringComparer.Ordinal);
        var toLibvirt = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (libvirt, qemu) in Pairs)
        {
            if (!toQemu.TryAdd(libvirt, qemu) || !toLibvirt.TryAdd(qemu, libvirt))
            {
                throw new ArgumentException($"the spelling {libvirt} = {qemu} repeats a name of another pair", nameof(pairs));
            }
        }

        _toQemu = toQemu.ToFrozenDictionary(StringComparer.Ordinal);
        _toLibvirt = toLibvirt.ToFrozenDictionary(StringComparer.Ordinal);
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
