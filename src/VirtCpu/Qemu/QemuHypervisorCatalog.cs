using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using VirtCpu.Catalog;

namespace VirtCpu.Qemu;

/// <summary>
/// A hypervisor catalog: QEMU's x86 CPU model table for one QEMU release (<c>qemu-10.0</c>): the
/// feature words and their named bits, the feature dependency table, and the base models with
/// their versions. Immutable once built; every <see cref="FeatureSet"/> it hands out is indexed by
/// <see cref="Features"/> order.
/// </summary>
public sealed class QemuHypervisorCatalog
{
    private readonly FrozenDictionary<string, QemuFeature> _featuresByName;
    private readonly FrozenDictionary<string, QemuBaseModel> _modelsByName;
    private readonly FrozenDictionary<string, QemuModelVersion> _aliases;
    private readonly FrozenDictionary<string, QemuFeatureWord> _wordsByName;

    private QemuHypervisorCatalog(string name, Version qemuVersion, ImmutableArray<QemuFeatureWord> words, ImmutableArray<QemuFeature> features, ImmutableArray<QemuFeatureDependency> dependencies, ImmutableArray<QemuBaseModel> models, FrozenDictionary<string, QemuFeature> featuresByName)
    {
        Name = name;
        QemuVersion = qemuVersion;
        Words = words;
        Features = features;
        Dependencies = dependencies;
        Models = models;
        _featuresByName = featuresByName;
        _wordsByName = words.ToFrozenDictionary(w => w.Name, StringComparer.Ordinal);
        _modelsByName = models.ToFrozenDictionary(m => m.Name, StringComparer.Ordinal);
        _aliases = models.SelectMany(m => m.Versions).Where(v => v.Alias is not null).ToFrozenDictionary(v => v.Alias!, StringComparer.Ordinal);
        All = FeatureSet.Of(features.Select(f => f.Index));
        Tcg = FeatureSet.Of(features.Where(f => f.Tcg).Select(f => f.Index));
        KvmWord = words.FirstOrDefault(w => w.Kind == CpuDataKind.Cpuid && w.Index == 0x40000001 && w.Register == CpuRegister.Eax);
        KvmFeatures = FeatureSet.Of(features.Where(f => f.Word == KvmWord).Select(f => f.Index));
    }

    /// <summary>The catalog's name (<c>qemu-10.0</c>).</summary>
    public string Name { get; }

    /// <summary>The QEMU release the table comes from (major.minor).</summary>
    public Version QemuVersion { get; }

    /// <summary>The feature words, in table order.</summary>
    public ImmutableArray<QemuFeatureWord> Words { get; }

    /// <summary>The named features in table order; <see cref="QemuFeature.Index"/> is the position here.</summary>
    public ImmutableArray<QemuFeature> Features { get; }

    /// <summary>QEMU's <c>feature_dependencies[]</c>, in table order.</summary>
    public ImmutableArray<QemuFeatureDependency> Dependencies { get; }

    /// <summary>The base models, in table order.</summary>
    public ImmutableArray<QemuBaseModel> Models { get; }

    /// <summary>
    /// The versioned PC machine types of the release (<c>pc-i440fx-X.Y</c>, <c>pc-q35-X.Y</c>,
    /// <c>pc-q35-4.0.1</c>), oldest first, i440fx then q35; empty when the catalog does not know them
    /// (a table import), and the machine types then follow the rules of docs/design.md#61-versions-and-resolution.
    /// </summary>
    public ImmutableArray<string> MachineTypes { get; private init; } = [];

    /// <summary>
    /// The CPU compat properties of the PC machine types (<c>hw/i386/pc.c</c> <c>pc_compat_X_Y[]</c>),
    /// newest array first, each array in source order, restricted to what shapes the guest-visible
    /// model (features, family/model/stepping, model-id, CPUID levels).
    /// </summary>
    public ImmutableArray<QemuCompatProperty> CompatProperties { get; private init; } = [];

    /// <summary>
    /// Where the catalog's data comes from, one line each, when its import says more than the
    /// release (a binary import: the binary, its version, what was inherited from which catalog).
    /// </summary>
    public ImmutableArray<string> Provenance { get; private init; } = [];

