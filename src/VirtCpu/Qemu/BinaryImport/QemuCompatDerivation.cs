using System.Collections.Immutable;
using System.Globalization;

namespace VirtCpu.Qemu.BinaryImport;

/// <summary>
/// The CPU compat properties of a QEMU that does not report <c>compat-props</c> (before 9.1), as
/// they show in expansions: every model name expanded under each versioned machine type is compared
/// with the version it resolves to expanded under <c>-machine none</c>. What changes a versioned
/// name (<c>X-vN</c> classes get only global properties) is global; what else changes an unversioned
/// or alias name belongs to that class. A property that changes on a machine type and not on the
/// next newer one starts at that release's array. A feature cleared only because a compat property
/// cleared its prerequisite is not a property of its own. Properties that change nothing a probe
/// sees (a feature a model lacks anyway, the KVM paravirt word under TCG) cannot be found.
/// </summary>
public static class QemuCompatDerivation
{
    private static readonly string[] Numbers = ["family", "model", "stepping", "min-level", "min-xlevel"];
    private static readonly string[] Levels = ["xlevel", "level"];

    /// <summary>Derives the compat properties.</summary>
    /// <param name="catalog">The catalog (features, dependencies, model names).</param>
    /// <param name="none">Versioned name → its expansion under <c>-machine none</c>.</param>
    /// <param name="noneFlatLevels">The same with <c>full-cpuid-auto-level=off</c> (the old machine types switch it off), or null when QEMU has no such switch.</param>
    /// <param name="machines">Each versioned machine type with its probe.</param>
    /// <returns>The properties, newest array first.</returns>
    public static ImmutableArray<QemuCompatProperty> Derive(QemuHypervisorCatalog catalog, IReadOnlyDictionary<string, QemuModelExpansion> none, IReadOnlyDictionary<string, QemuModelExpansion>? noneFlatLevels, IReadOnlyList<(string Machine, QemuProbe Probe)> machines)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(none);
        ArgumentNullException.ThrowIfNull(machines);
        var entries = new List<QemuCompatProperty>();
        foreach (var series in machines.GroupBy(m => m.Machine[..(m.Machine.LastIndexOf('-') + 1)]))
        {
            Dictionary<(string?, string), (string Value, string Baseline)> newer = [];
            foreach (var (machine, probe) in series.Select(m => (m.Machine, m.Probe, Version: Version.Parse(m.Machine[(m.Machine.LastIndexOf('-') + 1)..])))
                .Where(m => m.Version.Build < 0).OrderByDescending(m => m.Version).Select(m => (m.Machine, m.Probe)))
            {
                var release = Version.Parse(machine[(machine.LastIndexOf('-') + 1)..]);
                var changes = Changes(catalog, none, noneFlatLevels, probe);
                foreach (var ((model, property), (value, _)) in changes.OrderBy(c => c.Key.Item1 is null ? 0 : 1).ThenBy(c => c.Key.Item1, StringComparer.Ordinal).ThenBy(c => c.Key.Item2, StringComparer.Ordinal))
                {
                    if (!newer.TryGetValue((model, property), out var before) || before.Value != value)
                    {
                        Add(entries, new QemuCompatProperty(release, model, property, value));
                    }
                }

                // An older array setting a property back to the model's own value.
                foreach (var ((model, property), (_, baseline)) in newer.Where(n => !changes.ContainsKey(n.Key)))
                {
                    Add(entries, new QemuCompatProperty(release, model, property, baseline));
                }

                newer = changes;
            }
        }

