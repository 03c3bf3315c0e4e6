using System.Collections.Immutable;
using System.Globalization;
using VirtCpu.Catalog;
using VirtCpu.Formats.Input;
using VirtCpu.Qemu;

namespace VirtCpu.Formats.ProjectFiles;

/// <summary>Reads a <c>.qcat</c> hypervisor catalog (see <see cref="QcatFormat"/>).</summary>
public static class QcatReader
{
    /// <summary>Reads a catalog file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="InputException">When the file is missing or malformed.</exception>
    public static QemuHypervisorCatalog ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Read(InputFile.ReadAllText(path), path);
    }

    /// <summary>Reads a catalog from text.</summary>
    /// <param name="text">The file text.</param>
    /// <param name="file">The file name, for messages.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="InputException">When the text is malformed.</exception>
    public static QemuHypervisorCatalog Read(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Parser(file).Parse(text.Split('\n'));
    }

    private sealed class Parser
    {
        private readonly string _file;
        private readonly List<QemuFeatureWord> _words = [];
        private readonly Dictionary<string, QemuFeatureWord> _wordByName = new(StringComparer.Ordinal);
        private readonly List<QemuFeature> _features = [];
        private readonly Dictionary<string, int> _featureIndex = new(StringComparer.Ordinal);
        private readonly List<QemuFeatureDependency> _deps = [];
        private readonly List<QemuBaseModel> _models = [];
        private readonly List<string> _machines = [];
        private readonly List<QemuCompatProperty> _compat = [];
        private readonly List<string> _provenance = [];
        private int _line;
        private string? _name;
        private Version? _qemu;
        private ModelBuilder? _model;

        public Parser(string file) => _file = file;

        public QemuHypervisorCatalog Parse(string[] lines)
        {
            var sawHeader = false;
            for (var n = 0; n < lines.Length; n++)
            {
                _line = n + 1;
                var raw = lines[n].TrimEnd('\r');
                if (raw.Length == 0 || raw.TrimStart().StartsWith('#'))
                {
                    continue;
                }

                var indent = raw.Length - raw.TrimStart(' ').Length;
                var t = QcatFormat.Tokenize(raw[indent..], Error);
                if (t.Count == 0)
                {
                    // A line of spaces only is blank (it used to index an empty token list: found by fuzzing).
                    continue;
                }

                if (!sawHeader)
                {
                    if (indent != 0 || t.Count != 2 || t[0] != "qcat")
                    {
                        throw Error("expected the header 'qcat VERSION' first");
                    }

                    if (t[1] != QcatFormat.Version.ToString(CultureInfo.InvariantCulture))
                    {
                        throw Error($"format version {t[1]} is not supported (this build reads version {QcatFormat.Version})");
                    }

                    sawHeader = true;
                    continue;
                }

                switch (indent)
                {
                    case 0:
                        TopLevel(t);
                        break;
                    case 2:
                        ModelLine(t);
                        break;
                    case 4:
                        VersionLine(t);
                        break;
                    default:
                        throw Error($"indentation of {indent} spaces (items use 0, 2 or 4)");
                }
            }

            FinishModel();
            if (!sawHeader)
            {
                throw new InputException(_file, "line 1: empty file, expected the header 'qcat VERSION'");
            }

            if (_name is null || _qemu is null)
            {
                throw new InputException(_file, "the file has no 'name' or no 'qemu' line");
            }

            try
            {
                var catalog = QemuHypervisorCatalog.Create(_name, _qemu, _words, _features, _deps, _models);
                catalog = _machines.Count == 0 && _compat.Count == 0 ? catalog : catalog.WithMachineData(_machines, _compat);
                return _provenance.Count == 0 ? catalog : catalog.WithProvenance(_provenance);
            }
            catch (CatalogException e)
            {
                throw new InputException(_file, e.Message, e);
            }
        }

        private void TopLevel(List<string> t)
        {
            switch (t[0])
            {
                case "name":
                    Expect(t, 2);
                    _name = t[1];
                    break;
                case "qemu":
                    Expect(t, 2);
                    _qemu = Version.TryParse(t[1], out var v) ? v : throw Error($"'{t[1]}' is not a version");
                    break;
                case "word":
                    Word(t);
                    break;
                case "feature":
                    Feature(t);
                    break;
                case "dep":
                    Dependency(t);
                    break;
                case "machine":
                    Expect(t, 2);
                    _machines.Add(t[1]);
                    break;
                case "provenance":
                    Expect(t, 2);
                    _provenance.Add(t[1]);
                    break;
                case "compat":
                    Expect(t, 5);
                    _compat.Add(new QemuCompatProperty(
                        Version.TryParse(t[1], out var release) ? release : throw Error($"'{t[1]}' is not a release"),
                        t[2] == "*" ? null : t[2],
                        t[3],
                        t[4]));
                    break;
                case "model":
                    Expect(t, 2);
                    FinishModel();
                    _model = new ModelBuilder(t[1], _line);
                    break;
                default:
                    throw Error($"unknown item '{t[0]}'");
            }
        }

        private void Word(List<string> t)
        {
            if (t.Count < 4)
            {
                throw Error("word needs NAME cpuid LEAF SUBLEAF REGISTER or NAME msr INDEX");
            }

            QemuFeatureWord word;
            if (t[2] == "msr")
            {
                Expect(t, 4);
                word = new QemuFeatureWord(t[1], CpuDataKind.Msr, (uint)Number(t[3]), null, CpuRegister.Eax);
            }
            else if (t[2] == "cpuid")
            {
                Expect(t, 6);
                var register = t[5] switch
                {
                    "eax" => CpuRegister.Eax,
                    "ebx" => CpuRegister.Ebx,
                    "ecx" => CpuRegister.Ecx,
                    "edx" => CpuRegister.Edx,
                    _ => throw Error($"register '{t[5]}' is not eax/ebx/ecx/edx"),
                };
                word = new QemuFeatureWord(t[1], CpuDataKind.Cpuid, (uint)Number(t[3]), t[4] == "-" ? null : (uint)Number(t[4]), register);
            }
            else
            {
                throw Error($"word kind '{t[2]}' is neither cpuid nor msr");
            }

            if (!_wordByName.TryAdd(word.Name, word))
            {
                throw Error($"word {word.Name} is defined twice");
            }

            _words.Add(word);
        }

        private void Feature(List<string> t)
        {
            if (t.Count < 4)
            {
                throw Error("feature needs NAME WORD BITS");
            }

            var word = _wordByName.GetValueOrDefault(t[2]) ?? throw Error($"feature {t[1]}: unknown word {t[2]}");
            var bits = t[3].Split(',').Select(b => int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var x) ? x : throw Error($"bit '{b}' is not a number")).ToImmutableArray();
            bool tcg = false, migratable = true, autoEnable = true;
            var aliases = ImmutableArray<string>.Empty;
            foreach (var flag in t.Skip(4))
            {
                switch (flag)
                {
                    case "tcg":
                        tcg = true;
                        break;
                    case "unmigratable":
                        migratable = false;
                        break;
                    case "no-autoenable":
                        autoEnable = false;
                        break;
                    default:
                        aliases = flag.StartsWith("alias=", StringComparison.Ordinal) ? [.. flag[6..].Split(',')] : throw Error($"unknown feature flag '{flag}'");
                        break;
                }
            }

            try
            {
                var feature = new QemuFeature(t[1], word, bits, aliases, migratable, tcg, autoEnable);
                foreach (var spelling in aliases.Prepend(feature.Name))
                {
                    if (!_featureIndex.TryAdd(spelling, _features.Count))
                    {
                        throw Error($"feature name {spelling} is defined twice");
                    }
                }

                _features.Add(feature);
            }
            catch (Exception e) when (e is CatalogException or ArgumentException)
            {
                throw Error(e.Message);
            }
        }

        private void Dependency(List<string> t)
        {
            if (t.Count != 4 || t[2] != "->")
            {
                throw Error("dep needs FROM -> TARGET");
            }

            var (fromWord, fromMask) = Bits(t[1], '|');
            var (toWord, toMask) = Bits(t[3], ',');
            _deps.Add(new QemuFeatureDependency(fromWord, fromMask, toWord, toMask));
        }

        private (QemuFeatureWord Word, ulong Mask) Bits(string spec, char separator)
        {
            var slash = spec.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0)
            {
                return (_wordByName.GetValueOrDefault(spec[..slash]) ?? throw Error($"unknown word {spec[..slash]}"), Number(spec[(slash + 1)..]));
            }

            if (_wordByName.TryGetValue(spec, out var whole))
            {
                return (whole, ulong.MaxValue);
            }

            QemuFeatureWord? word = null;
            ulong mask = 0;
            foreach (var n in spec.Split(separator))
            {
                var f = _featureIndex.TryGetValue(n, out var i) ? _features[i] : throw Error($"unknown feature {n}");
                if (word is not null && f.Word != word)
                {
                    throw Error($"{spec}: the features live in different words");
                }

                word = f.Word;
                mask |= f.Mask;
            }

            return (word!, mask);
        }

        private void ModelLine(List<string> t)
        {
            var m = _model ?? throw Error("a model attribute outside a model");
            if (t[0] == "version")
            {
                Expect(t, 2);
                m.StartVersion((int)Number(t[1]));
                return;
            }

            if (m.Versions.Count > 0)
            {
                throw Error($"model attribute '{t[0]}' after the first version");
            }

            switch (t[0])
            {
                case "features":
                    foreach (var n in t.Skip(1))
                    {
                        m.Features = m.Features.With(_featureIndex.TryGetValue(n, out var i) ? i : throw Error($"unknown feature {n}"));
                    }

                    break;
                case "unnamed":
                    Expect(t, 3);
                    if (!_wordByName.ContainsKey(t[1]))
                    {
                        throw Error($"unknown word {t[1]}");
                    }

                    m.Unnamed.Add(new QemuWordBit(t[1], (int)Number(t[2])));
                    break;
                default:
                    Expect(t, 2);
                    if (!m.Attributes.TryAdd(t[0], t[1]))
                    {
                        throw Error($"model attribute '{t[0]}' given twice");
                    }

                    break;
            }
        }

        private void VersionLine(List<string> t)
        {
            var v = _model?.Versions.LastOrDefault() ?? throw Error("a version attribute outside a version");
            switch (t[0])
            {
                case "prop":
                    Expect(t, 3);
                    v.Props.Add(new QemuProp(t[1], t[2]));
                    break;
                case "alias":
                    Expect(t, 2);
                    v.Alias = t[1];
                    break;
                case "note":
                    Expect(t, 2);
                    v.Note = t[1];
                    break;
                case "cache-info":
                    Expect(t, 2);
                    v.CacheInfo = t[1];
                    break;
                default:
                    throw Error($"unknown version attribute '{t[0]}'");
            }
        }

        private void FinishModel()
        {
            if (_model is null)
            {
                return;
            }

            var m = _model;
            _model = null;
            _line = m.Line;
            string Attr(string key) => m.Attributes.TryGetValue(key, out var value) ? value : throw Error($"model {m.Name} has no {key}");
            var def = new QemuModelDefinition
            {
                Vendor = Attr("vendor"),
                Family = (int)Number(Attr("family")),
                Model = (int)Number(Attr("model")),
                Stepping = (int)Number(Attr("stepping")),
                ModelId = Attr("model-id"),
                Level = (uint)Number(Attr("level")),
                XLevel = (uint)Number(Attr("xlevel")),
                Avx10Version = m.Attributes.TryGetValue("avx10-version", out var a) ? (int)Number(a) : 0,
                CacheInfo = m.Attributes.GetValueOrDefault("cache-info"),
                Features = m.Features,
                UnnamedBits = [.. m.Unnamed],
            };
            var known = new[] { "vendor", "family", "model", "stepping", "model-id", "level", "xlevel", "avx10-version", "cache-info" };
            var unknown = m.Attributes.Keys.FirstOrDefault(k => !known.Contains(k));
            if (unknown is not null)
            {
                throw Error($"model {m.Name}: unknown attribute '{unknown}'");
            }

            try
            {
                _models.Add(new QemuBaseModel(m.Name, def, [.. m.Versions.Select(v => new QemuModelVersion(v.Number, v.Alias, v.Note, [.. v.Props], v.CacheInfo))]));
            }
            catch (Exception e) when (e is CatalogException or ArgumentException)
            {
                throw Error(e.Message);
            }
        }

        private ulong Number(string text) => QemuPropValues.ParseNumber(text) ?? throw Error($"'{text}' is not a number");

        private void Expect(List<string> t, int count)
        {
            if (t.Count != count)
            {
                throw Error($"'{t[0]}' takes {count - 1} value(s), found {t.Count - 1}");
            }
        }

        private InputException Error(string problem) => new(_file, $"line {_line}: {problem}");

        private sealed class ModelBuilder(string name, int line)
        {
            public string Name { get; } = name;

            public int Line { get; } = line;

            public Dictionary<string, string> Attributes { get; } = new(StringComparer.Ordinal);

            public FeatureSet Features { get; set; }

            public List<QemuWordBit> Unnamed { get; } = [];

            public List<VersionBuilder> Versions { get; } = [];

            public void StartVersion(int number) => Versions.Add(new VersionBuilder(number));
        }

        private sealed class VersionBuilder(int number)
        {
            public int Number { get; } = number;

            public string? Alias { get; set; }

            public string? Note { get; set; }

            public string? CacheInfo { get; set; }

            public List<QemuProp> Props { get; } = [];
        }
    }
}
