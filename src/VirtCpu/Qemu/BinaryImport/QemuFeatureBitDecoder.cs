using System.Collections.Immutable;
using System.Numerics;
using VirtCpu.Catalog;

namespace VirtCpu.Qemu.BinaryImport;

/// <summary>A named feature as a bit probe found it.</summary>
/// <param name="Name">The canonical name.</param>
/// <param name="Word">Its word.</param>
/// <param name="Bits">Its bits, ascending.</param>
/// <param name="Tcg">True when TCG kept it (no <c>TCG doesn't support</c> warning, and for a CPUID word kept in a vCPU that asked for it).</param>
public sealed record QemuObservedFeature(string Name, QemuWordLocation Word, ImmutableArray<int> Bits, bool Tcg);

/// <summary>What a bit probe learned.</summary>
/// <param name="CpuidWords">The CPUID words in QEMU's table order (<c>feature-words</c> lists them newest first).</param>
/// <param name="Features">The features whose bits were seen.</param>
/// <param name="Unobserved">Canonical names no run showed (the KVM paravirt word, which QEMU clears without a word under TCG).</param>
/// <param name="DroppedForDependency">Names QEMU dropped because a prerequisite was off.</param>
/// <param name="Notes">What could not be decoded, in words.</param>
public sealed record QemuFeatureBitObservation(
    ImmutableArray<QemuWordLocation> CpuidWords,
    ImmutableArray<QemuObservedFeature> Features,
    ImmutableArray<string> Unobserved,
    ImmutableHashSet<string> DroppedForDependency,
    ImmutableArray<string> Notes);

