using System.Collections.Immutable;
using VirtCpu.Cpu;

namespace VirtCpu.Engine;

/// <summary>
/// A feature list being edited with libvirt's primitives (<c>docs/design.md#53-cpu-definitions</c>): <c>AddFeature</c>,
/// <c>UpdateFeature</c>, <c>AddFeatureIfMissing</c>. Policies are forced to "none" (null) when the
/// list belongs to a host CPU.
/// </summary>
internal sealed class CpuFeatureList
{
    private readonly List<CpuFeature> _features;

    /// <summary>Starts a list.</summary>
    /// <param name="type">The type of the definition the list belongs to.</param>
    /// <param name="initial">The features already there.</param>
    public CpuFeatureList(CpuType type, IEnumerable<CpuFeature>? initial = null)
    {
        Type = type;
        _features = initial is null ? [] : [.. initial];
    }

    /// <summary>The type of the owning definition.</summary>
    public CpuType Type { get; set; }

    /// <summary>The number of features.</summary>
    public int Count => _features.Count;

    /// <summary>Appends a feature; a name already present is an error.</summary>
    /// <param name="name">The name.</param>
    /// <param name="policy">The policy.</param>
    public void AddFeature(string name, FeaturePolicy? policy)
    {
        if (IndexOf(name) >= 0)
        {
            throw new CpuEngineException($"CPU feature '{name}' specified more than once");
        }

        _features.Add(new CpuFeature(name, Effective(policy)));
    }

    /// <summary>Overwrites the policy of a present feature in place, or appends it.</summary>
    /// <param name="name">The name.</param>
    /// <param name="policy">The policy.</param>
    public void UpdateFeature(string name, FeaturePolicy? policy)
    {
        var i = IndexOf(name);
        if (i >= 0)
        {
            _features[i] = _features[i] with { Policy = Effective(policy) };
        }
        else
        {
            _features.Add(new CpuFeature(name, Effective(policy)));
        }
    }

    /// <summary>Appends a feature unless a feature of that name is present.</summary>
    /// <param name="name">The name.</param>
    /// <param name="policy">The policy.</param>
    public void AddFeatureIfMissing(string name, FeaturePolicy? policy)
    {
        if (IndexOf(name) < 0)
        {
            _features.Add(new CpuFeature(name, Effective(policy)));
        }
    }

    /// <summary>Removes every feature matching a predicate.</summary>
    /// <param name="predicate">The features to remove.</param>
    public void RemoveAll(Predicate<CpuFeature> predicate) => _features.RemoveAll(predicate);

    /// <summary>The position of a feature, or −1.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The index.</returns>
    public int IndexOf(string name)
    {
        for (var i = 0; i < _features.Count; i++)
        {
            if (string.Equals(_features[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The features as an immutable array.</summary>
    /// <returns>The array.</returns>
    public ImmutableArray<CpuFeature> ToImmutable() => [.. _features];

    private FeaturePolicy? Effective(FeaturePolicy? policy) => Type == CpuType.Host ? null : policy;
}
