using System.Collections.Immutable;
using System.Globalization;
using VirtCpu.Catalog;
using VirtCpu.Formats.Input;
using VirtCpu.Qemu;

namespace VirtCpu.Formats.QemuData;

/// <summary>
/// Reads a QEMU model table extracted as <c>features.tsv</c> + <c>models.tsv</c> (the layout of
/// <c>shared/reference/qemu-*</c>) into a <see cref="QemuHypervisorCatalog"/>.
/// </summary>
/// <remarks>
/// <para>The base definition of a model is its v1 row (no v1 has props). Each version keeps only its
/// own <c>version_props</c>; the catalog derives the cumulative definition, and the importer checks
/// that derivation against the TSV's after-props columns (features, vendor, family, model, stepping,
/// model-id, levels, AVX10 version, cache set, unnamed bits), so a wrong prop chain cannot be
/// imported silently.</para>
/// <para>The dependency table is QEMU's <c>feature_dependencies[]</c> in source order (see
/// <see cref="QemuDependencyTable"/>); an entry is kept when the TSV's notes show it ("cleared at
/// expansion unless X is set"), and every such note must be covered by a kept entry.</para>
/// </remarks>
public static class QemuTsvImporter
{
    /// <summary>Imports a directory holding <c>features.tsv</c> and <c>models.tsv</c>.</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="name">The catalog name, or null for <c>qemu-</c> + the directory's version suffix.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="InputException">When a file is missing or malformed.</exception>
    public static QemuHypervisorCatalog ImportDirectory(string directory, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var features = Path.Combine(directory, "features.tsv");
        var models = Path.Combine(directory, "models.tsv");
        foreach (var f in new[] { features, models })
        {
            if (!File.Exists(f))
            {
                throw new InputException(f, "file not found (import-qemu needs features.tsv and models.tsv)");
            }
        }

        var dirName = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        name ??= dirName.StartsWith("qemu-", StringComparison.Ordinal) ? dirName : "qemu-" + dirName;
        var versionText = name.StartsWith("qemu-", StringComparison.Ordinal) ? name[5..] : name;
        if (!Version.TryParse(versionText, out var version))
        {
            throw new InputException(directory, $"cannot tell the QEMU version from the name '{name}' (use --name qemu-X.Y)");
        }

        return Import(name, version, features, Lines(InputFile.ReadAllText(features)), models, Lines(InputFile.ReadAllText(models)));
    }

    private static string[] Lines(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        return lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : lines;
    }

    /// <summary>Imports the two tables from their lines.</summary>
    /// <param name="name">The catalog name.</param>
    /// <param name="qemuVersion">The QEMU release.</param>
    /// <param name="featuresFile">The features file name (for messages).</param>
    /// <param name="featureLines">The lines of <c>features.tsv</c>.</param>
    /// <param name="modelsFile">The models file name (for messages).</param>
    /// <param name="modelLines">The lines of <c>models.tsv</c>.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="InputException">When a table is malformed or inconsistent.</exception>
    public static QemuHypervisorCatalog Import(string name, Version qemuVersion, string featuresFile, IReadOnlyList<string> featureLines, string modelsFile, IReadOnlyList<string> modelLines)
    {
        ArgumentNullException.ThrowIfNull(featureLines);
        ArgumentNullException.ThrowIfNull(modelLines);
        var (words, features, notes) = ReadFeatures(featuresFile, featureLines);
        var dependencies = QemuDependencyTable.Select(featuresFile, words, features, notes);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < features.Count; i++)
        {
            foreach (var spelling in features[i].Aliases.Prepend(features[i].Name))
            {
                index.TryAdd(spelling, i);
            }
        }

        var (models, rows) = ReadModels(modelsFile, modelLines, index);
        QemuHypervisorCatalog catalog;
        try
        {
            catalog = QemuHypervisorCatalog.Create(name, qemuVersion, words, features, dependencies, models);
        }
        catch (CatalogException e)
        {
            throw new InputException(modelsFile, e.Message, e);
        }

