using System.Collections.Immutable;
using System.Text.RegularExpressions;
using VirtCpu.Qemu.Qmp;

namespace VirtCpu.Qemu.BinaryImport;

/// <summary>What a model probe saw under <c>-machine none</c>.</summary>
/// <param name="Definitions">The CPU definitions (<c>alias-of</c> as <c>-machine none</c> resolves it).</param>
/// <param name="Versions">Every versioned model name (<c>X-vN</c>) → its full expansion for each set of the reveal plan.</param>
/// <param name="Max">The full expansion of <c>max</c>.</param>
/// <param name="Aliases">Each QOM alias spelling of a feature → the canonical name.</param>
/// <param name="AliasesUnresolved">Boolean properties that may be aliases but whose feature no expansion showed (the KVM paravirt word, cleared outside KVM).</param>
/// <param name="LevelsAsTable">
/// True when the expansions show the table's <c>min-level</c> and <c>min-xlevel</c>
/// (<c>full-cpuid-auto-level=off</c>); false when this QEMU has no such switch (11.1) and shows them
/// raised to what the model's features need.
/// </param>
public sealed record QemuModelObservation(
    ImmutableArray<QemuCpuDefinitionInfo> Definitions,
    ImmutableSortedDictionary<string, ImmutableArray<QemuModelExpansion>> Versions,
    QemuModelExpansion Max,
    ImmutableSortedDictionary<string, string> Aliases,
    ImmutableArray<string> AliasesUnresolved,
    bool LevelsAsTable);

/// <summary>
/// Reads the model table of a QEMU binary over QMP: <c>query-cpu-definitions</c>, the full
/// expansion of every model version for every set of a <see cref="QemuRevealPlan"/> (with
/// <c>pmu=on</c>, without which QEMU clears <c>pdcm</c>, and <c>full-cpuid-auto-level=off</c>,
/// without which QEMU raises <c>min-level</c> and <c>min-xlevel</c> to what the features need), the expansion of <c>max</c> (what TCG
/// enables by itself), and which boolean CPU properties are alias spellings of which feature.
/// </summary>
public static partial class QemuModelProbe
{
    private const string AutoLevel = "full-cpuid-auto-level";

    /// <summary>Probes a running QEMU (started with <c>-machine none</c>).</summary>
    /// <param name="client">The QMP client.</param>
    /// <param name="canonical">The canonical feature names.</param>
    /// <param name="plan">The reveal plan.</param>
    /// <param name="progress">Told about progress, or null.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>The observation.</returns>
    public static async Task<QemuModelObservation> ObserveAsync(QmpClient client, IReadOnlyCollection<string> canonical, QemuRevealPlan plan, Action<string>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(canonical);
        ArgumentNullException.ThrowIfNull(plan);
        var definitions = await client.QueryCpuDefinitionsAsync(cancellationToken).ConfigureAwait(false);
        var properties = await client.QomListPropertiesAsync("base-x86_64-cpu", cancellationToken).ConfigureAwait(false);
        var autoLevel = properties.Any(p => p.Name == AutoLevel);
        var versioned = VersionedNames(definitions.Select(d => d.Name)).ToList();
        progress?.Invoke($"model probe: {versioned.Count} model versions x {plan.Sets.Length} expansions");
        var versions = ImmutableSortedDictionary.CreateBuilder<string, ImmutableArray<QemuModelExpansion>>(StringComparer.Ordinal);
        foreach (var name in versioned)
        {
            var list = ImmutableArray.CreateBuilder<QemuModelExpansion>();
            foreach (var set in plan.Sets)
            {
                list.Add(await client.QueryCpuModelExpansionAsync("full", name, Switches(set, autoLevel), cancellationToken).ConfigureAwait(false));
            }

            versions[name] = list.ToImmutable();
        }

        var max = await client.QueryCpuModelExpansionAsync("full", "max", null, cancellationToken).ConfigureAwait(false);
        progress?.Invoke("model probe: alias spellings");
        var (aliases, unresolved) = await AliasesAsync(client, properties, canonical, plan.Sets.Length > 1 ? plan.Sets[1] : [], cancellationToken).ConfigureAwait(false);
        return new QemuModelObservation(definitions, versions.ToImmutable(), max, aliases, unresolved, autoLevel);
    }

