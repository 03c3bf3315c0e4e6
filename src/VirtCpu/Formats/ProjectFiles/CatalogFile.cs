using System.Collections.Immutable;
using System.Globalization;
using VirtCpu.Catalog;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Formats.ProjectFiles;

/// <summary>
/// The project's own catalog file format (<c>.vcat</c>): plain UTF-8 text, one line per vendor and
/// per feature, one indented block per model, made to be reviewed in a diff.
/// </summary>
/// <remarks>
/// <code>
/// virtcpu-catalog 1
/// name libvirt-11.3
///
/// vendor Intel "GenuineIntel"
///
/// feature pni            cpuid 0x00000001 0x00000000 ecx 0x00000001 alias=qemu:sse3
/// feature xsaves         cpuid 0x0000000d 0x00000001 eax 0x00000008 migratable=no
/// feature vmx-ins-outs   msr 0x00000480 edx 0x00400000
///
/// model EPYC
///   decode host=on guest=on
///   check compat
///   vendor AMD
///   signature family=23 model=1
///   features 3dnowprefetch abm adx ...
///   removed monitor
///
/// model EPYC-v1
///   decode host=on guest=off
///   alias-of EPYC
/// </code>
/// A feature line gives one or more items (<c>cpuid LEAF SUBLEAF</c> or <c>msr INDEX</c>), each
/// followed by <c>REGISTER MASK</c> pairs. A model with an ancestor (<c>ancestor X</c>, or
/// <c>alias-of X</c> for a pure alias) inherits the ancestor's vendor, signatures and features
/// (minus the ancestor's removed features); its own <c>vendor</c>, <c>signature</c> and
/// <c>features</c> lines, when present, replace them (<c>vendor -</c>, <c>signature -</c> and
/// <c>features -</c> mean none). Model features are sorted by name; removed and added lists keep
/// their order. Lines starting with <c>#</c> are comments. A name that is not a plain token (one with
/// a space, such as libvirt 12.8's vendor <c>Zhaoxin CentaurHauls</c>, or <c>-</c>, or one starting
/// with <c>#</c>) is written in double quotes: <c>vendor "Zhaoxin CentaurHauls" "CentaurHauls"</c>,
/// <c>vendor "Zhaoxin CentaurHauls"</c> in a model block; every other name is written bare, so
/// catalogs without such names are written exactly as before quoting existed.
/// </remarks>
public static class CatalogFile
{
    /// <summary>The header line's keyword.</summary>
    public const string Magic = "virtcpu-catalog";

    /// <summary>The format version this code writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The file extension.</summary>
    public const string Extension = ".vcat";

    private const int WrapColumn = 100;

