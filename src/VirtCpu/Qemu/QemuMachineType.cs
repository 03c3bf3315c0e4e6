using System.Collections.Immutable;

namespace VirtCpu.Qemu;

/// <summary>How a machine type resolves unversioned model names (<c>default_cpu_version</c>).</summary>
public enum QemuDefaultVersion
{
    /// <summary>Version 1 (<c>pc</c>/<c>q35</c> 4.1 and later, <c>-machine none</c>).</summary>
    V1,

    /// <summary>LEGACY: the base definition only (<c>pc</c>/<c>q35</c> 4.0 and older, <c>isapc</c>).</summary>
    Legacy,

    /// <summary>The latest version (<c>microvm</c>).</summary>
    Latest,
}

/// <summary>
/// A QEMU x86 machine type as far as CPUs care: how it resolves unversioned names and which
/// compat-property arrays (<c>pc_compat_X_Y</c>) it carries.
/// </summary>
/// <param name="Name">The name as given (<c>pc-q35-4.0.1</c>, <c>pc</c>).</param>
/// <param name="CanonicalName">The versioned name the alias stands for (<c>pc-i440fx-10.0</c> for <c>pc</c>), or the name itself.</param>
/// <param name="DefaultVersion">How unversioned names resolve.</param>
/// <param name="CompatVersion">The release whose <c>pc_compat</c> arrays apply (every array of this release or later), or null for none (<c>isapc</c>, <c>microvm</c>, <c>none</c>).</param>
public sealed record QemuMachineType(string Name, string CanonicalName, QemuDefaultVersion DefaultVersion, Version? CompatVersion)
{
    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>
/// The x86 machine types of a QEMU release (docs/design.md#61-versions-and-resolution): the versioned PC
/// types come from the catalog (<see cref="QemuHypervisorCatalog.MachineTypes"/>, imported from
/// QEMU's source); a catalog without them (a table import) gets the 7.2/10.0 rule set by version.
/// </summary>
public static class QemuMachineTypes
{
    /// <summary>Every machine type name of a catalog's release, versioned types oldest first, then the others.</summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <returns>The names.</returns>
    public static ImmutableArray<string> Names(QemuHypervisorCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Names(Versioned(catalog));
    }

    /// <summary>Every machine type name of a QEMU release by the 7.2/10.0 rule set (for catalogs without machine data).</summary>
    /// <param name="qemu">The QEMU release.</param>
    /// <returns>The names.</returns>
    public static ImmutableArray<string> Names(Version qemu) => Names(Rules(qemu));

    /// <summary>Finds a machine type of a catalog's release.</summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <param name="name">The machine type name (<c>pc-i440fx-3.1</c>, <c>q35</c>, <c>none</c>, ...).</param>
    /// <returns>The machine type.</returns>
    /// <exception cref="InputException">When the release has no such machine type.</exception>
    public static QemuMachineType Find(QemuHypervisorCatalog catalog, string name)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Find(catalog.QemuVersion, Versioned(catalog), name);
    }

    /// <summary>Finds a machine type by the 7.2/10.0 rule set (for catalogs without machine data).</summary>
    /// <param name="qemu">The QEMU release.</param>
    /// <param name="name">The machine type name.</param>
    /// <returns>The machine type.</returns>
    /// <exception cref="InputException">When the release has no such machine type.</exception>
    public static QemuMachineType Find(Version qemu, string name) => Find(qemu, Rules(qemu), name);

    private static ImmutableArray<string> Names(List<string> versioned)
    {
        var list = new List<string>(versioned);
        list.AddRange(["pc", "q35", "isapc", "microvm", "none", "xenfv-3.1", "xenfv-4.2", "xenfv"]);
        return [.. list];
    }