        foreach (var row in rows)
        {
            var version = catalog.Model(row.Base)!.Version(row.Version)!;
            var expected = row.ToDefinition(catalog, modelsFile);
            if (!expected.Equals(version.Definition))
            {
                throw new InputException(modelsFile, $"line {row.Line}: {version.Name}: applying the props of v1..v{row.Version} to the base definition does not give the row's values ({Difference(catalog, expected, version.Definition)})");
            }
        }

        return catalog;
    }

    private static string Difference(QemuHypervisorCatalog catalog, QemuModelDefinition expected, QemuModelDefinition actual)
    {
        var missing = string.Join(' ', catalog.NamesOf(expected.Features - actual.Features));
        var extra = string.Join(' ', catalog.NamesOf(actual.Features - expected.Features));
        return $"row has [{missing}] beyond the derived set, derived has [{extra}] beyond the row; row {expected.Family}/{expected.Model}/{expected.Stepping} '{expected.ModelId}', derived {actual.Family}/{actual.Model}/{actual.Stepping} '{actual.ModelId}'";
    }

    private static (List<QemuFeatureWord> Words, List<QemuFeature> Features, Dictionary<string, List<string>> Notes) ReadFeatures(string file, IReadOnlyList<string> lines)
    {
        var table = Tsv.Read(file, lines, "name", "aliases", "kind", "eax_in", "ecx_in", "register", "bit", "migratable", "note", "qemu_word");
        var words = new List<QemuFeatureWord>();
        var wordByName = new Dictionary<string, QemuFeatureWord>(StringComparer.Ordinal);
        var order = new List<string>();
        var rowsByName = new Dictionary<string, List<Tsv.Row>>(StringComparer.Ordinal);
        foreach (var row in table)
        {
            var word = ReadWord(row);
            var wordName = word.Name;
            if (wordByName.TryGetValue(wordName, out var known))
            {
                if (known.Kind != word.Kind || known.Index != word.Index || known.Subleaf != word.Subleaf || known.Register != word.Register)
                {
                    throw row.Error($"word {wordName} has another location than on an earlier line");
                }
            }
            else
            {
                wordByName.Add(wordName, word);
                words.Add(word);
            }

            var name = row["name"];
            if (!rowsByName.TryGetValue(name, out var list))
            {
                rowsByName.Add(name, list = []);
                order.Add(name);
            }

            list.Add(row);
        }

        var (features, notes) = GroupFeatures(order, rowsByName, wordByName);
        return (words, features, notes);
    }

    /// <summary>A row's feature word: a CPUID leaf, subleaf and register, or an MSR index.</summary>
    private static QemuFeatureWord ReadWord(Tsv.Row row)
    {
        var kind = row["kind"] switch
        {
            "cpuid" => CpuDataKind.Cpuid,
            "msr" => CpuDataKind.Msr,
            var k => throw row.Error($"kind '{k}' is neither cpuid nor msr"),
        };
        var wordName = row["qemu_word"];
        if (kind != CpuDataKind.Cpuid)
        {
            return new QemuFeatureWord(wordName, kind, row.Hex("register"), null, CpuRegister.Eax);
        }

        var register = row["register"] switch
        {
            "eax" => CpuRegister.Eax,
            "ebx" => CpuRegister.Ebx,
            "ecx" => CpuRegister.Ecx,
            "edx" => CpuRegister.Edx,
            var r => throw row.Error($"register '{r}' is not eax/ebx/ecx/edx"),
        };
        uint? subleaf = row["ecx_in"].Length == 0 ? null : row.Hex("ecx_in");
        return new QemuFeatureWord(wordName, kind, row.Hex("eax_in"), subleaf, register);
    }

    /// <summary>One feature a name (its rows are its bits), in first-row order, with its notes.</summary>
    private static (List<QemuFeature> Features, Dictionary<string, List<string>> Notes) GroupFeatures(List<string> order, Dictionary<string, List<Tsv.Row>> rowsByName, Dictionary<string, QemuFeatureWord> wordByName)
    {
        var features = new List<QemuFeature>();
        var notes = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var name in order)
        {
            var rows = rowsByName[name];
            var first = rows[0];
            var word = wordByName[first["qemu_word"]];
            if (rows.Any(r => r["qemu_word"] != word.Name))
            {
                throw rows[^1].Error($"feature {name} spans two words");
            }

            var bits = rows.Select(r => r.Int("bit")).ToImmutableArray();
            var aliases = first["aliases"].Length == 0 ? [] : first["aliases"].Split(',').Select(a => a.Trim()).ToImmutableArray();
            var noteParts = rows.SelectMany(r => r["note"].Split(';')).Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
            var migratable = rows.All(r => r["migratable"] != "no");
            var tcg = noteParts.Contains("available under TCG (tcg_features mask)");
            var autoEnable = !noteParts.Contains("not auto-enabled by -cpu host/max");
            try
            {
                features.Add(new QemuFeature(name, word, bits, aliases, migratable, tcg, autoEnable));
            }
            catch (Exception e) when (e is CatalogException or ArgumentException)
            {
                throw first.Error(e.Message);
            }

            notes[name] = noteParts;
        }

        return (features, notes);
    }

    private static (List<QemuBaseModel> Models, List<ModelRow> Rows) ReadModels(string file, IReadOnlyList<string> lines, Dictionary<string, int> featureIndex)
    {
        var table = Tsv.Read(file, lines, "base", "version", "name", "alias", "vendor", "family", "model", "stepping", "model_id", "features", "features_off", "level", "xlevel", "note", "version_props", "cache_info", "avx10_version", "unnamed_bits");
        var rows = table.Select(r => new ModelRow(r)).ToList();
        var models = new List<QemuBaseModel>();
        foreach (var group in rows.GroupBy(r => r.Base, StringComparer.Ordinal))
        {
            var versions = group.ToList();
            var v1 = versions[0];
            if (v1.Version != 1 || v1.Props.Length != 0)
            {
                throw v1.Source.Error($"{group.Key}: the first row must be v1 without props (it is the base definition)");
            }

            if (v1.Name != $"{group.Key}-v1")
            {
                throw v1.Source.Error($"name '{v1.Name}' is not {group.Key}-v1");
            }

            var baseDef = new QemuModelDefinition
            {
                Vendor = v1.Vendor,
                Family = v1.Family,
                Model = v1.ModelNumber,
                Stepping = v1.Stepping,
                ModelId = v1.ModelId,
                Level = v1.Level,
                XLevel = v1.XLevel,
                Avx10Version = v1.Avx10Version,
                Features = IndexFeatures(file, v1, featureIndex),
                UnnamedBits = v1.UnnamedBits,
                CacheInfo = v1.CacheInfo,
            };
            var list = new List<QemuModelVersion>();
            string? cache = v1.CacheInfo;
            foreach (var row in versions)
            {
                if (row.Name != $"{group.Key}-v{row.Version}")
                {
                    throw row.Source.Error($"name '{row.Name}' is not {group.Key}-v{row.Version}");
                }

                var own = row.CacheInfo != cache ? row.CacheInfo : null;
                cache = row.CacheInfo;
                try
                {
                    list.Add(new QemuModelVersion(row.Version, row.Alias, row.Note, row.Props, own));
                }
                catch (Exception e) when (e is CatalogException or ArgumentException)
                {
                    throw row.Source.Error(e.Message);
                }
            }

            try
            {
                models.Add(new QemuBaseModel(group.Key, baseDef, [.. list]));
            }
            catch (Exception e) when (e is CatalogException or ArgumentException)
            {
                throw v1.Source.Error(e.Message);
            }
        }

        return (models, rows);
    }

    private sealed class ModelRow
    {
        public ModelRow(Tsv.Row row)
        {
            Source = row;
            Line = row.Line;
            Base = row["base"];
            Version = row.Int("version");
            Name = row["name"];
            Alias = row["alias"];
            Vendor = row["vendor"];
            Family = row.Int("family");
            ModelNumber = row.Int("model");
            Stepping = row.Int("stepping");
            ModelId = row["model_id"];
            Features = row["features"].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Level = row.Hex("level");
            XLevel = row.Hex("xlevel");
            Note = row["note"];
            Props = ParseProps(row);
            CacheInfo = row["cache_info"].Length == 0 ? null : row["cache_info"];
            Avx10Version = row["avx10_version"].Length == 0 ? 0 : row.Int("avx10_version");
            UnnamedBits = ParseUnnamed(row);
        }

        public Tsv.Row Source { get; }

        public int Line { get; }

        public string Base { get; }

        public int Version { get; }

        public string Name { get; }

        public string Alias { get; }

        public string Vendor { get; }

        public int Family { get; }

        public int ModelNumber { get; }

        public int Stepping { get; }

        public string ModelId { get; }

        public string[] Features { get; }

        public uint Level { get; }

        public uint XLevel { get; }

        public string Note { get; }

        public ImmutableArray<QemuProp> Props { get; }

        public string? CacheInfo { get; }

        public int Avx10Version { get; }

        public ImmutableArray<QemuWordBit> UnnamedBits { get; }

        public QemuModelDefinition ToDefinition(QemuHypervisorCatalog catalog, string file) => new()
        {
            Vendor = Vendor,
            Family = Family,
            Model = ModelNumber,
            Stepping = Stepping,
            ModelId = ModelId,
            Level = Level,
            XLevel = XLevel,
            Avx10Version = Avx10Version,
            Features = ResolveFeatures(catalog, Features, Source, file),
            UnnamedBits = UnnamedBits,
            CacheInfo = CacheInfo,
        };

        private static ImmutableArray<QemuProp> ParseProps(Tsv.Row row)
        {
            var text = row["version_props"];
            if (text.Length == 0)
            {
                return [];
            }

            var props = ImmutableArray.CreateBuilder<QemuProp>();
            foreach (var part in text.Split(" | "))
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw row.Error($"version prop '{part}' is not name=value");
                }

                props.Add(new QemuProp(part[..eq].Trim(), part[(eq + 1)..].Trim()));
            }

            return props.ToImmutable();
        }

        private static ImmutableArray<QemuWordBit> ParseUnnamed(Tsv.Row row)
        {
            var text = row["unnamed_bits"];
            var bits = ImmutableArray.CreateBuilder<QemuWordBit>();
            foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var open = part.IndexOf('[', StringComparison.Ordinal);
                if (open <= 0 || !part.EndsWith(']') || !int.TryParse(part.AsSpan(open + 1, part.Length - open - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var bit))
                {
                    throw row.Error($"unnamed bit '{part}' is not WORD[BIT]");
                }

                bits.Add(new QemuWordBit(part[..open], bit));
            }

            return bits.ToImmutable();
        }
    }

    private static FeatureSet IndexFeatures(string file, ModelRow row, Dictionary<string, int> featureIndex)
    {
        var set = FeatureSet.Empty;
        foreach (var n in row.Features)
        {
            set = set.With(featureIndex.TryGetValue(n, out var i) ? i : throw new InputException(file, $"line {row.Line}: feature '{n}' is not in features.tsv"));
        }

        return set;
    }

    private static FeatureSet ResolveFeatures(QemuHypervisorCatalog catalog, IEnumerable<string> names, Tsv.Row row, string file)
    {
        var set = FeatureSet.Empty;
        foreach (var n in names)
        {
            var f = catalog.Feature(n) ?? throw new InputException(file, $"line {row.Line}: feature '{n}' is not in features.tsv");
            set = set.With(f.Index);
        }

        return set;
    }
}
