using System.Collections.Immutable;

namespace VirtCpu.Qemu.BinaryImport;

/// <summary>
/// Settles the dependencies <see cref="QemuDependencyInference"/> could not tell from the bit
/// probe's runs (a dependent whose prerequisite is tied to other features in every run: <c>avx10</c>
/// with <c>avx10-128</c>, <c>-256</c> and <c>-512</c>) by asking QEMU directly: a model version whose
/// expansion has the dependent on is expanded once with each of its other features switched off.
/// The prerequisites are the features whose absence drops the dependent; the dependency's source is
/// the nearest of them, the one every other prerequisite drops as well (switching off <c>xsave</c>
/// drops <c>avx10</c> and with it <c>avx10-vnni-int</c>, but <c>avx10</c> is the one the dependent
/// names). Two features that drop each other tie in a model (<c>avx10</c> and <c>avx10-128</c> in a
/// model with no other vector length): the same model with every feature switched on breaks the tie
/// (<c>avx10</c> then keeps <c>avx10-256</c> when <c>avx10-128</c> is off), and the nearest
/// prerequisite is the one both expansions name. Features still tied then drop one another in every
/// expansion tried (QEMU 11.1's <c>avx10</c> and <c>avx10-128</c>: <c>avx10</c> clears the vector
/// lengths, and without <c>avx10-128</c> the longer ones and <c>avx10</c> go), so either gives the
/// same expansions: the first in the feature table is taken and the note names the others. A
/// dependent that no feature of the model drops stays unexplained and is noted.
/// </summary>
public static class QemuDependencySettling
{
    /// <summary>Expands a model with switches and returns the features it has on (canonical names).</summary>
    /// <param name="model">The model name.</param>
    /// <param name="switches">Feature switches (<c>false</c>: off).</param>
    /// <param name="cancellationToken">Cancels the expansion.</param>
    /// <returns>The enabled features.</returns>
    public delegate Task<ImmutableHashSet<string>> Expand(string model, IReadOnlyDictionary<string, bool> switches, CancellationToken cancellationToken);

    /// <summary>Adds the dependencies the targeted expansions show, after the table's own.</summary>
    /// <param name="parts">The feature table.</param>
    /// <param name="dependents">The dependents no dependency explains (<see cref="QemuDependencyInference.Unexplained"/>).</param>
    /// <param name="basisOf">A model version whose plain expansion has a dependent on, or null when none has.</param>
    /// <param name="expand">Expands a model under the probe's QEMU.</param>
    /// <param name="notes">Receives what was settled and what was not.</param>
    /// <param name="cancellationToken">Cancels the expansions.</param>
    /// <returns>The table with the settled dependencies.</returns>
    public static async Task<QemuFeatureTableParts> SettleAsync(QemuFeatureTableParts parts, IReadOnlyList<string> dependents, Func<string, string?> basisOf, Expand expand, IList<string> notes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(dependents);
        ArgumentNullException.ThrowIfNull(basisOf);
        ArgumentNullException.ThrowIfNull(expand);
        ArgumentNullException.ThrowIfNull(notes);
        var byName = parts.Features.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var settled = new List<(QemuFeature From, QemuFeature To, string Model)>();
        var left = new List<string>();
        foreach (var name in dependents)
        {
            if (basisOf(name) is not { } model)
            {
                left.Add($"{name} (no model version has it on)");
                continue;
            }

            var nearest = await NearestPrerequisitesAsync(model, name, [], expand, cancellationToken).ConfigureAwait(false);
            if (nearest.Count > 1)
            {
                var everything = parts.Features.Select(f => f.Name).ToList();
                var untied = await NearestPrerequisitesAsync(model, name, everything, expand, cancellationToken).ConfigureAwait(false);
                nearest = [.. nearest.Intersect(untied, StringComparer.Ordinal)];
            }

            var tied = parts.Features.Where(f => nearest.Contains(f.Name, StringComparer.Ordinal)).ToList();
            if (tied.Count > 0 && byName.TryGetValue(name, out var to))
            {
                settled.Add((tied[0], to, tied.Count == 1 ? model : $"{model}; interchangeable with {string.Join(' ', tied.Skip(1).Select(f => f.Name))}"));
            }
            else
            {
                left.Add($"{name} (no feature of {model} drops it)");
            }
        }

        if (settled.Count > 0)
        {
            notes.Add($"dependencies settled by expanding a model with each of its features off (added after the table): {string.Join(", ", settled.Select(s => $"{s.From.Name} -> {s.To.Name} (in {s.Model})"))}");
        }

        if (left.Count > 0)
        {
            notes.Add($"QEMU drops these for a missing prerequisite that neither the runs nor targeted expansions explain: {string.Join(", ", left)}");
        }

        return parts with { Dependencies = parts.Dependencies.AddRange(settled.Select(s => new QemuFeatureDependency(s.From.Word, s.From.Mask, s.To.Word, s.To.Mask))) };
    }

    /// <summary>The features of a model whose absence drops the dependent and that every other such feature drops too.</summary>
    private static async Task<List<string>> NearestPrerequisitesAsync(string model, string dependent, IReadOnlyList<string> switchedOn, Expand expand, CancellationToken cancellationToken)
    {
        var basis = await expand(model, Switches(switchedOn, null), cancellationToken).ConfigureAwait(false);
        if (!basis.Contains(dependent))
        {
            return [];
        }

        var dropping = new SortedDictionary<string, ImmutableHashSet<string>>(StringComparer.Ordinal);
        foreach (var candidate in basis.Where(c => c != dependent).Order(StringComparer.Ordinal))
        {
            var enabled = await expand(model, Switches(switchedOn, candidate), cancellationToken).ConfigureAwait(false);
            if (!enabled.Contains(dependent))
            {
                dropping[candidate] = basis.Except(enabled);
            }
        }

        return [.. dropping.Keys.Where(c => dropping.All(d => d.Key == c || d.Value.Contains(c)))];
    }

    private static Dictionary<string, bool> Switches(IReadOnlyList<string> on, string? off)
    {
        var switches = on.ToDictionary(n => n, _ => true, StringComparer.Ordinal);
        if (off is not null)
        {
            switches[off] = false;
        }

        return switches;
    }
}
