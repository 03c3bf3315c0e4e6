using System.Collections.Immutable;
using System.Globalization;
using System.Xml;
using VirtCpu.Catalog;
using VirtCpu.Formats.Input;

namespace VirtCpu.Formats.LibvirtXml;

/// <summary>
/// Reads a libvirt <c>cpu_map</c> directory (the x86 part of <c>index.xml</c> and the files it
/// includes) into a <see cref="CpuCatalog"/>, with the rules of libvirt's <c>cpu_map.c</c> and
/// <c>cpu_x86.c</c> (specification section 1): includes in document order, vendors then features
/// then models inside each file, ancestors only backwards, pure aliases set the canonical name.
/// </summary>
public static class LibvirtMapReader
{
    /// <summary>The name of the index file of a cpu_map directory.</summary>
    public const string IndexFileName = "index.xml";

    /// <summary>Loads the x86 part of a cpu_map directory.</summary>
    /// <param name="directory">The directory holding <c>index.xml</c>.</param>
    /// <param name="name">The catalog name; default: the directory name (its parent's name when the directory is called <c>cpu_map</c>).</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="InputException">A file is missing or malformed, or the map breaks one of libvirt's rules.</exception>
    public static CpuCatalog Load(string directory, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new InputException(directory, "no such cpu_map directory");
        }

        var builder = new Builder();
        var indexPath = Path.Combine(directory, IndexFileName);
        var index = SafeXml.LoadTree(indexPath, builder.Names);
        var arch = index.Elements("arch").FirstOrDefault(a => a.Attribute("name") == "x86")
            ?? throw new InputException(indexPath, "no <arch name='x86'> element");

        builder.LoadContents(arch, indexPath);
        foreach (var element in arch.Elements())
        {
            if (element.LocalName == "include")
            {
                builder.LoadInclude(directory, element, indexPath);
            }
            else if (element.LocalName == "group" && element.Attribute("name") is not null)
            {
                foreach (var include in element.Elements("include"))
                {
                    builder.LoadInclude(directory, include, indexPath);
                }
            }
        }