    private static QemuMachineType Find(Version qemu, List<string> versioned, string name)
    {
        ArgumentNullException.ThrowIfNull(qemu);
        ArgumentNullException.ThrowIfNull(name);
        var pc = Series(versioned, "pc-i440fx-");
        var q35 = Series(versioned, "pc-q35-");
        if (pc.Count == 0 || q35.Count == 0)
        {
            throw new InputException(null, $"QEMU {qemu.ToString(2)}: the catalog lists no pc-i440fx or pc-q35 machine types");
        }

        switch (name)
        {
            case "pc":
                return new QemuMachineType(name, $"pc-i440fx-{pc[^1].ToString(2)}", QemuDefaultVersion.V1, pc[^1]);
            case "q35":
                return new QemuMachineType(name, $"pc-q35-{q35[^1].ToString(2)}", QemuDefaultVersion.V1, q35[^1]);
            case "isapc":
                return new QemuMachineType(name, name, QemuDefaultVersion.Legacy, null);
            case "microvm":
                return new QemuMachineType(name, name, QemuDefaultVersion.Latest, null);
            case "none":
                return new QemuMachineType(name, name, QemuDefaultVersion.V1, null);
            case "xenfv" or "xenfv-4.2":
                return new QemuMachineType(name, "xenfv-4.2", QemuDefaultVersion.V1, new Version(4, 2));
            case "xenfv-3.1":
                return new QemuMachineType(name, name, QemuDefaultVersion.Legacy, new Version(3, 1));
        }

        if (versioned.Contains(name))
        {
            var v = Version.Parse(name[(name.LastIndexOf('-') + 1)..]);
            var release = new Version(v.Major, v.Minor);
            return new QemuMachineType(name, name, release >= new Version(4, 1) ? QemuDefaultVersion.V1 : QemuDefaultVersion.Legacy, release);
        }

        throw new InputException(null, $"QEMU {qemu.ToString(2)} has no machine type '{name}' (x86 machine types: pc-i440fx-{pc[0].ToString(2)} ... {pc[^1].ToString(2)}, pc-q35-{q35[0].ToString(2)} ... {q35[^1].ToString(2)}, pc, q35, isapc, microvm, none, xenfv)");
    }

    /// <summary>The major.minor versions of one series (<c>pc-i440fx-</c>), oldest first (bug-fix types like 4.0.1 left out).</summary>
    private static List<Version> Series(List<string> versioned, string prefix) =>
        [.. versioned.Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => Version.TryParse(n[prefix.Length..], out var v) ? v : null)
            .OfType<Version>()
            .Where(v => v.Build < 0)
            .Order()];

    private static List<string> Versioned(QemuHypervisorCatalog catalog) =>
        catalog.MachineTypes.IsDefaultOrEmpty ? Rules(catalog.QemuVersion) : [.. catalog.MachineTypes];

    /// <summary>
    /// The versioned types by the rule set of 7.2 and 10.0: <c>pc-i440fx</c> 1.4 to 7.2 in 7.2, 2.4 to
    /// 10.0 in 10.0; <c>pc-q35</c> from 2.4, with the bug-fix type <c>pc-q35-4.0.1</c>.
    /// </summary>
    private static List<string> Rules(Version qemu)
    {
        ArgumentNullException.ThrowIfNull(qemu);
        var all = new List<Version>();
        foreach (var (major, minors) in new[] { (1, new[] { 4, 5, 6, 7 }), (2, Enumerable.Range(0, 13).ToArray()), (3, new[] { 0, 1 }), (4, new[] { 0, 1, 2 }), (5, new[] { 0, 1, 2 }), (6, new[] { 0, 1, 2 }), (7, new[] { 0, 1, 2 }), (8, new[] { 0, 1, 2 }), (9, new[] { 0, 1, 2 }), (10, new[] { 0 }) })
        {
            all.AddRange(minors.Select(m => new Version(major, m)));
        }

        var current = new Version(qemu.Major, qemu.Minor);
        var oldest = current >= new Version(10, 0) ? new Version(2, 4) : new Version(1, 4);
        var versions = all.Where(v => v >= oldest && v <= current).ToList();
        var list = versions.Select(v => $"pc-i440fx-{v.ToString(2)}").ToList();
        foreach (var v in versions.Where(v => v >= new Version(2, 4)))
        {
            list.Add($"pc-q35-{v.ToString(2)}");
            if (v == new Version(4, 0))
            {
                list.Add("pc-q35-4.0.1");
            }
        }

        return list;
    }
}
