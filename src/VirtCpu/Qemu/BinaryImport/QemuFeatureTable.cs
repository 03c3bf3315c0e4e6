using System.Collections.Immutable;
using VirtCpu.Catalog;

namespace VirtCpu.Qemu.BinaryImport;

/// <summary>The feature half of a catalog: words in table order, features, the dependency table.</summary>
/// <param name="Words">The feature words.</param>
/// <param name="Features">The features, in table order (word, then bit).</param>
/// <param name="Dependencies">The dependency table.</param>
public sealed record QemuFeatureTableParts(ImmutableArray<QemuFeatureWord> Words, ImmutableArray<QemuFeature> Features, ImmutableArray<QemuFeatureDependency> Dependencies);

/// <summary>
/// Builds a catalog's words and features from a bit probe, taking from an inherited catalog only
/// what a probe under TCG cannot see: the bits of features QEMU clears without a word (the KVM
/// paravirt word), the dependency table, the unmigratable flags, the no-autoenable flags of
/// features TCG lacks, and QEMU's enum names of the words (new words get a name made from their
/// location).
/// </summary>
public static class QemuFeatureTable
{
    /// <summary>Builds the words, the features (without alias spellings; see <see cref="Finish"/>) and the dependency table.</summary>
    /// <param name="observation">The decoded bit probe.</param>
    /// <param name="names">The canonical names, in <c>-cpu help</c> order.</param>
    /// <param name="inherited">The inherited catalog, or null.</param>
    /// <param name="notes">Receives what was inherited or left out.</param>
    /// <returns>The parts.</returns>
    public static QemuFeatureTableParts Build(QemuFeatureBitObservation observation, IReadOnlyList<string> names, QemuHypervisorCatalog? inherited, IList<string> notes)
    {
        ArgumentNullException.ThrowIfNull(observation);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(notes);
        var located = new List<(string Name, QemuWordLocation Word, ImmutableArray<int> Bits, bool Tcg, QemuFeature? Old)>();
        foreach (var f in observation.Features)
        {
            located.Add((f.Name, f.Word, f.Bits, f.Tcg, inherited?.Feature(f.Name) is { } o && o.Name == f.Name ? o : null));
        }

        var borrowed = new List<string>();
        foreach (var name in observation.Unobserved)
        {
            if (inherited?.Feature(name) is { } old && old.Name == name)
            {
                located.Add((name, QemuWordLocation.Of(old.Word), old.Bits, old.Tcg, old));
                borrowed.Add(name);
            }
            else
            {
                notes.Add($"left out: feature {name} (no probe shows its bit, and no inherited catalog has it)");
            }
        }

        if (borrowed.Count > 0)
        {
            notes.Add($"bits inherited for {borrowed.Count} features TCG clears without a word (the KVM paravirt word): {string.Join(' ', borrowed)}");
        }

        if (inherited is not null)
        {
            var gone = inherited.Features.Select(f => f.Name).Where(n => !names.Contains(n)).ToList();
            if (gone.Count > 0)
            {
                notes.Add($"not in this release (in {inherited.Name}): {string.Join(' ', gone)}");
            }
        }

        var words = OrderWords(located.Select(l => l.Word).Distinct(), observation.CpuidWords, inherited);
        var byLocation = words.ToDictionary(QemuWordLocation.Of);
        var features = located
            .OrderBy(l => words.IndexOf(byLocation[l.Word])).ThenBy(l => l.Bits[0])
            .Select(l => new QemuFeature(l.Name, byLocation[l.Word], l.Bits, [], l.Old?.Migratable ?? true, l.Tcg, l.Old?.AutoEnable ?? true))
            .ToImmutableArray();
        return new QemuFeatureTableParts(words, features, Dependencies(inherited, byLocation, notes));
    }