/// <summary>
/// Decodes binary-coded bit runs: feature number <c>i</c> (1-based, in name order) is switched on
/// in run <c>group g</c> when bit <c>g</c> of <c>i</c> is set and in <c>complement g</c> when it is
/// clear, so a CPUID bit that appears (kept or filtered) exactly in the runs of number <c>i</c>
/// belongs to feature <c>i</c>; a bit following any other pattern is derived by QEMU (XSAVE
/// components) and ignored. MSR features, which <c>feature-words</c> never shows, are read from
/// QEMU's warnings: every MSR word depends on a CPUID feature, and a run holding the feature but not
/// its prerequisite (the complement runs guarantee one) makes QEMU name the feature with its bit.
/// </summary>
public static class QemuFeatureBitDecoder
{
    /// <summary>How many coded runs (groups, and as many complements) a number of names needs.</summary>
    /// <param name="count">The number of feature names.</param>
    /// <returns>The bit width of the largest feature number.</returns>
    public static int Groups(int count) => count <= 0 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)count);

    /// <summary>The names a coded run switches on.</summary>
    /// <param name="names">The canonical names, in numbering order.</param>
    /// <param name="group">The bit of the feature number.</param>
    /// <param name="complement">True for the names whose number has the bit clear.</param>
    /// <returns>The names.</returns>
    public static IEnumerable<string> Members(IReadOnlyList<string> names, int group, bool complement)
    {
        ArgumentNullException.ThrowIfNull(names);
        for (var i = 0; i < names.Count; i++)
        {
            if ((((i + 1) >> group) & 1) == (complement ? 0 : 1))
            {
                yield return names[i];
            }
        }
    }

    /// <summary>Decodes the runs.</summary>
    /// <param name="names">The canonical names, in numbering order.</param>
    /// <param name="runs">The runs: a baseline (nothing switched on), <c>all</c>, and every group and complement.</param>
    /// <param name="preferredWord">For a name whose coded bits fall in several words, the word to keep (an inherited catalog's), or null.</param>
    /// <returns>The observation.</returns>
    public static QemuFeatureBitObservation Decode(IReadOnlyList<string> names, IReadOnlyList<QemuBitRun> runs, Func<string, QemuWordLocation?> preferredWord)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(preferredWord);
        var notes = new List<string>();
        var all = runs.First(r => r.Label == "all");
        var baseline = Visible(runs.First(r => r.Label == "baseline"), null);
        var words = all.FeatureWords.Select(w => w.Word).Reverse().ToImmutableArray();
        var coded = CodedBits(names, runs, baseline, notes);
        var warnings = runs.SelectMany(r => r.Warnings).Where(w => w.Name is not null).ToList();
        var refused = warnings.Where(w => w.Reason == QemuDropReason.NotSupported).Select(w => w.Name!).ToHashSet(StringComparer.Ordinal);
        var dropped = warnings.Where(w => w.Reason == QemuDropReason.Dependency).Select(w => w.Name!).ToImmutableHashSet(StringComparer.Ordinal);
        var features = new List<QemuObservedFeature>();
        var unobserved = new List<string>();
        var shared = coded.Values.SelectMany(w => w.Keys).GroupBy(w => w).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        foreach (var name in names)
        {
            var located = coded.TryGetValue(name, out var byWord) ? Choose(name, byWord, warnings, preferredWord, shared) : FromWarnings(name, warnings, words, notes);
            if (located is not { } l)
            {
                unobserved.Add(name);
                continue;
            }

            var tcg = !refused.Contains(name) && (l.Word.Kind == CpuDataKind.Msr || KeptSomewhere(runs, name, l));
            features.Add(new QemuObservedFeature(name, l.Word, l.Bits, tcg));
        }

        return new QemuFeatureBitObservation(words, [.. features], [.. unobserved], dropped, [.. notes]);
    }

    /// <summary>The bits of every word a run shows (kept or filtered), less the baseline's.</summary>
    private static Dictionary<QemuWordLocation, ulong> Visible(QemuBitRun run, Dictionary<QemuWordLocation, ulong>? baseline)
    {
        var bits = new Dictionary<QemuWordLocation, ulong>();
        foreach (var w in run.FeatureWords.Concat(run.FilteredFeatures))
        {
            bits[w.Word] = bits.GetValueOrDefault(w.Word) | w.Bits;
        }

        if (baseline is not null)
        {
            foreach (var (word, b) in baseline)
            {
                if (bits.TryGetValue(word, out var v))
                {
                    bits[word] = v & ~b;
                }
            }
        }

        return bits;
    }

    /// <summary>Name → word → bits, for every bit whose pattern across the coded runs is a feature number.</summary>
    private static Dictionary<string, Dictionary<QemuWordLocation, List<int>>> CodedBits(IReadOnlyList<string> names, IReadOnlyList<QemuBitRun> runs, Dictionary<QemuWordLocation, ulong> baseline, List<string> notes)
    {
        var groups = Groups(names.Count);
        var code = new Dictionary<(QemuWordLocation, int), (int Plain, int Complement)>();
        foreach (var run in runs.Where(r => r.Group is not null))
        {
            foreach (var (word, bits) in Visible(run, baseline))
            {
                for (var b = 0; b < 64; b++)
                {
                    if ((bits >> b & 1) != 0)
                    {
                        var c = code.GetValueOrDefault((word, b));
                        code[(word, b)] = run.Complement ? (c.Plain, c.Complement | 1 << run.Group!.Value) : (c.Plain | 1 << run.Group!.Value, c.Complement);
                    }
                }
            }
        }

        var mask = (1 << groups) - 1;
        var result = new Dictionary<string, Dictionary<QemuWordLocation, List<int>>>(StringComparer.Ordinal);
        var derived = 0;
        foreach (var ((word, bit), (plain, complement)) in code.OrderBy(c => c.Key.Item1.Index).ThenBy(c => c.Key.Item2))
        {
            if (plain < 1 || plain > names.Count || complement != (~plain & mask))
            {
                derived++;
                continue;
            }

            var byWord = result.TryGetValue(names[plain - 1], out var d) ? d : result[names[plain - 1]] = [];
            (byWord.TryGetValue(word, out var list) ? list : byWord[word] = []).Add(bit);
        }

        if (derived > 0)
        {
            notes.Add($"{derived} CPUID bits follow no single feature across the coded runs (bits QEMU derives, such as XSAVE components) and were left out");
        }

        return result;
    }

    /// <summary>
    /// The word of a feature whose coded bits fall in several words (a feature and the XSAVE
    /// components it brings): the word QEMU's warnings name, else the preferred (inherited) word,
    /// else a word other features also live in.
    /// </summary>
    private static (QemuWordLocation Word, ImmutableArray<int> Bits) Choose(string name, Dictionary<QemuWordLocation, List<int>> byWord, List<QemuFeatureWarning> warnings, Func<string, QemuWordLocation?> preferredWord, HashSet<QemuWordLocation> shared)
    {
        if (byWord.Count > 1)
        {
            var warned = warnings.FirstOrDefault(w => w.Name == name && byWord.Keys.Any(k => Same(k, w)));
            var pick = warned is not null ? byWord.Keys.First(k => Same(k, warned))
                : preferredWord(name) is { } p && byWord.ContainsKey(p) ? p
                : byWord.Keys.FirstOrDefault(shared.Contains, byWord.Keys.First());
            return (pick, [.. byWord[pick].Order()]);
        }

        var only = byWord.First();
        return (only.Key, [.. only.Value.Order()]);
    }

    /// <summary>A feature the coded runs did not show (MSR words): its word and bits from the warnings that name it.</summary>
    private static (QemuWordLocation Word, ImmutableArray<int> Bits)? FromWarnings(string name, List<QemuFeatureWarning> warnings, ImmutableArray<QemuWordLocation> cpuidWords, List<string> notes)
    {
        var named = warnings.Where(w => w.Name == name).ToList();
        if (named.Count == 0)
        {
            return null;
        }

        var first = named[0];
        var word = first.Word;
        if (word.Kind == CpuDataKind.Cpuid && !first.SubleafKnown)
        {
            var candidates = cpuidWords.Where(w => w.Index == word.Index && w.Register == word.Register).ToList();
            if (candidates.Count != 1)
            {
                notes.Add($"{name}: QEMU names it in CPUID 0x{word.Index:x} {word.Register} without a subleaf, and {candidates.Count} words match");
                return null;
            }

            word = candidates[0];
        }

        var bits = named.Where(w => w.Word.Kind == first.Word.Kind && w.Word.Index == first.Word.Index && w.Word.Register == first.Word.Register).Select(w => w.Bit).Distinct().Order();
        return (word, [.. bits]);
    }

    private static bool Same(QemuWordLocation word, QemuFeatureWarning w) =>
        word.Kind == w.Word.Kind && word.Index == w.Word.Index && word.Register == w.Word.Register && (!w.SubleafKnown || word.Subleaf == w.Word.Subleaf);

    /// <summary>True when some run that asked for the feature kept its bits in <c>feature-words</c>.</summary>
    private static bool KeptSomewhere(IReadOnlyList<QemuBitRun> runs, string name, (QemuWordLocation Word, ImmutableArray<int> Bits) located)
    {
        var mask = located.Bits.Aggregate(0UL, (m, b) => m | 1UL << b);
        return runs.Any(r => r.Requested.Contains(name) && r.FeatureWords.Any(w => w.Word == located.Word && (w.Bits & mask) == mask));
    }
}
