using System.Collections.Immutable;

namespace VirtCpu.Qemu.BinaryImport;

/// <summary>
/// Finds dependencies an inherited table lacks from the bit probe's runs: a feature QEMU dropped
/// for a missing prerequisite in some runs and kept in others depends on the one feature that is on
/// in every run that kept it and off in every run that dropped it (the coded runs make that feature
/// unique). A dependency whose prerequisite is tied to other features in every run cannot be told
/// apart this way: <see cref="Unexplained"/> lists those for <see cref="QemuDependencySettling"/>.
/// </summary>
public static class QemuDependencyInference
{
    /// <summary>Adds the dependencies the runs show and the table lacks, after the table's own.</summary>
    /// <param name="parts">The feature table with its (inherited) dependencies.</param>
    /// <param name="runs">The bit probe's runs.</param>
    /// <param name="notes">Receives what was inferred.</param>
    /// <returns>The table with the inferred dependencies.</returns>
    public static QemuFeatureTableParts Infer(QemuFeatureTableParts parts, IReadOnlyList<QemuBitRun> runs, IList<string> notes)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(notes);
        var added = new List<QemuFeatureDependency>();
        foreach (var f in UnexplainedFeatures(parts, runs))
        {
            var kept = runs.Where(r => r.Requested.Contains(f.Name) && !Dropped(r, f.Name)).ToList();
            var lost = runs.Where(r => r.Requested.Contains(f.Name) && Dropped(r, f.Name, QemuDropReason.Dependency)).ToList();
            var candidates = parts.Features.Where(p => p != f && kept.All(r => On(r, p.Name)) && lost.All(r => !On(r, p.Name))).ToList();
            if (kept.Count > 0 && candidates.Count == 1)
            {
                added.Add(new QemuFeatureDependency(candidates[0].Word, candidates[0].Mask, f.Word, f.Mask));
            }
        }

        if (added.Count > 0)
        {
            var named = added.Select(d => $"{parts.Features.First(p => p.Word == d.From && p.Mask == d.FromMask).Name} -> {parts.Features.First(p => p.Word == d.To && p.Mask == d.ToMask).Name}");
            notes.Add($"dependencies the inherited table lacks, read from which runs QEMU dropped the feature in (added after the table): {string.Join(", ", named)}");
        }

        return parts with { Dependencies = parts.Dependencies.AddRange(added) };
    }

    /// <summary>The features QEMU dropped for a missing prerequisite in some run that no dependency of the table explains.</summary>
    /// <param name="parts">The feature table (after <see cref="Infer"/>).</param>
    /// <param name="runs">The bit probe's runs.</param>
    /// <returns>Their names, in table order.</returns>
    public static ImmutableArray<string> Unexplained(QemuFeatureTableParts parts, IReadOnlyList<QemuBitRun> runs)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(runs);
        return [.. UnexplainedFeatures(parts, runs).Select(f => f.Name)];
    }

    private static IEnumerable<QemuFeature> UnexplainedFeatures(QemuFeatureTableParts parts, IReadOnlyList<QemuBitRun> runs)
    {
        var dropped = runs.SelectMany(r => r.Warnings.Where(w => w.Reason == QemuDropReason.Dependency && w.Name is not null).Select(w => w.Name!)).ToHashSet(StringComparer.Ordinal);
        return parts.Features.Where(f => dropped.Contains(f.Name) && !Covered(parts.Dependencies, f));
    }

    private static bool Covered(ImmutableArray<QemuFeatureDependency> deps, QemuFeature f) => deps.Any(d => d.To == f.Word && (d.ToMask & f.Mask) != 0);

    private static bool Dropped(QemuBitRun run, string name, QemuDropReason? reason = null) =>
        run.Warnings.Any(w => w.Name == name && (reason is { } r ? w.Reason == r : w.Reason != QemuDropReason.NotSupported));

    /// <summary>On when QEMU applies its dependencies: asked for, and not itself dropped before them (a missing prerequisite, a conflict).</summary>
    private static bool On(QemuBitRun run, string name) => run.Requested.Contains(name) && !Dropped(run, name);
}