    /// <summary>The versioned names (<c>X-vN</c> whose <c>X</c> is itself a model name).</summary>
    /// <param name="names">Model names.</param>
    /// <returns>The versioned ones.</returns>
    public static IEnumerable<string> VersionedNames(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var set = names.ToHashSet(StringComparer.Ordinal);
        return set.Where(n => Versioned().Match(n) is { Success: true } m && set.Contains(m.Groups[1].Value)).Order(StringComparer.Ordinal);
    }

    /// <summary>The enabled canonical features of an expansion.</summary>
    /// <param name="expansion">The expansion.</param>
    /// <param name="canonical">The canonical names.</param>
    /// <returns>The names.</returns>
    public static ImmutableHashSet<string> Enabled(QemuModelExpansion expansion, IReadOnlyCollection<string> canonical)
    {
        ArgumentNullException.ThrowIfNull(expansion);
        ArgumentNullException.ThrowIfNull(canonical);
        return [.. expansion.Props.Where(p => p.Value is { Kind: QemuValueKind.Boolean, Boolean: true } && canonical.Contains(p.Key)).Select(p => p.Key)];
    }

    private static Dictionary<string, bool> Switches(IEnumerable<string> on, bool autoLevel = false)
    {
        var props = new Dictionary<string, bool>(StringComparer.Ordinal) { ["pmu"] = true };
        if (autoLevel)
        {
            props[AutoLevel] = false;
        }

        foreach (var f in on)
        {
            props[f] = true;
        }

        return props;
    }

    /// <summary>
    /// Tests every boolean CPU property that is not a canonical name: switched on in a <c>base</c>
    /// vCPU with every prerequisite on, an alias turns exactly its feature on; one whose feature is a
    /// prerequisite shows when switched on alone.
    /// </summary>
    private static async Task<(ImmutableSortedDictionary<string, string>, ImmutableArray<string>)> AliasesAsync(QmpClient client, ImmutableArray<QomPropertyInfo> properties, IReadOnlyCollection<string> canonical, ImmutableArray<string> prerequisites, CancellationToken cancellationToken)
    {
        var candidates = properties.Where(p => p.Type == "bool" && !canonical.Contains(p.Name) && p.Name is not ("pmu" or AutoLevel)).Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        var withPrerequisites = Enabled(await client.QueryCpuModelExpansionAsync("full", "base", Switches(prerequisites), cancellationToken).ConfigureAwait(false), canonical);
        var bare = Enabled(await client.QueryCpuModelExpansionAsync("full", "base", Switches([]), cancellationToken).ConfigureAwait(false), canonical);
        var aliases = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var unresolved = new List<string>();
        foreach (var p in candidates)
        {
            var target = await TurnedOnAsync(client, canonical, prerequisites.Append(p), withPrerequisites, cancellationToken).ConfigureAwait(false)
                ?? await TurnedOnAsync(client, canonical, [p], bare, cancellationToken).ConfigureAwait(false);
            if (target is not null)
            {
                aliases[p] = target;
            }
            else if (p.Contains('_', StringComparison.Ordinal))
            {
                unresolved.Add(p);
            }
        }

        return (aliases.ToImmutable(), [.. unresolved]);
    }

    private static async Task<string?> TurnedOnAsync(QmpClient client, IReadOnlyCollection<string> canonical, IEnumerable<string> on, ImmutableHashSet<string> before, CancellationToken cancellationToken)
    {
        try
        {
            var after = Enabled(await client.QueryCpuModelExpansionAsync("full", "base", Switches(on), cancellationToken).ConfigureAwait(false), canonical);
            var added = after.Except(before);
            return added.Count == 1 ? added.First() : null;
        }
        catch (QmpException e) when (e.ErrorClass is not null)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^(.+)-v[0-9]+$")]
    private static partial Regex Versioned();
}
