using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Engine;

namespace VirtCpu.Fleet;

/// <summary>
/// The hosts × models matrix of a fleet: cell (h, m) is usable exactly when libvirt's CPU compare of
/// the guest <c>&lt;cpu mode='custom' match='exact'&gt;&lt;model&gt;m&lt;/model&gt;&lt;/cpu&gt;</c>
/// against the host-decoded CPU of h is not incompatible. For such a guest (no vendor, no
/// explicit features) <see cref="CpuComparer"/> reduces to "every feature of m's definition is in
/// the host's effective feature set", item voting included (a required set that is not a subset
/// always votes subset), and the blockers are exactly the features its message lists. Hosts whose
/// CPU could not be decoded compare as "unknown host CPU": unusable everywhere, without blockers.
/// </summary>
/// <remarks>
/// Speed: identical host feature sets are computed once; each cell is one 512-bit subset test;
/// the rows are bit arrays (one bit per model).
/// </remarks>
public sealed class UsabilityMatrix
{
    private readonly FeatureSet[] _rows;
    private readonly bool[] _known;
    private readonly int[] _rowOfHost;
    private readonly ulong[] _bits;
    private readonly int _words;

    private UsabilityMatrix(CpuCatalog catalog, ImmutableArray<CpuModel> models, FeatureSet[] rows, bool[] known, int[] rowOfHost, ulong[] bits, int words)
    {
        Catalog = catalog;
        Models = models;
        _rows = rows;
        _known = known;
        _rowOfHost = rowOfHost;
        _bits = bits;
        _words = words;
    }

    /// <summary>The management catalog.</summary>
    public CpuCatalog Catalog { get; }

    /// <summary>The models (columns), in catalog order (oldest first).</summary>
    public ImmutableArray<CpuModel> Models { get; }

    /// <summary>The number of hosts (rows).</summary>
    public int HostCount => _rowOfHost.Length;

    /// <summary>The number of distinct host feature sets.</summary>
    public int DistinctHosts => _rows.Length;

    /// <summary>Computes the matrix.</summary>
    /// <param name="catalog">The management catalog.</param>
    /// <param name="hosts">Each host's effective feature set, or null when its CPU is unknown.</param>
    /// <returns>The matrix.</returns>
    public static UsabilityMatrix Compute(CpuCatalog catalog, IReadOnlyList<FeatureSet?> hosts)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(hosts);
        var models = catalog.Models;
        var index = new Dictionary<FeatureSet, int>();
        var rows = new List<FeatureSet>();
        var known = new List<bool>();
        var rowOfHost = new int[hosts.Count];
        var unknownRow = -1;
        for (var i = 0; i < hosts.Count; i++)
        {
            if (hosts[i] is not { } h)
            {
                if (unknownRow < 0)
                {
                    unknownRow = rows.Count;
                    rows.Add(FeatureSet.Empty);
                    known.Add(false);
                }

                rowOfHost[i] = unknownRow;
                continue;
            }

            if (!index.TryGetValue(h, out var r))
            {
                r = rows.Count;
                index.Add(h, r);
                rows.Add(h);
                known.Add(true);
            }

            rowOfHost[i] = r;
        }

        var words = (models.Length + 63) / 64;
        var bits = new ulong[rows.Count * words];
        var features = models.Select(m => m.Features).ToArray();
        var rowArray = rows.ToArray();
        var knownArray = known.ToArray();
        Parallel.For(0, rowArray.Length, r =>
        {
            if (!knownArray[r])
            {
                return;
            }

            var h = rowArray[r];
            var offset = r * words;
            for (var m = 0; m < features.Length; m++)
            {
                if (h.ContainsAll(features[m]))
                {
                    bits[offset + (m >> 6)] |= 1UL << (m & 63);
                }
            }
        });
        return new UsabilityMatrix(catalog, models, rowArray, knownArray, rowOfHost, bits, words);
    }

    /// <summary>Whether a model is usable on a host.</summary>
    /// <param name="host">The host index.</param>
    /// <param name="model">The model index (catalog order).</param>
    /// <returns>True when compare says identical or superset.</returns>
    public bool IsUsable(int host, int model) => (_bits[(_rowOfHost[host] * _words) + (model >> 6)] & (1UL << (model & 63))) != 0;

    /// <summary>Whether the host's CPU is known (decoded).</summary>
    /// <param name="host">The host index.</param>
    /// <returns>False for hosts compare sees as "unknown host CPU".</returns>
    public bool IsKnown(int host) => _known[_rowOfHost[host]];

    /// <summary>The features of a model the host lacks (compare's "does not provide required features").</summary>
    /// <param name="host">The host index.</param>
    /// <param name="model">The model index.</param>
    /// <returns>The missing features (empty when usable, or when the host is unknown).</returns>
    public FeatureSet Blockers(int host, int model)
    {
        var r = _rowOfHost[host];
        return _known[r] ? Models[model].Features - _rows[r] : FeatureSet.Empty;
    }

    /// <summary>The names of the blockers, in catalog order.</summary>
    /// <param name="host">The host index.</param>
    /// <param name="model">The model index.</param>
    /// <returns>The names.</returns>
    public IEnumerable<string> BlockerNames(int host, int model) => Catalog.NamesOf(Blockers(host, model));

    /// <summary>The row (distinct feature set) of a host: hosts with the same row have identical cells.</summary>
    /// <param name="host">The host index.</param>
    /// <returns>The row index.</returns>
    public int RowOf(int host) => _rowOfHost[host];

    /// <summary>The models usable on a host, by index.</summary>
    /// <param name="host">The host index.</param>
    /// <returns>The model indices, in catalog order.</returns>
    public IEnumerable<int> UsableModels(int host)
    {
        for (var m = 0; m < Models.Length; m++)
        {
            if (IsUsable(host, m))
            {
                yield return m;
            }
        }
    }
}
