using System.Collections.Frozen;
using System.Collections.Immutable;

namespace VirtCpu.Engine;

/// <summary>One CPU model the hypervisor offers, with the features that block it on this host.</summary>
/// <param name="Name">The model name (exact, case-sensitive).</param>
/// <param name="Usable">True when usable, false when blocked, null when the hypervisor did not say.</param>
/// <param name="Blockers">The blocking features in libvirt spelling, sorted ordinally, without duplicates.</param>
public sealed record HypervisorModel(string Name, bool? Usable, ImmutableArray<string> Blockers);

/// <summary>
/// The hypervisor's CPU model list (libvirt's <c>virDomainCapsCPUModels</c>): models sorted by
/// name, looked up by exact name, each with its usability and blockers.
/// </summary>
public sealed class HypervisorModels
{
    private readonly FrozenDictionary<string, HypervisorModel> _byName;

    private HypervisorModels(ImmutableArray<HypervisorModel> models)
    {
        Models = models;
        _byName = models.ToFrozenDictionary(model => model.Name, StringComparer.Ordinal);
    }

    /// <summary>The models sorted by name (ordinal).</summary>
    public ImmutableArray<HypervisorModel> Models { get; }

    /// <summary>Builds a list; blockers are sorted and de-duplicated, and a repeated name keeps its first entry.</summary>
    /// <param name="models">The models.</param>
    /// <returns>The list.</returns>
    public static HypervisorModels Create(IEnumerable<HypervisorModel> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<HypervisorModel>();
        foreach (var model in models)
        {
            if (!seen.Add(model.Name))
            {
                continue;
            }

            var blockers = model.Blockers.IsDefault ? [] : model.Blockers.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();
            list.Add(model with { Blockers = blockers });
        }

        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new HypervisorModels([.. list]);
    }

    /// <summary>A list of models without blockers and of unknown usability.</summary>
    /// <param name="names">The model names.</param>
    /// <returns>The list.</returns>
    public static HypervisorModels FromNames(params IEnumerable<string> names) =>
        Create(names.Select(n => new HypervisorModel(n, null, [])));

    /// <summary>Finds a model by exact name.</summary>
    /// <param name="name">The name.</param>
    /// <param name="model">The model, when found.</param>
    /// <returns>Whether the hypervisor offers the model.</returns>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out HypervisorModel model) =>
        _byName.TryGetValue(name, out model);

    /// <summary>True when the hypervisor offers the model.</summary>
    /// <param name="name">The name.</param>
    /// <returns>Whether it is listed.</returns>
    public bool Contains(string? name) => name is not null && _byName.ContainsKey(name);
}
