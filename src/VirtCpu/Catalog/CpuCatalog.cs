using System.Collections.Immutable;

namespace VirtCpu.Catalog;

/// <summary>
/// A management catalog: vendors, features and models in their defining order, indexed for
/// look-up by name. Immutable once built; every <see cref="FeatureSet"/> of its models is indexed by
/// <see cref="Features"/> order. (libvirt calls this the CPU map.)
/// </summary>
public sealed class CpuCatalog
{
    private readonly Dictionary<string, Vendor> _vendorsByName;
    private readonly Dictionary<string, Feature> _featuresByName;
    private readonly Dictionary<string, CpuModel> _modelsByName;

    private CpuCatalog(string name, ImmutableArray<Vendor> vendors, ImmutableArray<Feature> features, ImmutableArray<CpuModel> models)
    {
        // Plain loops and dictionaries: a built-in catalog must load in a few milliseconds.
        Name = name;
        Vendors = vendors;
        Features = features;
        Models = models;
        _vendorsByName = new Dictionary<string, Vendor>(vendors.Length, StringComparer.Ordinal);
        foreach (var v in vendors)
        {
            _vendorsByName.Add(v.Name, v);
        }

        _featuresByName = new Dictionary<string, Feature>(features.Length, StringComparer.Ordinal);
        var keySet = new HashSet<CpuDataKey>();
        var all = FeatureSet.Empty;
        var nonMigratable = FeatureSet.Empty;
        foreach (var f in features)
        {
            _featuresByName.Add(f.Name, f);
            keySet.Add(f.Bits[0].Key);
            all = all.With(f.Index);
            if (!f.Migratable)
            {
                nonMigratable = nonMigratable.With(f.Index);
            }
        }

        _modelsByName = new Dictionary<string, CpuModel>(models.Length, StringComparer.Ordinal);
        foreach (var m in models)
        {
            _modelsByName.Add(m.Name, m);
        }

        All = all;
        NonMigratable = nonMigratable;

        var keys = keySet.ToArray();
        Array.Sort(keys);
        var itemIndex = new Dictionary<CpuDataKey, int>(keys.Length);
        for (var i = 0; i < keys.Length; i++)
        {
            itemIndex.Add(keys[i], i);
        }

        var masks = new FeatureSet[keys.Length];
        foreach (var f in features)
        {
            var item = itemIndex[f.Bits[0].Key];
            masks[item] = masks[item].With(f.Index);
        }

        ItemKeys = [.. keys];
        ItemMasks = [.. masks];
    }

    /// <summary>The catalog's name (<c>libvirt-11.3</c>).</summary>
    public string Name { get; }

    /// <summary>The vendors, in definition order.</summary>
    public ImmutableArray<Vendor> Vendors { get; }

    /// <summary>The features, in definition order; <see cref="Feature.Index"/> is the position here.</summary>
    public ImmutableArray<Feature> Features { get; }

    /// <summary>The models, in definition order; <see cref="CpuModel.Index"/> is the position here.</summary>
    public ImmutableArray<CpuModel> Models { get; }

    /// <summary>Every feature of the catalog.</summary>
    public FeatureSet All { get; }

    /// <summary>The features that block migration (<c>migratable='no'</c>).</summary>
    public FeatureSet NonMigratable { get; }

    /// <summary>The distinct CPU data items (CPUID leaves, MSRs) that features live in, sorted.</summary>
    public ImmutableArray<CpuDataKey> ItemKeys { get; }

    /// <summary>For each entry of <see cref="ItemKeys"/>, the features that live in that item.</summary>
    public ImmutableArray<FeatureSet> ItemMasks { get; }