        return [.. entries.OrderByDescending(e => e.Release)];
    }

    private static void Add(List<QemuCompatProperty> entries, QemuCompatProperty entry)
    {
        if (!entries.Contains(entry))
        {
            entries.Add(entry);
        }
    }

    /// <summary>(class or null for every CPU, property) → (value, the model's own value), for what one machine type changes.</summary>
    private static Dictionary<(string?, string), (string, string)> Changes(QemuHypervisorCatalog catalog, IReadOnlyDictionary<string, QemuModelExpansion> none, IReadOnlyDictionary<string, QemuModelExpansion>? noneFlatLevels, QemuProbe probe)
    {
        var names = catalog.ModelNames.ToHashSet(StringComparer.Ordinal);
        var aliasOf = probe.Definitions.Where(d => d.AliasOf is not null).ToDictionary(d => d.Name, d => d.AliasOf!, StringComparer.Ordinal);
        var global = new Dictionary<(string?, string), (string, string)>();
        var perClass = new Dictionary<(string?, string), (string, string)>();
        foreach (var (name, expansion) in probe.Expansions.Where(e => names.Contains(e.Key)))
        {
            var versioned = catalog.Model(name) is null && catalog.Alias(name) is null;
            var resolved = versioned ? name : catalog.Alias(name)?.Name ?? (aliasOf.TryGetValue(name, out var a) ? a : $"{name}-v1");
            var flat = Flag(expansion, "full-cpuid-auto-level") == false && noneFlatLevels is not null;
            if (!(flat ? noneFlatLevels! : none).TryGetValue(resolved, out var baseline))
            {
                continue;
            }

            foreach (var (property, value, own) in Differences(catalog, baseline, expansion))
            {
                (versioned ? global : perClass)[(versioned ? null : name, property)] = (value, own);
            }
        }

        foreach (var ((model, property), change) in perClass)
        {
            if (!(global.TryGetValue((null, property), out var g) && g.Item1 == change.Item1))
            {
                global[(model, property)] = change;
            }
        }

        return global;
    }

    private static bool? Flag(QemuModelExpansion e, string name) => e.Props.FirstOrDefault(p => p.Key == name).Value is { Kind: QemuValueKind.Boolean } v ? v.Boolean : null;

    /// <summary>
    /// The properties whose value differs between the baseline and the expansion, with the baseline's
    /// value; a feature that changes only because a changed prerequisite cleared or uncovered it is left out.
    /// </summary>
    private static List<(string Property, string Value, string Own)> Differences(QemuHypervisorCatalog catalog, QemuModelExpansion baseline, QemuModelExpansion expansion)
    {
        var before = Props(baseline);
        var after = Props(expansion);
        var changed = new List<(string, string, string)>();
        var flipped = new HashSet<QemuFeature>();
        foreach (var f in catalog.Features)
        {
            if (before.GetValueOrDefault(f.Name) is { Kind: QemuValueKind.Boolean } b && after.GetValueOrDefault(f.Name) is { Kind: QemuValueKind.Boolean } x && b.Boolean != x.Boolean)
            {
                flipped.Add(f);
                changed.Add((f.Name, x.Boolean ? "on" : "off", b.Boolean ? "on" : "off"));
            }
        }

        changed.RemoveAll(c => catalog.Feature(c.Item1) is { } f
            && catalog.Dependencies.Any(d => d.To == f.Word && (d.ToMask & f.Mask) != 0 && flipped.Any(p => p != f && p.Word == d.From && (d.FromMask & p.Mask) != 0)));
        foreach (var n in Numbers.Where(n => Differs(before, after, n)))
        {
            changed.Add((n, Spell(n, after[n]), Spell(n, before[n])));
        }

        if (Differs(before, after, "model-id") && after["model-id"] is { Kind: QemuValueKind.Text, Text: { } id })
        {
            changed.Add(("model-id", id, before["model-id"].Text ?? ""));
        }

        foreach (var n in Levels.Where(n => Differs(before, after, n) && !Differs(before, after, "min-" + n)))
        {
            changed.Add((n, Spell(n, after[n]), Spell(n, before[n])));
        }

        return changed;
    }

    private static bool Differs(Dictionary<string, QemuValue> before, Dictionary<string, QemuValue> after, string name) =>
        before.TryGetValue(name, out var b) && after.TryGetValue(name, out var a) && b.Kind == a.Kind && a.Kind is QemuValueKind.Number or QemuValueKind.Text && b.Text != a.Text;

    private static string Spell(string name, QemuValue v) => v.Kind != QemuValueKind.Number ? v.Text ?? ""
        : name.EndsWith("level", StringComparison.Ordinal) ? "0x" + ((ulong)v.Number).ToString("x", CultureInfo.InvariantCulture)
        : ((ulong)v.Number).ToString(CultureInfo.InvariantCulture);

    private static Dictionary<string, QemuValue> Props(QemuModelExpansion e)
    {
        var d = new Dictionary<string, QemuValue>(StringComparer.Ordinal);
        foreach (var (k, v) in e.Props)
        {
            d[k] = v;
        }

        return d;
    }
}