    /// <summary>
    /// Completes the features: their alias spellings (as the probe found them; inherited for features
    /// it could not test), and the no-autoenable flag of every feature TCG has that no dependency can
    /// clear (set exactly when <c>max</c> leaves it off; unmigratable features are left off by <c>max</c> for that reason).
    /// </summary>
    /// <param name="parts">The parts from <see cref="Build"/>.</param>
    /// <param name="aliases">Alias spelling → canonical name, as probed.</param>
    /// <param name="maxEnabled">The canonical features <c>max</c> enables.</param>
    /// <param name="inherited">The inherited catalog, or null.</param>
    /// <param name="notes">Receives what differs from the inherited catalog.</param>
    /// <returns>The completed parts.</returns>
    public static QemuFeatureTableParts Finish(QemuFeatureTableParts parts, IReadOnlyDictionary<string, string> aliases, IReadOnlySet<string> maxEnabled, QemuHypervisorCatalog? inherited, IList<string> notes)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(aliases);
        ArgumentNullException.ThrowIfNull(maxEnabled);
        ArgumentNullException.ThrowIfNull(notes);
        var probedTargets = aliases.Values.ToHashSet(StringComparer.Ordinal);
        var differing = new List<string>();
        var features = parts.Features.Select(f =>
        {
            var old = inherited?.Feature(f.Name) is { } o && o.Name == f.Name ? o : null;
            var found = aliases.Where(a => a.Value == f.Name).Select(a => a.Key).ToList();
            var spellings = found.Count == 0 && old is not null ? old.Aliases
                : old is not null && old.Aliases.Order(StringComparer.Ordinal).SequenceEqual(found.Order(StringComparer.Ordinal), StringComparer.Ordinal) ? old.Aliases
                : [.. found.Order(StringComparer.Ordinal)];
            if (old is not null && found.Count > 0 && !spellings.SequenceEqual(old.Aliases))
            {
                differing.Add($"{f.Name} aliases {string.Join(',', spellings)} (inherited: {string.Join(',', old.Aliases)})");
            }

            var clearable = parts.Dependencies.Any(d => d.To == f.Word && (d.ToMask & f.Mask) != 0);
            var autoEnable = f.Tcg && !clearable && f.Migratable ? maxEnabled.Contains(f.Name) : f.AutoEnable;
            if (old is not null && autoEnable != old.AutoEnable)
            {
                differing.Add($"{f.Name} {(autoEnable ? "enabled" : "not enabled")} by max (inherited: {(old.AutoEnable ? "autoenable" : "no-autoenable")})");
            }

            return new QemuFeature(f.Name, f.Word, f.Bits, spellings, f.Migratable, f.Tcg, autoEnable);
        }).ToImmutableArray();
        if (differing.Count > 0)
        {
            notes.Add($"differs from {inherited!.Name}: {string.Join("; ", differing)}");
        }

        return parts with { Features = features };
    }

    /// <summary>
    /// Orders the words: the inherited catalog's order for the words it has; a new CPUID word after
    /// the word QEMU lists before it; a new MSR word after the last MSR word.
    /// </summary>
    private static ImmutableArray<QemuFeatureWord> OrderWords(IEnumerable<QemuWordLocation> used, ImmutableArray<QemuWordLocation> cpuidOrder, QemuHypervisorCatalog? inherited)
    {
        var wanted = used.ToHashSet();
        var list = new List<QemuWordLocation>();
        var names = new Dictionary<QemuWordLocation, string>();
        foreach (var w in inherited?.Words ?? [])
        {
            var at = QemuWordLocation.Of(w);
            if (wanted.Contains(at))
            {
                list.Add(at);
                names[at] = w.Name;
            }
        }

        foreach (var w in cpuidOrder.Where(wanted.Contains).Where(w => !list.Contains(w)))
        {
            var before = cpuidOrder.Take(cpuidOrder.IndexOf(w)).LastOrDefault(list.Contains);
            list.Insert(before == default ? 0 : list.IndexOf(before) + 1, w);
        }

        foreach (var w in wanted.Where(w => !list.Contains(w)).OrderBy(w => w.Kind).ThenBy(w => w.Index).ThenBy(w => w.Subleaf).ThenBy(w => w.Register))
        {
            var lastMsr = list.FindLastIndex(x => x.Kind == CpuDataKind.Msr);
            list.Insert(w.Kind == CpuDataKind.Msr && lastMsr >= 0 ? lastMsr + 1 : list.Count, w);
        }

        return [.. list.Select(w => w.ToWord(names.TryGetValue(w, out var n) ? n : w.MadeUpName()))];
    }

    /// <summary>The inherited dependency table, by word location; entries naming a word this release lacks are left out.</summary>
    private static ImmutableArray<QemuFeatureDependency> Dependencies(QemuHypervisorCatalog? inherited, Dictionary<QemuWordLocation, QemuFeatureWord> words, IList<string> notes)
    {
        if (inherited is null)
        {
            notes.Add("no dependency table: nothing was inherited");
            return [];
        }

        var deps = ImmutableArray.CreateBuilder<QemuFeatureDependency>();
        foreach (var d in inherited.Dependencies)
        {
            if (words.TryGetValue(QemuWordLocation.Of(d.From), out var from) && words.TryGetValue(QemuWordLocation.Of(d.To), out var to))
            {
                deps.Add(new QemuFeatureDependency(from, d.FromMask, to, d.ToMask));
            }
            else
            {
                notes.Add($"inherited dependency {d} left out: this release has no such word");
            }
        }

        return deps.ToImmutable();
    }
}