    /// <summary>Builds a catalog, checking names and references.</summary>
    /// <param name="name">The catalog's name.</param>
    /// <param name="vendors">The vendors.</param>
    /// <param name="features">The features; their order defines feature indices.</param>
    /// <param name="models">The models, whose feature sets use the indices of <paramref name="features"/>.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="CatalogException">A name is duplicated, a reference is unknown, or the catalog is too large.</exception>
    public static CpuCatalog Create(string name, IEnumerable<Vendor> vendors, IEnumerable<Feature> features, IEnumerable<CpuModel> models)
    {
        ArgumentNullException.ThrowIfNull(vendors);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(models);
        var vendorList = vendors.ToImmutableArray();
        CheckUnique(vendorList.Select(v => v.Name), "vendor");
        CheckUnique(vendorList.Select(v => v.CpuidString), "vendor string");

        var featureList = features.Select((f, i) => f with { Index = i }).ToImmutableArray();
        CheckUnique(featureList.Select(f => f.Name), "feature");
        if (featureList.Length > FeatureSet.Capacity)
        {
            throw new CatalogException($"{featureList.Length} features: a catalog holds at most {FeatureSet.Capacity}");
        }

        CheckDisjointBits(featureList);

        var modelList = models.Select((m, i) => m with { Index = i, Canonical = null }).ToList();
        CheckUnique(modelList.Select(m => m.Name), "model");
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        var allFeatures = FeatureSet.Empty;
        for (var i = 0; i < featureList.Length; i++)
        {
            allFeatures = allFeatures.With(i);
        }

        for (var i = 0; i < modelList.Count; i++)
        {
            var m = modelList[i];
            if (m.Vendor is not null && !vendorList.Contains(m.Vendor))
            {
                throw new CatalogException($"model {m.Name}: unknown vendor {m.Vendor.Name}");
            }

            foreach (var f in m.RemovedFeatures.Concat(m.AddedFeatures))
            {
                if ((uint)f >= (uint)featureList.Length)
                {
                    throw new CatalogException($"model {m.Name}: feature index {f} out of range");
                }
            }

            if (!allFeatures.ContainsAll(m.Features))
            {
                throw new CatalogException($"model {m.Name}: feature set names features the catalog does not define");
            }

            if (m.Ancestor is not null)
            {
                if (!byName.TryGetValue(m.Ancestor, out var a))
                {
                    throw new CatalogException($"model {m.Name}: ancestor {m.Ancestor} must be defined before it");
                }

                if (m.IsAlias)
                {
                    if (modelList[a].Canonical is not null)
                    {
                        throw new CatalogException($"model {m.Ancestor} already has canonical model {modelList[a].Canonical}; {m.Name} cannot be another");
                    }

                    modelList[a] = modelList[a] with { Canonical = m.Name };
                }
            }
            else if (m.IsAlias)
            {
                throw new CatalogException($"model {m.Name}: an alias needs an ancestor");
            }

            byName[m.Name] = i;
        }

        return new CpuCatalog(name, vendorList, featureList, [.. modelList]);
    }

    /// <summary>Finds a vendor by short name.</summary>
    /// <param name="name">The name (<c>Intel</c>).</param>
    /// <returns>The vendor, or null.</returns>
    public Vendor? FindVendor(string name) => _vendorsByName.GetValueOrDefault(name);

    /// <summary>Finds a vendor by its 12-character CPUID string.</summary>
    /// <param name="cpuidString">The string (<c>GenuineIntel</c>).</param>
    /// <returns>The vendor, or null.</returns>
    public Vendor? FindVendorByCpuidString(string cpuidString)
    {
        foreach (var v in Vendors)
        {
            if (string.Equals(v.CpuidString, cpuidString, StringComparison.Ordinal))
            {
                return v;
            }
        }

        return null;
    }

    /// <summary>Finds a feature by canonical name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The feature, or null.</returns>
    public Feature? FindFeature(string name) => _featuresByName.GetValueOrDefault(name);

    /// <summary>Finds a model by name (case-sensitive).</summary>
    /// <param name="name">The name.</param>
    /// <returns>The model, or null.</returns>
    public CpuModel? FindModel(string name) => _modelsByName.GetValueOrDefault(name);

    /// <summary>The names of a set's features, in catalog order.</summary>
    /// <param name="set">The set.</param>
    /// <returns>The names.</returns>
    public IEnumerable<string> NamesOf(FeatureSet set)
    {
        foreach (var i in set)
        {
            yield return Features[i].Name;
        }
    }

    /// <summary>The set of the named features; unknown names are skipped.</summary>
    /// <param name="names">Feature names.</param>
    /// <returns>The set.</returns>
    public FeatureSet SetOf(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var set = FeatureSet.Empty;
        foreach (var n in names)
        {
            if (FindFeature(n) is { } f)
            {
                set = set.With(f.Index);
            }
        }

        return set;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    private static void CheckUnique(IEnumerable<string> names, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in names)
        {
            if (!seen.Add(n))
            {
                throw new CatalogException($"duplicate {what} {n}");
            }
        }
    }

    private static void CheckDisjointBits(ImmutableArray<Feature> features)
    {
        var owner = new Dictionary<(CpuDataKey, CpuRegister), (uint Mask, string Name)>();
        foreach (var f in features)
        {
            var key = f.Bits[0].Key;
            foreach (var b in f.Bits)
            {
                if (b.Key != key)
                {
                    throw new CatalogException($"feature {f.Name} spans more than one CPUID leaf or MSR, which VirtCpu does not support");
                }

                if (owner.TryGetValue((b.Key, b.Register), out var prev) && (prev.Mask & b.Mask) != 0)
                {
                    throw new CatalogException($"features {prev.Name} and {f.Name} share a bit of {b.Key} {b.Register}, which VirtCpu does not support");
                }

                owner[(b.Key, b.Register)] = ((prev.Mask | b.Mask), f.Name);
            }
        }
    }
}