    /// <summary>The same catalog with machine-type data.</summary>
    /// <param name="machineTypes">The versioned PC machine types (see <see cref="MachineTypes"/>).</param>
    /// <param name="compatProperties">The CPU compat properties (see <see cref="CompatProperties"/>).</param>
    /// <returns>The catalog.</returns>
    public QemuHypervisorCatalog WithMachineData(IEnumerable<string> machineTypes, IEnumerable<QemuCompatProperty> compatProperties) =>
        new(Name, QemuVersion, Words, Features, Dependencies, Models, _featuresByName)
        {
            MachineTypes = [.. machineTypes],
            CompatProperties = [.. compatProperties],
            Provenance = Provenance,
        };

    /// <summary>The same catalog with provenance lines (see <see cref="Provenance"/>).</summary>
    /// <param name="provenance">The lines.</param>
    /// <returns>The catalog.</returns>
    public QemuHypervisorCatalog WithProvenance(IEnumerable<string> provenance) =>
        new(Name, QemuVersion, Words, Features, Dependencies, Models, _featuresByName)
        {
            MachineTypes = MachineTypes,
            CompatProperties = CompatProperties,
            Provenance = [.. provenance],
        };

    /// <summary>Every named feature.</summary>
    public FeatureSet All { get; }

    /// <summary>The features TCG can provide (the <c>tcg_features</c> masks).</summary>
    public FeatureSet Tcg { get; }

    /// <summary>The KVM paravirtual word (CPUID 0x40000001 EAX), or null when the table has none.</summary>
    public QemuFeatureWord? KvmWord { get; }

    /// <summary>The named features of the KVM paravirtual word.</summary>
    public FeatureSet KvmFeatures { get; }

    /// <summary>
    /// Every CPU model name the table registers: each unversioned base name, each <c>X-vN</c>
    /// and each alias, sorted ordinally (<c>max</c>, <c>host</c>, <c>base</c> are not table models).
    /// </summary>
    public IEnumerable<string> ModelNames =>
        Models.SelectMany(m => m.Versions.Select(v => v.Name).Prepend(m.Name)).Concat(_aliases.Keys).Order(StringComparer.Ordinal);

    /// <summary>Builds and validates a catalog, and resolves every version's definition.</summary>
    /// <param name="name">The catalog name.</param>
    /// <param name="qemuVersion">The QEMU release.</param>
    /// <param name="words">The feature words, in table order.</param>
    /// <param name="features">The named features, in table order (at most <see cref="FeatureSet.Capacity"/>).</param>
    /// <param name="dependencies">The dependency table, in order.</param>
    /// <param name="models">The base models, in table order.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="CatalogException">When the parts are inconsistent.</exception>
    public static QemuHypervisorCatalog Create(string name, Version qemuVersion, IEnumerable<QemuFeatureWord> words, IEnumerable<QemuFeature> features, IEnumerable<QemuFeatureDependency> dependencies, IEnumerable<QemuBaseModel> models)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(qemuVersion);
        var w = words.ToImmutableArray();
        var f = features.ToImmutableArray();
        var d = dependencies.ToImmutableArray();
        var m = models.ToImmutableArray();
        if (f.Length > FeatureSet.Capacity)
        {
            throw new CatalogException($"{name}: {f.Length} features, more than the {FeatureSet.Capacity} a catalog may hold");
        }

        var wordSet = NumberWords(name, w);
        var frozen = IndexFeatures(name, f, wordSet, w.Length);
        foreach (var dep in d)
        {
            if (!wordSet.Contains(dep.From) || !wordSet.Contains(dep.To))
            {
                throw new CatalogException($"{name}: dependency {dep} names a word the catalog does not define");
            }
        }

