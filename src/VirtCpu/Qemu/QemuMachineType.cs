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

/// <summary>The x86 machine types of a QEMU release (spec qemu-cpu-models.md 1.4 and 5.1).</summary>
public static class QemuMachineTypes
{
    /// <summary>Every machine type name of a QEMU release, versioned types oldest first, then the others.</summary>
    /// <param name="qemu">The QEMU release (7.2 or 10.0; others get the list of the nearest rule set).</param>
    /// <returns>The names.</returns>
    public static ImmutableArray<string> Names(Version qemu)
    {
        ArgumentNullException.ThrowIfNull(qemu);
        var list = new List<string>();
        foreach (var v in PcVersions(qemu))
        {
            list.Add($"pc-i440fx-{v.ToString(2)}");
        }

        foreach (var v in PcVersions(qemu).Where(v => v >= new Version(2, 4)))
        {
            list.Add($"pc-q35-{v.ToString(2)}");
            if (v == new Version(4, 0))
            {
                list.Add("pc-q35-4.0.1");
            }
        }

        list.AddRange(["pc", "q35", "isapc", "microvm", "none", "xenfv-3.1", "xenfv-4.2", "xenfv"]);
        return [.. list];
    }

    /// <summary>Finds a machine type.</summary>
    /// <param name="qemu">The QEMU release.</param>
    /// <param name="name">The machine type name (<c>pc-i440fx-3.1</c>, <c>q35</c>, <c>none</c>, ...).</param>
    /// <returns>The machine type.</returns>
    /// <exception cref="InputException">When the release has no such machine type.</exception>
    public static QemuMachineType Find(Version qemu, string name)
    {
        ArgumentNullException.ThrowIfNull(qemu);
        ArgumentNullException.ThrowIfNull(name);
        var versions = PcVersions(qemu);
        var latest = versions[^1];
        switch (name)
        {
            case "pc":
                return new QemuMachineType(name, $"pc-i440fx-{latest.ToString(2)}", QemuDefaultVersion.V1, latest);
            case "q35":
                return new QemuMachineType(name, $"pc-q35-{latest.ToString(2)}", QemuDefaultVersion.V1, latest);
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
            case "pc-q35-4.0.1":
                return new QemuMachineType(name, name, QemuDefaultVersion.Legacy, new Version(4, 0));
        }

        foreach (var prefix in new[] { "pc-i440fx-", "pc-q35-" })
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal) && Version.TryParse(name[prefix.Length..], out var v) && v.Build < 0
                && versions.Contains(v) && (prefix == "pc-i440fx-" || v >= new Version(2, 4)))
            {
                return new QemuMachineType(name, name, v >= new Version(4, 1) ? QemuDefaultVersion.V1 : QemuDefaultVersion.Legacy, v);
            }
        }

        throw new InputException(null, $"QEMU {qemu.ToString(2)} has no machine type '{name}' (x86 machine types: pc-i440fx-{versions[0].ToString(2)} ... {latest.ToString(2)}, pc-q35-2.4 ... {latest.ToString(2)}, pc, q35, isapc, microvm, none, xenfv)");
    }

    /// <summary>
    /// The versions of the <c>pc-i440fx-X.Y</c> types: 7.2 has 1.4 to 7.2; 10.0 dropped 1.4 to 2.3
    /// and has 2.4 to 10.0.
    /// </summary>
    private static List<Version> PcVersions(Version qemu)
    {
        var all = new List<Version>();
        foreach (var (major, minors) in new[] { (1, new[] { 4, 5, 6, 7 }), (2, Enumerable.Range(0, 13).ToArray()), (3, new[] { 0, 1 }), (4, new[] { 0, 1, 2 }), (5, new[] { 0, 1, 2 }), (6, new[] { 0, 1, 2 }), (7, new[] { 0, 1, 2 }), (8, new[] { 0, 1, 2 }), (9, new[] { 0, 1, 2 }), (10, new[] { 0 }) })
        {
            all.AddRange(minors.Select(m => new Version(major, m)));
        }

        var current = new Version(qemu.Major, qemu.Minor);
        var oldest = current >= new Version(10, 0) ? new Version(2, 4) : new Version(1, 4);
        return [.. all.Where(v => v >= oldest && v <= current)];
    }
}
