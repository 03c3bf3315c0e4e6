using System.Collections.Immutable;
using VirtCpu.Qemu.Qmp;

namespace VirtCpu.Qemu.BinaryImport;

/// <summary>
/// A catalog's machine-type data from <c>query-machines</c>: the versioned PC machine types, and
/// (QEMU 9.1 and later, which report each machine type's <c>compat-props</c>) the CPU compat
/// properties. A machine type's list holds the arrays of its release and of every later one, newest
/// first (each machine type's options extend the next newer type's), so a release's own array is
/// what its list adds to the next newer type's.
/// </summary>
public static class QemuMachineData
{
    private const string CpuSuffix = "-x86_64-cpu";

    /// <summary>The versioned PC machine types (<c>pc-i440fx-X.Y</c>, then <c>pc-q35-X.Y</c> with bug-fix types like <c>4.0.1</c>), oldest first.</summary>
    /// <param name="machines">The machine types.</param>
    /// <returns>The names.</returns>
    public static ImmutableArray<string> VersionedTypes(IEnumerable<QemuMachineInfo> machines)
    {
        ArgumentNullException.ThrowIfNull(machines);
        var list = machines.Select(m => m.Name).ToList();
        return [.. Series(list, "pc-i440fx-").Concat(Series(list, "pc-q35-")).Select(s => s.Name)];
    }

    /// <summary>The CPU compat properties, newest array first, each in QEMU's order; null when QEMU reports no <c>compat-props</c>.</summary>
    /// <param name="catalog">The catalog (its features and model names decide what is a CPU compat property).</param>
    /// <param name="machines">The machine types.</param>
    /// <param name="notes">Receives machine types whose lists do not extend the next newer one's.</param>
    /// <returns>The properties, or null.</returns>
    public static ImmutableArray<QemuCompatProperty>? CompatProperties(QemuHypervisorCatalog catalog, IReadOnlyList<QemuMachineInfo> machines, IList<string> notes)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(machines);
        ArgumentNullException.ThrowIfNull(notes);
        if (machines.Any(m => m.Name.StartsWith("pc-", StringComparison.Ordinal) && m.CompatProps is null))
        {
            return null;
        }

        var classes = catalog.ModelNames.ToHashSet(StringComparer.Ordinal);
        var byName = machines.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var entries = new List<QemuCompatProperty>();
        foreach (var prefix in new[] { "pc-i440fx-", "pc-q35-" })
        {
            IReadOnlyList<QemuGlobalProperty> newer = [];
            foreach (var (name, version) in Series([.. byName.Keys], prefix).Where(s => s.Version.Build < 0).Reverse())
            {
                var list = byName[name].CompatProps!.Value;
                var own = list.Take(newer.Count).SequenceEqual(newer) ? list.Skip(newer.Count) : Without(list, newer, name, notes);
                foreach (var p in own)
                {
                    if (CompatProperty(catalog, classes, version, p) is { } e && !entries.Contains(e))
                    {
                        entries.Add(e);
                    }
                }

                newer = list;
            }
        }

        return [.. entries.OrderByDescending(e => e.Release)];
    }

    /// <summary>A global property as a CPU compat property: for <c>x86_64-cpu</c> or one table model's class, of a modelled property.</summary>
    private static QemuCompatProperty? CompatProperty(QemuHypervisorCatalog catalog, HashSet<string> classes, Version release, QemuGlobalProperty p)
    {
        string? model;
        if (p.QomType == "x86_64-cpu")
        {
            model = null;
        }
        else if (p.QomType.EndsWith(CpuSuffix, StringComparison.Ordinal) && classes.Contains(p.QomType[..^CpuSuffix.Length]))
        {
            model = p.QomType[..^CpuSuffix.Length];
        }
        else
        {
            return null;
        }

        return QemuCompatProperties.IsModelled(catalog, p.Property) ? new QemuCompatProperty(new Version(release.Major, release.Minor), model, p.Property, p.Value) : null;
    }

    private static List<QemuGlobalProperty> Without(ImmutableArray<QemuGlobalProperty> list, IReadOnlyList<QemuGlobalProperty> newer, string name, IList<string> notes)
    {
        notes.Add($"{name}: its compat-props do not begin with the next newer machine type's; its own array is taken as what the newer list lacks");
        var rest = list.ToList();
        foreach (var p in newer)
        {
            rest.Remove(p);
        }

        return rest;
    }

    private static IEnumerable<(string Name, Version Version)> Series(IReadOnlyList<string> names, string prefix) =>
        names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => (Name: n, Version: Version.TryParse(n[prefix.Length..], out var v) ? v : null))
            .Where(x => x.Version is not null)
            .Select(x => (x.Name, x.Version!))
            .OrderBy(x => x.Item2);
}