        ResolveModels(name, m, w, frozen);
        return new QemuHypervisorCatalog(name, qemuVersion, w, f, d, m, frozen);
    }

    /// <summary>Numbers the feature words in table order; a word given twice (or two words of one name) is an error.</summary>
    private static HashSet<QemuFeatureWord> NumberWords(string name, ImmutableArray<QemuFeatureWord> w)
    {
        var wordSet = new HashSet<QemuFeatureWord>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < w.Length; i++)
        {
            if (!wordSet.Add(w[i]) || w.Take(i).Any(o => o.Name == w[i].Name))
            {
                throw new CatalogException($"{name}: feature word {w[i].Name} is defined twice");
            }

            w[i].Number = i;
        }

        return wordSet;
    }

    /// <summary>Numbers the features in table order and indexes every spelling (name and aliases); each bit and spelling is named once, in a defined word.</summary>
    private static FrozenDictionary<string, QemuFeature> IndexFeatures(string name, ImmutableArray<QemuFeature> f, HashSet<QemuFeatureWord> wordSet, int wordCount)
    {
        var byName = new Dictionary<string, QemuFeature>(StringComparer.Ordinal);
        var used = new ulong[wordCount];
        for (var i = 0; i < f.Length; i++)
        {
            var feature = f[i];
            if (!wordSet.Contains(feature.Word))
            {
                throw new CatalogException($"{name}: feature {feature.Name} lives in a word the catalog does not define");
            }

            if ((used[feature.Word.Number] & feature.Mask) != 0)
            {
                throw new CatalogException($"{name}: feature {feature.Name} reuses a bit of {feature.Word.Name} already named");
            }

            used[feature.Word.Number] |= feature.Mask;
            foreach (var spelling in feature.Aliases.Prepend(feature.Name))
            {
                if (!byName.TryAdd(spelling, feature))
                {
                    throw new CatalogException($"{name}: feature name {spelling} is defined twice");
                }
            }

            feature.Index = i;
        }

        return byName.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Numbers the base models, checks that every name is unique, and resolves each version's definition (cumulative props, cache info).</summary>
    private static void ResolveModels(string name, ImmutableArray<QemuBaseModel> m, ImmutableArray<QemuFeatureWord> w, FrozenDictionary<string, QemuFeature> frozen)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < m.Length; i++)
        {
            var model = m[i];
            model.Index = i;
            CheckDefinition(name, model.Name, model.Definition, w);
            if (!names.Add(model.Name))
            {
                throw new CatalogException($"{name}: model {model.Name} is defined twice");
            }

            var def = model.Definition;
            foreach (var version in model.Versions)
            {
                version.BaseName = model.Name;
                if (!names.Add(version.Name) || (version.Alias is not null && !names.Add(version.Alias)))
                {
                    throw new CatalogException($"{name}: model name {version.Alias ?? version.Name} is defined twice");
                }

                foreach (var prop in version.Props)
                {
                    def = ApplyProp(name, version.Name, def, prop, frozen);
                }

                if (version.CacheInfo is not null)
                {
                    def = def with { CacheInfo = version.CacheInfo };
                }

                version.Definition = def;
            }
        }
    }

    /// <summary>Looks up a feature by canonical name or registered alias.</summary>
    /// <param name="nameOrAlias">A QEMU feature spelling.</param>
    /// <returns>The feature, or null.</returns>
    public QemuFeature? Feature(string nameOrAlias) => _featuresByName.GetValueOrDefault(nameOrAlias);

    /// <summary>Looks up a feature word by QEMU's enum name.</summary>
    /// <param name="wordName">The name (<c>FEAT_1_ECX</c>).</param>
    /// <returns>The word, or null.</returns>
    public QemuFeatureWord? Word(string wordName) => _wordsByName.GetValueOrDefault(wordName);

    /// <summary>Looks up a base model by its unversioned name.</summary>
    /// <param name="baseName">The base name.</param>
    /// <returns>The model, or null.</returns>
    public QemuBaseModel? Model(string baseName) => _modelsByName.GetValueOrDefault(baseName);

    /// <summary>Looks up the version an alias name is fixed to (<c>EPYC-IBPB</c>).</summary>
    /// <param name="alias">The alias name.</param>
    /// <returns>The version, or null.</returns>
    public QemuModelVersion? Alias(string alias) => _aliases.GetValueOrDefault(alias);

    /// <summary>The set of the named features, from canonical names or aliases.</summary>
    /// <param name="names">Feature spellings.</param>
    /// <returns>The set.</returns>
    /// <exception cref="InputException">When a name is unknown.</exception>
    public FeatureSet SetOf(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var set = FeatureSet.Empty;
        foreach (var n in names)
        {
            set = set.With((Feature(n) ?? throw new InputException(null, $"{Name} has no CPU feature '{n}'")).Index);
        }

        return set;
    }

    /// <summary>The canonical names of a set, in catalog order.</summary>
    /// <param name="set">A set indexed by this catalog.</param>
    /// <returns>The names.</returns>
    public IEnumerable<string> NamesOf(FeatureSet set)
    {
        foreach (var i in set)
        {
            yield return Features[i].Name;
        }
    }

    /// <summary>
    /// One canonical text per model version (<c>X-vN</c>), for fingerprinting in a catalog lock:
    /// vendor, family/model/stepping, model-id, levels, AVX10 version, cache set, the feature names in
    /// catalog order with their bit positions, and the unnamed bits. Two versions with the same text
    /// load the same CPU definition.
    /// </summary>
    /// <returns>(model version name, text) pairs in table order.</returns>
    public IEnumerable<(string Model, string CanonicalText)> CanonicalModelTexts()
    {
        foreach (var model in Models)
        {
            foreach (var version in model.Versions)
            {
                yield return (version.Name, CanonicalText(version.Name, version.Definition));
            }
        }
    }

    private string CanonicalText(string modelName, QemuModelDefinition def)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"qemu-model {modelName}\n");
        sb.Append(CultureInfo.InvariantCulture, $"vendor {def.Vendor}\n");
        sb.Append(CultureInfo.InvariantCulture, $"family {def.Family}\nmodel {def.Model}\nstepping {def.Stepping}\n");
        sb.Append(CultureInfo.InvariantCulture, $"model-id {def.ModelId}\n");
        sb.Append(CultureInfo.InvariantCulture, $"level 0x{def.Level:x}\nxlevel 0x{def.XLevel:x}\navx10-version {def.Avx10Version}\n");
        sb.Append(CultureInfo.InvariantCulture, $"cache-info {def.CacheInfo ?? "legacy"}\n");
        foreach (var i in def.Features)
        {
            var f = Features[i];
            sb.Append(CultureInfo.InvariantCulture, $"feature {f.Name} {f.Word.Name} {string.Join(',', f.Bits)}\n");
        }

        foreach (var b in def.UnnamedBits)
        {
            sb.Append(CultureInfo.InvariantCulture, $"unnamed {b.Word} {b.Bit}\n");
        }

        return sb.ToString();
    }

    private static void CheckDefinition(string catalog, string model, QemuModelDefinition def, ImmutableArray<QemuFeatureWord> words)
    {
        if (def.Vendor.Length != 12)
        {
            throw new CatalogException($"{catalog}: model {model}: vendor '{def.Vendor}' is not 12 characters");
        }

        foreach (var b in def.UnnamedBits)
        {
            var word = words.FirstOrDefault(x => x.Name == b.Word) ?? throw new CatalogException($"{catalog}: model {model}: unnamed bit in unknown word {b.Word}");
            if (b.Bit < 0 || b.Bit >= word.Width)
            {
                throw new CatalogException($"{catalog}: model {model}: unnamed bit {b} is outside its word");
            }
        }
    }

    private static QemuModelDefinition ApplyProp(string catalog, string model, QemuModelDefinition def, QemuProp prop, FrozenDictionary<string, QemuFeature> features)
    {
        if (features.TryGetValue(prop.Name, out var feature))
        {
            return QemuPropValues.ParseSwitch(prop.Value) switch
            {
                true => def with { Features = def.Features.With(feature.Index) },
                false => def with { Features = def.Features.Without(feature.Index) },
                null => throw new CatalogException($"{catalog}: model {model}: prop {prop} is not on/off"),
            };
        }

        var number = QemuPropValues.ParseNumber(prop.Value);
        return prop.Name switch
        {
            "model-id" => def with { ModelId = prop.Value },
            "vendor" => def with { Vendor = prop.Value },
            "family" when number is { } n => def with { Family = (int)n },
            "model" when number is { } n => def with { Model = (int)n },
            "stepping" when number is { } n => def with { Stepping = (int)n },
            "avx10-version" when number is { } n => def with { Avx10Version = (int)n },
            "level" or "min-level" when number is { } n => def with { Level = (uint)n },
            "xlevel" or "min-xlevel" when number is { } n => def with { XLevel = (uint)n },

            // QEMU's x- knobs (x-force-cpuid-0x1f, 10.1 and later) shape topology leaves, not the model's features or signature.
            _ when prop.Name.StartsWith("x-", StringComparison.Ordinal) => def,
            _ => throw new CatalogException($"{catalog}: model {model}: prop {prop} names no feature or known property"),
        };
    }
}
