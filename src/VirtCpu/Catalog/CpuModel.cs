using System.Collections.Immutable;

namespace VirtCpu.Catalog;

/// <summary>
/// A named CPU model of a management catalog (libvirt's cpu_map): its vendor, signatures,
/// feature data and the markers that let it evolve without changing (removed and added features).
/// </summary>
public sealed record CpuModel
{
    /// <summary>The model name, case-sensitive (<c>EPYC</c>, <c>Skylake-Server-v4</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The position of the model in its catalog (file order), set by the catalog.</summary>
    public int Index { get; internal init; } = -1;

    /// <summary>The vendor, or null for generic models (<c>qemu64</c>).</summary>
    public Vendor? Vendor { get; init; }

    /// <summary>The signatures the model claims; empty for none.</summary>
    public ImmutableArray<ModelSignature> Signatures { get; init; } = [];

    /// <summary>The features that make up the model's data.</summary>
    public FeatureSet Features { get; init; }

    /// <summary>Features dropped from the model later (libvirt <c>removed='yes'</c>), in definition order. Never part of <see cref="Features"/>.</summary>
    public ImmutableArray<int> RemovedFeatures { get; init; } = [];

    /// <summary>Features the hypervisor always had that were added to the definition later (libvirt <c>added='yes'</c>), in definition order. Never part of <see cref="Features"/>.</summary>
    public ImmutableArray<int> AddedFeatures { get; init; } = [];

    /// <summary>The older model this one was derived from (<c>EPYC</c> for <c>EPYC-v1</c>), or null.</summary>
    public string? Ancestor { get; init; }

    /// <summary>True when the model only points at <see cref="Ancestor"/> and changes nothing (a pure alias).</summary>
    public bool IsAlias { get; init; }

    /// <summary>The versioned model that is a pure alias of this one (<c>EPYC-v1</c> on <c>EPYC</c>), or null. Set by the catalog.</summary>
    public string? Canonical { get; internal init; }

    /// <summary>May host CPUs be decoded to this model.</summary>
    public bool DecodeHost { get; init; }

    /// <summary>May guest CPUs be decoded to this model.</summary>
    public bool DecodeGuest { get; init; }

    /// <summary>True for <c>&lt;check partial='compat'/&gt;</c>: a partial check compares against the catalog definition.</summary>
    public bool CompatCheck { get; init; }

    /// <summary>True for a versioned name (<c>X-vN</c>), which must never change once released.</summary>
    public bool IsVersioned => VersionOf(Name) is not null;

    /// <summary>True when any signature of the model matches <paramref name="signature"/>.</summary>
    /// <param name="signature">The CPU signature.</param>
    /// <returns>Whether the model claims that signature.</returns>
    public bool MatchesSignature(CpuSignature signature)
    {
        foreach (var s in Signatures)
        {
            if (s.Matches(signature))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Splits a versioned name: <c>EPYC-v3</c> gives (<c>EPYC</c>, 3); other names give null.</summary>
    /// <param name="name">A model name.</param>
    /// <returns>The base name and the version, or null.</returns>
    public static (string Base, int Version)? VersionOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var dash = name.LastIndexOf("-v", StringComparison.Ordinal);
        if (dash <= 0 || dash + 2 >= name.Length)
        {
            return null;
        }

        var n = 0;
        for (var i = dash + 2; i < name.Length; i++)
        {
            var c = name[i];
            if (c is < '0' or > '9' || n > 100_000)
            {
                return null;
            }

            n = (n * 10) + (c - '0');
        }

        return n > 0 ? (name[..dash], n) : null;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
