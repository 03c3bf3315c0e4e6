using System.Collections.Immutable;

namespace VirtCpu.Qemu.BinaryImport;

/// <summary>
/// How to see a model's table through QEMU's expansion, which applies
/// <c>feature_dependencies[]</c> first: a feature whose prerequisite the model lacks is cleared
/// (every <c>vmx-*</c> control of a model without <c>vmx</c>). Set 0 expands the model as it is;
/// set 1 switches every prerequisite on, which shows every feature that is not itself a
/// prerequisite; further sets switch on every prerequisite but a batch of those that are also
/// dependents (<c>vmx-secondary-ctls</c>, <c>vmx-ept</c>, the AVX10 family), so each of them is
/// shown too. Which set shows which feature is decided by running the dependency table on the
/// switched-on features alone (the model's own features can only add prerequisites).
/// </summary>
public sealed class QemuRevealPlan
{
    private readonly ImmutableDictionary<string, int> _shownBy;

    private QemuRevealPlan(ImmutableArray<ImmutableArray<string>> sets, ImmutableDictionary<string, int> shownBy, ImmutableArray<string> hidden)
    {
        Sets = sets;
        _shownBy = shownBy;
        Hidden = hidden;
    }

    /// <summary>The sets of features to switch on; set 0 is empty.</summary>
    public ImmutableArray<ImmutableArray<string>> Sets { get; }

    /// <summary>Dependents no set shows (they are read from set 0, where a missing prerequisite hides them).</summary>
    public ImmutableArray<string> Hidden { get; }

    /// <summary>The set whose expansion shows a feature's table value.</summary>
    /// <param name="feature">The canonical name.</param>
    /// <returns>The set's index.</returns>
    public int ShownBy(string feature) => _shownBy.GetValueOrDefault(feature);

    /// <summary>Plans the sets for a catalog's features and dependency table.</summary>
    /// <param name="catalog">The catalog (its models are not used).</param>
    /// <returns>The plan.</returns>
    public static QemuRevealPlan Create(QemuHypervisorCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var sources = catalog.Features.Where(f => catalog.Dependencies.Any(d => d.From == f.Word && (d.FromMask & f.Mask) != 0)).ToList();
        var targets = catalog.Features.Where(f => catalog.Dependencies.Any(d => d.To == f.Word && (d.ToMask & f.Mask) != 0)).ToList();
        var sets = new List<ImmutableArray<string>> { ImmutableArray<string>.Empty, sources.Select(f => f.Name).ToImmutableArray() };
        var shownBy = ImmutableDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        var pending = new List<QemuFeature>();
        foreach (var t in targets)
        {
            if (!sources.Contains(t) && Shows(catalog, sources, t))
            {
                shownBy[t.Name] = 1;
            }
            else
            {
                pending.Add(t);
            }
        }

        while (pending.Count > 0)
        {
            var batch = new List<QemuFeature>();
            foreach (var t in pending)
            {
                var candidate = batch.Append(t).ToList();
                var forced = sources.Except(candidate).ToList();
                if (candidate.All(c => Shows(catalog, forced, c)))
                {
                    batch.Add(t);
                }
            }

            if (batch.Count == 0)
            {
                break;
            }

            sets.Add([.. sources.Except(batch).Select(f => f.Name)]);
            foreach (var t in batch)
            {
                shownBy[t.Name] = sets.Count - 1;
            }

            pending.RemoveAll(batch.Contains);
        }

        return new QemuRevealPlan([.. sets], shownBy.ToImmutable(), [.. pending.Select(p => p.Name)]);
    }

    /// <summary>
    /// True when, with only <paramref name="forced"/> and the target itself switched on (a target the
    /// model lacks reads off whatever is forced), every dependency that could clear
    /// <paramref name="target"/> finds a prerequisite set when QEMU applies it (in table order, the
    /// forced features themselves pruned as QEMU prunes them), and the target is not forced.
    /// </summary>
    private static bool Shows(QemuHypervisorCatalog catalog, IReadOnlyCollection<QemuFeature> forced, QemuFeature target)
    {
        if (forced.Contains(target))
        {
            return false;
        }

        var words = new ulong[catalog.Words.Length];
        foreach (var f in forced.Append(target))
        {
            words[f.Word.Number] |= f.Mask;
        }

        foreach (var d in catalog.Dependencies)
        {
            if ((words[d.From.Number] & d.FromMask) != 0)
            {
                continue;
            }

            if (d.To == target.Word && (d.ToMask & target.Mask) != 0)
            {
                return false;
            }

            words[d.To.Number] &= ~d.ToMask;
        }

        return true;
    }
}
