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
/// QEMU's source or binary); a catalog without them (a table import) knows only the unversioned
/// types that carry no compat properties (<c>none</c>, <c>isapc</c>, <c>microvm</c>).
/// </summary>
public static class QemuMachineTypes
{
    /// <summary>Every machine type name of a catalog's release, versioned types oldest first, then the others.</summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <returns>The names.</returns>
    public static ImmutableArray<string> Names(QemuHypervisorCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Names([.. catalog.MachineTypes]);
    }

    /// <summary>Finds a machine type of a catalog's release.</summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <param name="name">The machine type name (<c>pc-i440fx-3.1</c>, <c>q35</c>, <c>none</c>, ...).</param>
    /// <returns>The machine type.</returns>
    /// <exception cref="InputException">When the release has no such machine type.</exception>
    public static QemuMachineType Find(QemuHypervisorCatalog catalog, string name)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Find(catalog, [.. catalog.MachineTypes], name);
    }

    private static ImmutableArray<string> Names(List<string> versioned)
    {
        var list = new List<string>(versioned);
        list.AddRange(["pc", "q35", "isapc", "microvm", "none", "xenfv-3.1", "xenfv-4.2", "xenfv"]);
        return [.. list];
    }

    private static QemuMachineType Find(QemuHypervisorCatalog catalog, List<string> versioned, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var qemu = catalog.QemuVersion;
        var pc = Series(versioned, "pc-i440fx-");
        var q35 = Series(versioned, "pc-q35-");
        if ((pc.Count == 0 || q35.Count == 0) && name is not ("isapc" or "microvm" or "none"))
        {
            throw new InputException(null, $"{catalog.Name} holds no pc-i440fx or pc-q35 machine types, so it cannot resolve '{name}' (a table import: import QEMU {qemu.ToString(2)} with import-qemu --source or --binary)");
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
}