    /// <summary>Reads a catalog file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="InputException">The file cannot be read or is malformed.</exception>
    public static CpuCatalog ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StringReader(InputFile.ReadAllText(path));
        return Read(reader, path);
    }

    /// <summary>Reads a catalog.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="sourceName">The file name used in error messages.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="InputException">The text is malformed or describes an invalid catalog.</exception>
    public static CpuCatalog Read(TextReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        return new Parser(reader, sourceName).Parse();
    }

    /// <summary>Writes a catalog.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="writer">Where to write; lines end with <c>\n</c> whatever the platform.</param>
    /// <exception cref="CatalogException">A name cannot be written in this format (it contains a double quote or a control character, for example).</exception>
    public static void Write(CpuCatalog catalog, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(writer);
        var w = new LineWriter(writer);
        w.Line(string.Create(CultureInfo.InvariantCulture, $"{Magic} {FormatVersion}"));
        w.Line("name " + Name(catalog.Name));

        if (!catalog.Vendors.IsEmpty)
        {
            w.Line(string.Empty);
            foreach (var v in catalog.Vendors)
            {
                if (v.CpuidString.Contains('"', StringComparison.Ordinal))
                {
                    throw new CatalogException($"vendor {v.Name}: a CPUID string with a double quote cannot be written");
                }

                w.Line($"vendor {Name(v.Name)} \"{v.CpuidString}\"");
            }
        }

        if (!catalog.Features.IsEmpty)
        {
            w.Line(string.Empty);
            var width = catalog.Features.Max(f => Name(f.Name).Length);
            foreach (var f in catalog.Features)
            {
                w.Line(FeatureLine(f, width));
            }
        }

        foreach (var m in catalog.Models)
        {
            w.Line(string.Empty);
            WriteModel(catalog, m, w);
        }
    }

    /// <summary>Writes a catalog to a string.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <returns>The file text.</returns>
    public static string WriteToString(CpuCatalog catalog)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(catalog, writer);
        return writer.ToString();
    }

    private static string FeatureLine(Feature f, int width)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("feature ").Append(Name(f.Name).PadRight(width));
        CpuDataKey? current = null;
        foreach (var b in f.Bits)
        {
            if (current != b.Key)
            {
                sb.Append(b.Key.Kind == CpuDataKind.Cpuid
                    ? string.Create(CultureInfo.InvariantCulture, $" cpuid 0x{b.Key.Index:x8} 0x{b.Key.Subleaf:x8}")
                    : string.Create(CultureInfo.InvariantCulture, $" msr 0x{b.Key.Index:x8}"));
                current = b.Key;
            }

            sb.Append(' ').Append(RegisterName(b.Register)).Append(CultureInfo.InvariantCulture, $" 0x{b.Mask:x8}");
        }

        if (!f.Migratable)
        {
            sb.Append(" migratable=no");
        }

        foreach (var a in f.Aliases)
        {
            if (a.Source.Contains(':', StringComparison.Ordinal))
            {
                throw new CatalogException($"feature {f.Name}: alias source '{a.Source}' contains ':'");
            }

            sb.Append(" alias=").Append(a.Source).Append(':').Append(Token(a.Name));
        }

        return sb.ToString();
    }

    private static void WriteModel(CpuCatalog catalog, CpuModel m, LineWriter w)
    {
        w.Line("model " + Name(m.Name));
        w.Line($"  decode host={OnOff(m.DecodeHost)} guest={OnOff(m.DecodeGuest)}");
        if (m.CompatCheck)
        {
            w.Line("  check compat");
        }

        Vendor? inheritedVendor = null;
        var inheritedSignatures = ImmutableArray<ModelSignature>.Empty;
        var inheritedFeatures = FeatureSet.Empty;
        if (m.Ancestor is not null)
        {
            w.Line((m.IsAlias ? "  alias-of " : "  ancestor ") + Name(m.Ancestor));
            var ancestor = catalog.FindModel(m.Ancestor)
                ?? throw new CatalogException($"model {m.Name}: ancestor {m.Ancestor} is not in the catalog");
            inheritedVendor = ancestor.Vendor;
            inheritedSignatures = ancestor.Signatures;
            inheritedFeatures = Inherit(ancestor);
        }

        if (m.Vendor != inheritedVendor)
        {
            w.Line("  vendor " + (m.Vendor is null ? "-" : Name(m.Vendor.Name)));
        }

        if (!m.Signatures.SequenceEqual(inheritedSignatures))
        {
            if (m.Signatures.IsEmpty)
            {
                w.Line("  signature -");
            }

            foreach (var s in m.Signatures)
            {
                var text = string.Create(CultureInfo.InvariantCulture, $"  signature family={s.Family} model={s.Model}");
                w.Line(s.SteppingText() is { } steppings ? $"{text} stepping={steppings}" : text);
            }
        }

        if (m.Features != inheritedFeatures)
        {
            if (m.Features.IsEmpty)
            {
                w.Line("  features -");
            }
            else
            {
                var names = catalog.NamesOf(m.Features).ToArray();
                Array.Sort(names, StringComparer.Ordinal);
                Wrapped(w, "features", names);
            }
        }

        Wrapped(w, "removed", m.RemovedFeatures.Select(i => catalog.Features[i].Name));
        Wrapped(w, "added", m.AddedFeatures.Select(i => catalog.Features[i].Name));
    }

    private static void Wrapped(LineWriter w, string key, IEnumerable<string> names)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var n in names)
        {
            var name = Name(n);
            if (sb.Length > 0 && sb.Length + 1 + name.Length > WrapColumn)
            {
                w.Line(sb.ToString());
                sb.Clear();
            }

            sb.Append(sb.Length == 0 ? "  " + key : string.Empty).Append(' ').Append(name);
        }

        if (sb.Length > 0)
        {
            w.Line(sb.ToString());
        }
    }

    /// <summary>What a model with this ancestor inherits as features: the ancestor's minus its removed ones.</summary>
    private static FeatureSet Inherit(CpuModel ancestor)
    {
        var set = ancestor.Features;
        foreach (var r in ancestor.RemovedFeatures)
        {
            set = set.Without(r);
        }

        return set;
    }

    private static string OnOff(bool value) => value ? "on" : "off";

    private static string RegisterName(CpuRegister register) => register switch
    {
        CpuRegister.Eax => "eax",
        CpuRegister.Ebx => "ebx",
        CpuRegister.Ecx => "ecx",
        _ => "edx",
    };

    /// <summary>
    /// A name as written: bare when it is a plain token, else in double quotes (a vendor such as
    /// <c>Zhaoxin CentaurHauls</c>). A name with a double quote or a control character cannot be written.
    /// </summary>
    private static string Name(string name)
    {
        var quoted = false;
        foreach (var c in name)
        {
            if (char.IsControl(c) || c == '"')
            {
                throw new CatalogException($"'{name}' cannot be written as a name in a catalog file (control character or double quote)");
            }

            quoted |= char.IsWhiteSpace(c);
        }

        if (name.Length == 0)
        {
            throw new CatalogException("an empty name cannot be written in a catalog file");
        }

        return quoted || name[0] == '#' || name == "-" ? '"' + name + '"' : name;
    }

    /// <summary>An alias name, always a bare token (an <c>alias=SOURCE:NAME</c> item cannot hold quotes).</summary>
    private static string Token(string name)
    {
        var written = Name(name);
        return ReferenceEquals(written, name) ? name : throw new CatalogException($"'{name}' cannot be written as an alias name in a catalog file (white space)");
    }

    /// <summary>Writes lines ending in <c>\n</c>.</summary>
    private sealed class LineWriter(TextWriter writer)
    {
        public void Line(string text)
        {
            writer.Write(text);
            writer.Write('\n');
        }
    }

    /// <summary>A one-pass, allocation-light line parser.</summary>
    private sealed class Parser
    {
        private readonly TextReader _reader;
        private readonly string _source;
        private readonly List<Vendor> _vendors = [];
        private readonly Dictionary<string, Vendor> _vendorsByName = new(StringComparer.Ordinal);
        private readonly List<Feature> _features = [];
        private readonly Dictionary<string, int> _featureIndex = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _featureLookup;
        private readonly List<CpuModel> _models = [];
        private readonly Dictionary<string, CpuModel> _modelsByName = new(StringComparer.Ordinal);
        private int _line;
        private string? _name;
        private ModelDraft? _model;

        public Parser(TextReader reader, string source)
        {
            _reader = reader;
            _source = source;
            _featureLookup = _featureIndex.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public CpuCatalog Parse()
        {
            ReadHeader();
            while (_reader.ReadLine() is { } text)
            {
                _line++;
                var span = text.AsSpan();
                if (span.IsWhiteSpace() || span.TrimStart().StartsWith('#'))
                {
                    continue;
                }

                if (span[0] is ' ' or '\t')
                {
                    if (_model is null)
                    {
                        throw Error("an indented line outside a model block");
                    }

                    ModelLine(span.Trim());
                    continue;
                }

                FinishModel();
                TopLevelLine(span);
            }

            FinishModel();
            if (_name is null)
            {
                throw Error("no 'name' line");
            }

            try
            {
                return CpuCatalog.Create(_name, _vendors, _features, _models);
            }
            catch (Exception e) when (e is CatalogException or ArgumentException)
            {
                throw new InputException(_source, e.Message, e);
            }
        }

        /// <summary>A line that is not indented: <c>name</c>, <c>vendor</c>, <c>feature</c>, or <c>model</c> opening a model block.</summary>
        private void TopLevelLine(ReadOnlySpan<char> span)
        {
            var tokens = new Tokens(span);
            var keyword = tokens.Next();
            switch (keyword)
            {
                case "name":
                    if (_name is not null)
                    {
                        throw Error("the catalog name is given twice");
                    }

                    _name = Unquote(tokens.Next()).ToString();
                    tokens.End(this);
                    break;
                case "vendor":
                    VendorLine(ref tokens);
                    break;
                case "feature":
                    FeatureLine(ref tokens);
                    break;
                case "model":
                    {
                        var name = Unquote(tokens.Next()).ToString();
                        tokens.End(this);
                        if (name.Length == 0)
                        {
                            throw Error("model without a name");
                        }

                        if (_modelsByName.ContainsKey(name))
                        {
                            throw Error($"duplicate model {name}");
                        }

                        _model = new ModelDraft(name);
                        break;
                    }

                default:
                    throw Error($"unknown keyword '{keyword}'");
            }
        }

        /// <summary>A name token without its quotes (<c>"Zhaoxin CentaurHauls"</c> → <c>Zhaoxin CentaurHauls</c>); a bare token as it is.</summary>
        public ReadOnlySpan<char> Unquote(ReadOnlySpan<char> token)
        {
            if (token.IsEmpty || token[0] != '"')
            {
                return token;
            }

            if (token.Length < 3 || token[^1] != '"' || token[1..^1].Contains('"'))
            {
                throw Error($"malformed quoted name {token} (a name in double quotes, followed by a space or the end of the line)");
            }

            return token[1..^1];
        }

        public InputException Error(string problem) =>
            new(_source, string.Create(CultureInfo.InvariantCulture, $"line {_line}: {problem}"));

        private static bool TryRegister(ReadOnlySpan<char> text, out CpuRegister register)
        {
            switch (text)
            {
                case "eax":
                    register = CpuRegister.Eax;
                    return true;
                case "ebx":
                    register = CpuRegister.Ebx;
                    return true;
                case "ecx":
                    register = CpuRegister.Ecx;
                    return true;
                case "edx":
                    register = CpuRegister.Edx;
                    return true;
                default:
                    register = default;
                    return false;
            }
        }

        private void ReadHeader()
        {
            string? first;
            do
            {
                first = _reader.ReadLine();
                _line++;
            }
            while (first is not null && (first.AsSpan().IsWhiteSpace() || first.StartsWith('#')));

            if (first is null)
            {
                throw Error("empty file: not a VirtCpu catalog");
            }

            var tokens = new Tokens(first.AsSpan());
            if (!tokens.Next().SequenceEqual(Magic))
            {
                throw Error($"not a VirtCpu catalog (the first line must be '{Magic} {FormatVersion}')");
            }

            var version = tokens.Next();
            if (!version.SequenceEqual("1"))
            {
                throw Error($"unsupported catalog format version '{version}' (this VirtCpu reads version {FormatVersion})");
            }

            tokens.End(this);
        }

        private uint Number(ReadOnlySpan<char> text, string what) =>
            SafeXml.TryParseCUInt32(text, out var v) ? v : throw Error($"{what}: '{text}' is not an unsigned 32-bit number");

        private void VendorLine(ref Tokens tokens)
        {
            var name = Unquote(tokens.Next()).ToString();
            var rest = tokens.Rest().Trim();
            if (name.Length == 0 || rest.Length != 14 || rest[0] != '"' || rest[^1] != '"')
            {
                throw Error("expected: vendor NAME \"12-CHARACTER-STRING\"");
            }

            if (_vendorsByName.ContainsKey(name))
            {
                throw Error($"duplicate vendor {name}");
            }

            Vendor vendor;
            try
            {
                vendor = new Vendor(name, rest[1..^1].ToString());
            }
            catch (Exception e) when (e is CatalogException or ArgumentException)
            {
                throw Error(e.Message);
            }

            _vendors.Add(vendor);
            _vendorsByName.Add(name, vendor);
        }

        private void FeatureLine(ref Tokens tokens)
        {
            var name = Unquote(tokens.Next()).ToString();
            if (name.Length == 0)
            {
                throw Error("feature without a name");
            }

            if (_featureIndex.ContainsKey(name))
            {
                throw Error($"duplicate feature {name}");
            }

            var what = "feature " + name;
            var bits = ImmutableArray.CreateBuilder<FeatureBits>();
            var aliases = ImmutableArray.CreateBuilder<FeatureAlias>();
            var migratable = true;
            CpuDataKey? key = null;
            while (true)
            {
                var t = tokens.Next();
                if (t.IsEmpty)
                {
                    break;
                }

                if (t.SequenceEqual("cpuid"))
                {
                    var leaf = Number(tokens.Next(), what + ": leaf");
                    key = CpuDataKey.Cpuid(leaf, Number(tokens.Next(), what + ": subleaf"));
                }
                else if (t.SequenceEqual("msr"))
                {
                    key = CpuDataKey.Msr(Number(tokens.Next(), what + ": MSR index"));
                }
                else if (TryRegister(t, out var register))
                {
                    if (key is null)
                    {
                        throw Error($"{what}: register {t} before any 'cpuid' or 'msr' item");
                    }

                    bits.Add(new FeatureBits(key.Value, register, Number(tokens.Next(), what + ": mask")));
                }
                else if (t.SequenceEqual("migratable=no"))
                {
                    migratable = false;
                }
                else if (t.StartsWith("alias="))
                {
                    var value = t["alias=".Length..];
                    var colon = value.IndexOf(':');
                    if (colon < 0 || colon == value.Length - 1)
                    {
                        throw Error($"{what}: expected alias=SOURCE:NAME, got '{t}'");
                    }

                    aliases.Add(new FeatureAlias(value[(colon + 1)..].ToString(), value[..colon].ToString()));
                }
                else
                {
                    throw Error($"{what}: unexpected '{t}'");
                }
            }

            if (bits.Count == 0)
            {
                throw Error($"{what}: no CPUID or MSR bits");
            }

            _featureIndex.Add(name, _features.Count);
            _features.Add(new Feature(name, bits.ToImmutable(), migratable, aliases.ToImmutable()));
        }

        private void ModelLine(ReadOnlySpan<char> line)
        {
            var model = _model!;
            var tokens = new Tokens(line);
            var key = tokens.Next();
            switch (key)
            {
                case "decode":
                    DecodeLine(model, ref tokens);
                    break;
                case "check":
                    if (!tokens.Next().SequenceEqual("compat"))
                    {
                        throw Error($"model {model.Name}: expected 'check compat'");
                    }

                    tokens.End(this);
                    model.CompatCheck = true;
                    break;
                case "ancestor":
                case "alias-of":
                    AncestorLine(model, ref tokens, isAlias: key.SequenceEqual("alias-of"));
                    break;
                case "vendor":
                    ModelVendorLine(model, ref tokens);
                    break;
                case "signature":
                    SignatureLine(model, ref tokens);
                    break;
                case "features":
                    ModelFeaturesLine(model, ref tokens);
                    break;
                case "removed":
                    for (var t = tokens.Next(); !t.IsEmpty; t = tokens.Next())
                    {
                        model.Removed.Add(FeatureIndex(Unquote(t), model.Name));
                    }

                    break;
                case "added":
                    for (var t = tokens.Next(); !t.IsEmpty; t = tokens.Next())
                    {
                        model.Added.Add(FeatureIndex(Unquote(t), model.Name));
                    }

                    break;
                default:
                    throw Error($"model {model.Name}: unknown keyword '{key}'");
            }
        }

        private void DecodeLine(ModelDraft model, ref Tokens tokens)
        {
            if (model.HasDecode)
            {
                throw Error($"model {model.Name}: decode given twice");
            }

            model.DecodeHost = OnOffValue(tokens.Next(), "host=", model.Name);
            model.DecodeGuest = OnOffValue(tokens.Next(), "guest=", model.Name);
            tokens.End(this);
            model.HasDecode = true;
        }

        /// <summary>An <c>ancestor NAME</c> or <c>alias-of NAME</c> line: inherits the ancestor's vendor, signatures and features; comes first.</summary>
        private void AncestorLine(ModelDraft model, ref Tokens tokens, bool isAlias)
        {
            if (model.Ancestor is not null)
            {
                throw Error($"model {model.Name}: ancestor given twice");
            }

            var name = Unquote(tokens.Next()).ToString();
            tokens.End(this);
            if (!_modelsByName.TryGetValue(name, out var ancestor))
            {
                throw Error($"model {model.Name}: ancestor {name} not found (an ancestor must be defined earlier)");
            }

            if (model.Vendor.HasValue || model.Signatures is not null || model.Features.HasValue)
            {
                throw Error($"model {model.Name}: the ancestor line must come before vendor, signature and features lines");
            }

            model.Ancestor = name;
            model.IsAlias = isAlias;
            model.InheritedVendor = ancestor.Vendor;
            model.InheritedSignatures = ancestor.Signatures;
            model.InheritedFeatures = Inherit(ancestor);
        }

        /// <summary>A <c>vendor NAME</c> line; <c>vendor -</c> for none.</summary>
        private void ModelVendorLine(ModelDraft model, ref Tokens tokens)
        {
            if (model.Vendor.HasValue)
            {
                throw Error($"model {model.Name}: vendor given twice");
            }

            var name = tokens.Next();
            tokens.End(this);
            if (name.SequenceEqual("-"))
            {
                model.Vendor = new VendorChoice(null);
            }
            else
            {
                model.Vendor = new VendorChoice(_vendorsByName.GetValueOrDefault(Unquote(name).ToString())
                    ?? throw Error($"model {model.Name}: unknown vendor {name}"));
            }
        }

        /// <summary>A <c>features NAME...</c> line (there may be several); <c>features -</c> alone for none.</summary>
        private void ModelFeaturesLine(ModelDraft model, ref Tokens tokens)
        {
            var first = tokens.Next();
            if (first.SequenceEqual("-"))
            {
                tokens.End(this);
                if (model.Features.HasValue)
                {
                    throw Error($"model {model.Name}: 'features -' with other features lines");
                }

                model.Features = FeatureSet.Empty;
                model.EmptyFeatures = true;
                return;
            }

            if (model.EmptyFeatures)
            {
                throw Error($"model {model.Name}: 'features -' with other features lines");
            }

            var set = model.Features ?? FeatureSet.Empty;
            for (var t = first; !t.IsEmpty; t = tokens.Next())
            {
                set = set.With(FeatureIndex(Unquote(t), model.Name));
            }

            model.Features = set;
        }

        private void SignatureLine(ModelDraft m, ref Tokens tokens)
        {
            var first = tokens.Next();
            if (first.SequenceEqual("-"))
            {
                tokens.End(this);
                if (m.Signatures is not null)
                {
                    throw Error($"model {m.Name}: 'signature -' with other signature lines");
                }

                m.Signatures = [];
                m.EmptySignatures = true;
                return;
            }

            if (m.EmptySignatures)
            {
                throw Error($"model {m.Name}: 'signature -' with other signature lines");
            }

            if (!first.StartsWith("family="))
            {
                throw Error($"model {m.Name}: expected signature family=F model=M [stepping=S]");
            }

            var family = Decimal(first["family=".Length..], m.Name);
            var modelToken = tokens.Next();
            if (!modelToken.StartsWith("model="))
            {
                throw Error($"model {m.Name}: expected signature family=F model=M [stepping=S]");
            }

            var model = Decimal(modelToken["model=".Length..], m.Name);
            ushort? steppings = null;
            var steppingToken = tokens.Next();
            if (!steppingToken.IsEmpty)
            {
                if (!steppingToken.StartsWith("stepping=")
                    || !LibvirtMapReader.TryParseSteppings(steppingToken["stepping=".Length..].ToString(), out var bitmap))
                {
                    throw Error($"model {m.Name}: bad stepping '{steppingToken}'");
                }

                steppings = bitmap;
                tokens.End(this);
            }

            (m.Signatures ??= []).Add(new ModelSignature(family, model, steppings));
        }

        private uint Decimal(ReadOnlySpan<char> text, string model) =>
            uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw Error($"model {model}: '{text}' is not an unsigned decimal number");

        private bool OnOffValue(ReadOnlySpan<char> token, string prefix, string model)
        {
            if (token.StartsWith(prefix))
            {
                var value = token[prefix.Length..];
                if (value.SequenceEqual("on"))
                {
                    return true;
                }

                if (value.SequenceEqual("off"))
                {
                    return false;
                }
            }

            throw Error($"model {model}: expected decode host=on|off guest=on|off");
        }

        private int FeatureIndex(ReadOnlySpan<char> name, string model)
        {
            return _featureLookup.TryGetValue(name, out var index) ? index : throw Error($"model {model}: unknown feature {name}");
        }

        private void FinishModel()
        {
            if (_model is not { } m)
            {
                return;
            }

            _model = null;
            if (!m.HasDecode)
            {
                throw Error($"model {m.Name}: no decode line");
            }

            var model = new CpuModel
            {
                Name = m.Name,
                Vendor = m.Vendor.HasValue ? m.Vendor.Value.Vendor : m.InheritedVendor,
                Signatures = m.Signatures is null ? m.InheritedSignatures : [.. m.Signatures],
                Features = m.Features ?? m.InheritedFeatures,
                RemovedFeatures = [.. m.Removed],
                AddedFeatures = [.. m.Added],
                Ancestor = m.Ancestor,
                IsAlias = m.IsAlias,
                DecodeHost = m.DecodeHost,
                DecodeGuest = m.DecodeGuest,
                CompatCheck = m.CompatCheck,
            };
            _models.Add(model);
            _modelsByName.Add(model.Name, model);
        }
    }

    /// <summary>An explicit vendor choice in a model block (null vendor allowed).</summary>
    private readonly record struct VendorChoice(Vendor? Vendor);

    /// <summary>A model being read.</summary>
    private sealed class ModelDraft(string name)
    {
        public string Name { get; } = name;

        public bool HasDecode { get; set; }

        public bool DecodeHost { get; set; }

        public bool DecodeGuest { get; set; }

        public bool CompatCheck { get; set; }

        public string? Ancestor { get; set; }

        public bool IsAlias { get; set; }

        public Vendor? InheritedVendor { get; set; }

        public ImmutableArray<ModelSignature> InheritedSignatures { get; set; } = [];

        public FeatureSet InheritedFeatures { get; set; }

        public VendorChoice? Vendor { get; set; }

        public List<ModelSignature>? Signatures { get; set; }

        public bool EmptySignatures { get; set; }

        public FeatureSet? Features { get; set; }

        public bool EmptyFeatures { get; set; }

        public List<int> Removed { get; } = [];

        public List<int> Added { get; } = [];
    }

    /// <summary>Splits a line into space-separated tokens without allocating.</summary>
    private ref struct Tokens(ReadOnlySpan<char> line)
    {
        private ReadOnlySpan<char> _rest = line;

        /// <summary>The next token, or empty at the end of the line; a quoted name (<c>"A B"</c>) is one token, quotes included.</summary>
        public ReadOnlySpan<char> Next()
        {
            var s = _rest.TrimStart(' ');
            var end = s.IndexOf(' ');
            if (s.Length > 1 && s[0] == '"' && s[1..].IndexOf('"') is var close and >= 0 && (close + 2 == s.Length || s[close + 2] == ' '))
            {
                end = close + 2 < s.Length ? close + 2 : -1;
            }

            if (end < 0)
            {
                _rest = [];
                return s.TrimEnd();
            }

            _rest = s[end..];
            return s[..end];
        }

        /// <summary>The unread remainder of the line.</summary>
        public readonly ReadOnlySpan<char> Rest() => _rest;

        /// <summary>Checks that nothing is left on the line.</summary>
        public void End(Parser parser)
        {
            var t = Next();
            if (!t.IsEmpty)
            {
                throw parser.Error($"unexpected '{t}' at the end of the line");
            }
        }
    }
}