        return builder.Build(name ?? DefaultName(directory), indexPath);
    }

    /// <summary>The default catalog name of a map directory.</summary>
    /// <param name="directory">The directory.</param>
    /// <returns>Its name, or its parent's name when it is called <c>cpu_map</c>.</returns>
    public static string DefaultName(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var last = Path.GetFileName(full);
        if (string.Equals(last, "cpu_map", StringComparison.Ordinal) && Path.GetFileName(Path.GetDirectoryName(full)) is { Length: > 0 } parent)
        {
            return parent;
        }

        return last;
    }

    /// <summary>Parses libvirt's bitmap syntax over steppings 0 to 15 (<c>0-4</c>, <c>5,7</c>, <c>1,10-11</c>).</summary>
    /// <param name="text">The text.</param>
    /// <param name="steppings">The bitmap.</param>
    /// <returns>False when the text is malformed or names a stepping above 15.</returns>
    public static bool TryParseSteppings(string text, out ushort steppings)
    {
        ArgumentNullException.ThrowIfNull(text);
        steppings = 0;
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var part in text.Split(','))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var first = dash < 0 ? part : part[..dash];
            var last = dash < 0 ? part : part[(dash + 1)..];
            if (!uint.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var a)
                || !uint.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var b)
                || a > b || b > 15)
            {
                return false;
            }

            for (var s = a; s <= b; s++)
            {
                steppings |= (ushort)(1 << (int)s);
            }
        }

        return true;
    }

    private static string Where(XmlTreeElement element, string what) => string.Create(CultureInfo.InvariantCulture, $"line {element.Line}: {what}");

    /// <summary>Accumulates vendors, features and models in load order.</summary>
    private sealed class Builder
    {
        private readonly List<Vendor> _vendors = [];
        private readonly Dictionary<string, Vendor> _vendorsByName = new(StringComparer.Ordinal);
        private readonly List<Feature> _features = [];
        private readonly Dictionary<string, int> _featureIndex = new(StringComparer.Ordinal);
        private readonly List<CpuModel> _models = [];
        private readonly Dictionary<string, CpuModel> _modelsByName = new(StringComparer.Ordinal);
        private readonly HashSet<string> _hasCanonical = new(StringComparer.Ordinal);

        /// <summary>The element and attribute names of every file of the map, made once.</summary>
        public NameTable Names { get; } = new();

        public void LoadInclude(string directory, XmlTreeElement include, string indexPath)
        {
            var fileName = include.Attribute("filename");
            if (string.IsNullOrEmpty(fileName))
            {
                throw new InputException(indexPath, Where(include, "<include> without a filename attribute"));
            }

            var path = Path.Combine(directory, fileName);
            if (!File.Exists(path))
            {
                throw new InputException(indexPath, Where(include, $"included file {fileName} does not exist"));
            }

            InputFile.RequireRegularFile(path, indexPath, "included file");

            LoadContents(SafeXml.LoadTree(path, Names), path);
        }

        public void LoadContents(XmlTreeElement parent, string file)
        {
            foreach (var v in parent.Elements("vendor"))
            {
                AddVendor(v, file);
            }

            foreach (var f in parent.Elements("feature"))
            {
                AddFeature(f, file);
            }

            foreach (var m in parent.Elements("model"))
            {
                AddModel(m, file);
            }
        }

        public CpuCatalog Build(string name, string indexPath)
        {
            try
            {
                return CpuCatalog.Create(name, _vendors, _features, _models);
            }
            catch (CatalogException e)
            {
                throw new InputException(indexPath, e.Message, e);
            }
        }

        private static string RequireName(XmlTreeElement element, string file, string kind)
        {
            var name = element.Attribute("name");
            return string.IsNullOrEmpty(name)
                ? throw new InputException(file, Where(element, $"<{kind}> without a name attribute"))
                : name;
        }

        private static string RequireAttribute(XmlTreeElement element, string attribute, string file, string what) =>
            element.Attribute(attribute)
            ?? throw new InputException(file, Where(element, $"{what}: <{element.LocalName}> lacks the {attribute} attribute"));

        private static uint Number(XmlTreeElement element, string attribute, string file, string what, bool required)
        {
            var text = element.Attribute(attribute);
            if (text is null)
            {
                return required
                    ? throw new InputException(file, Where(element, $"{what}: <{element.LocalName}> lacks the {attribute} attribute"))
                    : 0u;
            }

            return SafeXml.TryParseCUInt32(text, out var value)
                ? value
                : throw new InputException(file, Where(element, $"{what}: {attribute}='{text}' is not an unsigned 32-bit number"));
        }

        private static uint Decimal(XmlTreeElement element, string attribute, string file, string what)
        {
            var text = RequireAttribute(element, attribute, file, what);
            return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new InputException(file, Where(element, $"{what}: signature {attribute}='{text}' is not an unsigned decimal number"));
        }

        private static bool OnOff(XmlTreeElement element, string attribute, string file, string what) =>
            RequireAttribute(element, attribute, file, what) switch
            {
                "on" => true,
                "off" => false,
                var other => throw new InputException(file, Where(element, $"{what}: decode {attribute}='{other}' must be 'on' or 'off'")),
            };

        private static void AddBits(List<FeatureBits> bits, CpuDataKey key, CpuRegister register, uint mask)
        {
            if (mask == 0)
            {
                return;
            }

            for (var i = 0; i < bits.Count; i++)
            {
                if (bits[i].Key == key && bits[i].Register == register)
                {
                    bits[i] = bits[i] with { Mask = bits[i].Mask | mask };
                    return;
                }
            }

            bits.Add(new FeatureBits(key, register, mask));
        }

        private void AddVendor(XmlTreeElement element, string file)
        {
            var name = RequireName(element, file, "vendor");
            var what = $"vendor {name}";
            if (_vendorsByName.ContainsKey(name))
            {
                throw new InputException(file, Where(element, $"duplicate vendor {name}"));
            }

            var text = RequireAttribute(element, "string", file, what);
            if (text.Length != 12 || text.Any(c => c > 0x7F))
            {
                throw new InputException(file, Where(element, $"{what}: string '{text}' must be exactly 12 ASCII characters"));
            }

            var vendor = new Vendor(name, text);
            _vendors.Add(vendor);
            _vendorsByName.Add(name, vendor);
        }

        private void AddFeature(XmlTreeElement element, string file)
        {
            var name = RequireName(element, file, "feature");
            var what = $"feature {name}";
            if (_featureIndex.ContainsKey(name))
            {
                throw new InputException(file, Where(element, $"duplicate feature {name}"));
            }

            var migratable = element.Attribute("migratable") != "no";
            var aliases = ImmutableArray.CreateBuilder<FeatureAlias>();
            var bits = new List<FeatureBits>();
            var items = 0;
            foreach (var child in element.Elements())
            {
                switch (child.LocalName)
                {
                    case "alias":
                        aliases.Add(new FeatureAlias(RequireName(child, file, "alias"), child.Attribute("source") ?? string.Empty));
                        break;
                    case "cpuid":
                        {
                            items++;
                            var key = CpuDataKey.Cpuid(Number(child, "eax_in", file, what, true), Number(child, "ecx_in", file, what, false));
                            AddBits(bits, key, CpuRegister.Eax, Number(child, "eax", file, what, false));
                            AddBits(bits, key, CpuRegister.Ebx, Number(child, "ebx", file, what, false));
                            AddBits(bits, key, CpuRegister.Ecx, Number(child, "ecx", file, what, false));
                            AddBits(bits, key, CpuRegister.Edx, Number(child, "edx", file, what, false));
                            break;
                        }

                    default:
                        {
                            // libvirt parses every other element as <msr>.
                            items++;
                            var key = CpuDataKey.Msr(Number(child, "index", file, what, true));
                            AddBits(bits, key, CpuRegister.Eax, Number(child, "eax", file, what, true));
                            AddBits(bits, key, CpuRegister.Edx, Number(child, "edx", file, what, true));
                            break;
                        }
                }
            }

            if (items == 0 && aliases.Count == 0)
            {
                throw new InputException(file, Where(element, $"{what}: no x86 CPU data found"));
            }

            if (bits.Count == 0)
            {
                throw new InputException(file, Where(element, $"{what}: no CPUID or MSR bits (VirtCpu needs at least one bit per feature)"));
            }

            _featureIndex.Add(name, _features.Count);
            _features.Add(new Feature(name, [.. bits], migratable, aliases.ToImmutable()));
        }

        private void AddModel(XmlTreeElement element, string file)
        {
            var name = RequireName(element, file, "model");
            var what = $"model {name}";
            if (_modelsByName.ContainsKey(name))
            {
                throw new InputException(file, Where(element, $"duplicate model {name}"));
            }

            var compat = CompatCheck(element, file, what);
            var decode = element.Element("decode") ?? throw new InputException(file, Where(element, $"{what}: missing <decode> element"));
            var decodeHost = OnOff(decode, "host", file, what);
            var decodeGuest = OnOff(decode, "guest", file, what);
            var (ancestorName, vendor, signatures, features) = Ancestor(element, file, what);
            var changed = false;
            if (Signatures(element, file, what) is { } own)
            {
                signatures = own;
                changed = true;
            }

            if (element.Element("vendor") is { } vendorElement)
            {
                var vendorName = RequireName(vendorElement, file, "vendor");
                vendor = _vendorsByName.GetValueOrDefault(vendorName)
                    ?? throw new InputException(file, Where(vendorElement, $"{what}: unknown vendor {vendorName}"));
                changed = true;
            }

            var (removed, added, anyFeature) = ModelFeatures(element, file, what, ref features);
            changed |= anyFeature;

            // The canonical link: a model that only names an ancestor is an alias of it.
            var isAlias = ancestorName is not null && !changed;
            if (isAlias && !_hasCanonical.Add(ancestorName!))
            {
                throw new InputException(file, Where(element, $"{what}: model {ancestorName} already has a canonical model"));
            }

            var result = new CpuModel
            {
                Name = name,
                Vendor = vendor,
                Signatures = signatures,
                Features = features,
                RemovedFeatures = removed,
                AddedFeatures = added,
                Ancestor = ancestorName,
                IsAlias = isAlias,
                DecodeHost = decodeHost,
                DecodeGuest = decodeGuest,
                CompatCheck = compat,
            };
            _models.Add(result);
            _modelsByName.Add(name, result);
        }

        /// <summary>The model's <c>check partial='compat'</c> mark.</summary>
        private static bool CompatCheck(XmlTreeElement element, string file, string what)
        {
            if (element.Element("check") is not { } check)
            {
                return false;
            }

            var partial = check.Attribute("partial");
            if (partial != "compat")
            {
                throw new InputException(file, Where(check, partial is null
                    ? $"{what}: <check> lacks the partial attribute"
                    : $"{what}: unsupported check partial='{partial}' (only 'compat' is known)"));
            }

            return true;
        }

        /// <summary>What the model inherits from its ancestor (defined earlier): vendor, signatures, features less those the ancestor marks removed.</summary>
        private (string? Name, Vendor? Vendor, ImmutableArray<ModelSignature> Signatures, FeatureSet Features) Ancestor(XmlTreeElement element, string file, string what)
        {
            if (element.Element("model") is not { } ancestorElement)
            {
                return (null, null, ImmutableArray<ModelSignature>.Empty, FeatureSet.Empty);
            }

            var ancestorName = RequireName(ancestorElement, file, "model");
            if (!_modelsByName.TryGetValue(ancestorName, out var ancestor))
            {
                throw new InputException(file, Where(ancestorElement, $"{what}: ancestor {ancestorName} not found (an ancestor must be defined earlier)"));
            }

            var features = ancestor.Features;
            foreach (var removed in ancestor.RemovedFeatures)
            {
                features = features.Without(removed);
            }

            return (ancestorName, ancestor.Vendor, ancestor.Signatures, features);
        }

        /// <summary>The model's own <c>signature</c> elements, or null when it has none.</summary>
        private static ImmutableArray<ModelSignature>? Signatures(XmlTreeElement element, string file, string what)
        {
            var signatureElements = element.Elements("signature").ToList();
            if (signatureElements.Count == 0)
            {
                return null;
            }

            var list = ImmutableArray.CreateBuilder<ModelSignature>(signatureElements.Count);
            foreach (var signature in signatureElements)
            {
                var family = Decimal(signature, "family", file, what);
                if (family == 0)
                {
                    throw new InputException(file, Where(signature, $"{what}: signature family must not be 0"));
                }

                var model = Decimal(signature, "model", file, what);
                ushort? steppings = null;
                if (signature.Attribute("stepping") is { } steppingText)
                {
                    if (!TryParseSteppings(steppingText, out var bitmap))
                    {
                        throw new InputException(file, Where(signature, $"{what}: signature stepping='{steppingText}' is not a set of steppings 0-15"));
                    }

                    steppings = bitmap;
                }

                list.Add(new ModelSignature(family, model, steppings));
            }

            return list.MoveToImmutable();
        }

        /// <summary>The model's <c>feature</c> elements: plain ones join <paramref name="features"/>, <c>removed='yes'</c> and <c>added='yes'</c> ones are marks.</summary>
        private (ImmutableArray<int> Removed, ImmutableArray<int> Added, bool Any) ModelFeatures(XmlTreeElement element, string file, string what, ref FeatureSet features)
        {
            var removedList = ImmutableArray.CreateBuilder<int>();
            var addedList = ImmutableArray.CreateBuilder<int>();
            var any = false;
            foreach (var f in element.Elements("feature"))
            {
                any = true;
                var featureName = RequireName(f, file, "feature");
                if (!_featureIndex.TryGetValue(featureName, out var index))
                {
                    throw new InputException(file, Where(f, $"{what}: unknown feature {featureName}"));
                }

                if (f.Attribute("removed") == "yes")
                {
                    removedList.Add(index);
                }
                else if (f.Attribute("added") == "yes")
                {
                    addedList.Add(index);
                }
                else
                {
                    features = features.With(index);
                }
            }

            return (removedList.ToImmutable(), addedList.ToImmutable(), any);
        }
    }
}

