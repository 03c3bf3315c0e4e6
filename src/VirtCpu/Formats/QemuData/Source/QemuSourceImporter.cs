using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Formats.Input;
using VirtCpu.Qemu;

namespace VirtCpu.Formats.QemuData.Source;

/// <summary>
/// Builds a <see cref="QemuHypervisorCatalog"/> from a QEMU source tree, reading what the x86 target
/// itself declares in <c>target/i386/cpu.c</c>: the feature words with their names, TCG masks,
/// unmigratable and no-autoenable flags (<c>feature_word_info[]</c>), the alias spellings registered
/// by the CPU's instance init, the dependency table (<c>feature_dependencies[]</c>) and the builtin
/// model table with versions, aliases, notes, props and cache descriptor sets
/// (<c>builtin_x86_defs[]</c>). Constants come from <c>target/i386/cpu.h</c>,
/// <c>include/qemu/hw-version.h</c> and <c>cpu.c</c>'s own macros, with the conditionals of an
/// <c>x86_64-softmmu</c> build on Linux.
/// </summary>
public static class QemuSourceImporter
{
    private static readonly IReadOnlySet<string> Defined = new HashSet<string>(["TARGET_X86_64", "CONFIG_LINUX", "CONFIG_SOFTMMU", "CONFIG_TCG", "CONFIG_KVM"], StringComparer.Ordinal);

    /// <summary>Imports a QEMU source tree.</summary>
    /// <param name="directory">The top of the tree (holding <c>VERSION</c> and <c>target/i386/cpu.c</c>).</param>
    /// <param name="name">The catalog name, or null for <c>qemu-X.Y</c> from the tree's <c>VERSION</c> file.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="InputException">When a file is missing or a table cannot be read.</exception>
    public static QemuHypervisorCatalog ImportDirectory(string directory, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var versionFile = Path.Combine(directory, "VERSION");
        if (!File.Exists(versionFile))
        {
            throw new InputException(versionFile, "no such file (is this a QEMU source tree?)");
        }

        var versionText = InputFile.ReadAllText(versionFile).Trim();
        if (!Version.TryParse(versionText, out var full))
        {
            throw new InputException(versionFile, $"'{versionText}' is not a version");
        }

        var version = new Version(full.Major, full.Minor);
        name ??= $"qemu-{version.ToString(2)}";
        var macros = new CMacros();
        var cpuH = Path.Combine(directory, "target", "i386", "cpu.h");
        _ = CSource.Read(cpuH, macros, Defined);
        var kvmPara = Path.Combine(directory, "include", "standard-headers", "asm-x86", "kvm_para.h");
        if (File.Exists(kvmPara))
        {
            _ = CSource.Read(kvmPara, macros, Defined);
        }

        // QEMU_HW_VERSION (the model-id of qemu64 and friends) has its own header since 7.0; older trees define it in osdep.h.
        var hwVersion = Path.Combine(directory, "include", "qemu", "hw-version.h");
        var osdep = Path.Combine(directory, "include", "qemu", "osdep.h");
        if (File.Exists(hwVersion))
        {
            _ = CSource.Read(hwVersion, macros, Defined);
        }
        else if (File.Exists(osdep))
        {
            var scratch = new CMacros();
            _ = CSource.Read(osdep, scratch, Defined);
            if (scratch.Body("QEMU_HW_VERSION") is { } hw)
            {
                macros.Define("QEMU_HW_VERSION " + hw);
            }
        }

        var cpuC = CSource.Read(Path.Combine(directory, "target", "i386", "cpu.c"), macros, Defined);
        var catalog = Import(name, version, cpuC, macros);
        return AddMachineData(directory, catalog, macros);
    }

    /// <summary>
    /// Adds the versioned PC machine types (<c>hw/i386/pc_piix.c</c>, <c>pc_q35.c</c>) and the CPU
    /// compat properties of <c>hw/i386/pc.c</c>'s <c>pc_compat_X_Y[]</c> arrays (entries for
    /// <c>TYPE_X86_CPU</c> or one <c>MODEL-x86_64-cpu</c> class whose property shapes the model).
    /// <c>hw/core/machine.c</c>'s <c>hw_compat_X_Y[]</c> holds no x86 CPU entries in 5.2 to 10.2.
    /// </summary>
    private static QemuHypervisorCatalog AddMachineData(string directory, QemuHypervisorCatalog catalog, CMacros macros)
    {
        var i386 = Path.Combine(directory, "hw", "i386");
        var pcFile = Path.Combine(i386, "pc.c");
        foreach (var required in new[] { pcFile, Path.Combine(i386, "pc_piix.c"), Path.Combine(i386, "pc_q35.c") })
        {
            if (!File.Exists(required))
            {
                throw new InputException(required, "missing: a QEMU source tree holds the PC machine types and their compat properties there");
            }
        }

        var cpuQom = Path.Combine(directory, "target", "i386", "cpu-qom.h");
        if (File.Exists(cpuQom))
        {
            _ = CSource.Read(cpuQom, macros, Defined);
        }

        // Before 7.0, PC_CPU_MODEL_IDS (the model-ids of the old arrays) lives in include/hw/i386/pc.h.
        var pcH = Path.Combine(directory, "include", "hw", "i386", "pc.h");
        if (File.Exists(pcH))
        {
            var scratch = new CMacros();
            _ = CSource.Read(pcH, scratch, Defined);
            if (scratch.Function("PC_CPU_MODEL_IDS") is { } ids)
            {
                macros.Define($"PC_CPU_MODEL_IDS({string.Join(',', ids.Parameters)}) {ids.Body}");
            }
        }

        var cpuType = macros.Body("TYPE_X86_CPU") is { } body ? CExpression.EvaluateString(CSource.Tokenize(cpuQom, body), macros) : "x86_64-cpu";
        var pc = CSource.Read(pcFile, macros, Defined);
        var compat = ReadCompatProperties(pc, macros, cpuType, catalog);
        var machines = ReadMachineTypes(i386);
        if (machines.Count == 0)
        {
            throw new InputException(Path.Combine(i386, "pc_piix.c"), "no DEFINE_I440FX_MACHINE or DEFINE_Q35_MACHINE found");
        }

        return catalog.WithMachineData(
            machines.OrderBy(m => m.Series).ThenBy(m => m.Version).Select(m => m.Name).Distinct(StringComparer.Ordinal),
            compat.OrderByDescending(c => c.Release));
    }

    /// <summary>The CPU entries of <c>pc.c</c>'s <c>pc_compat_X_Y[]</c> arrays, for the properties the catalog models.</summary>
    private static List<QemuCompatProperty> ReadCompatProperties(CSource pc, CMacros macros, string cpuType, QemuHypervisorCatalog catalog)
    {
        var compat = new List<QemuCompatProperty>();
        for (var i = 0; i + 4 < pc.Tokens.Count; i++)
        {
            var t = pc.Tokens[i];
            if (t.Kind != CTokenKind.Identifier || !t.Text.StartsWith("pc_compat_", StringComparison.Ordinal) || !pc.Tokens[i + 1].Is("[") || !pc.Tokens[i + 2].Is("]") || !pc.Tokens[i + 3].Is("=") || !pc.Tokens[i + 4].Is("{"))
            {
                continue;
            }

            var parts = t.Text["pc_compat_".Length..].Split('_');
            if (parts.Length != 2 || !Version.TryParse($"{parts[0]}.{parts[1]}", out var release))
            {
                continue;
            }

            var end = i + 4;
            for (var depth = 0; end < pc.Tokens.Count; end++)
            {
                depth += pc.Tokens[end].Is("{") ? 1 : pc.Tokens[end].Is("}") ? -1 : 0;
                if (depth == 0)
                {
                    break;
                }
            }

            _ = pc.ExpandFunctionMacros(i + 4, end, macros);
            foreach (var entry in pc.ParseInitializer(i + 4).Items)
            {
                if (CompatProperty(entry, release, macros, cpuType, catalog) is { } property)
                {
                    compat.Add(property);
                }
            }
        }

        return compat;
    }

    /// <summary>One <c>{ TYPE, PROPERTY, VALUE }</c> entry of a compat array, or null when it is not a modelled CPU property.</summary>
    private static QemuCompatProperty? CompatProperty(CItem entry, Version release, CMacros macros, string cpuType, QemuHypervisorCatalog catalog)
    {
        if (entry.List is not { Items.Count: >= 3 } e)
        {
            return null;
        }

        string type, property, value;
        try
        {
            type = CExpression.EvaluateString(e.Items[0].Expression, macros);
            property = CExpression.EvaluateString(e.Items[1].Expression, macros);
            value = CExpression.EvaluateString(e.Items[2].Expression, macros);
        }
        catch (InputException)
        {
            return null; // another device's type macro: not a CPU entry
        }

        string? model = type == cpuType ? null : type.EndsWith("-" + cpuType, StringComparison.Ordinal) ? type[..^(cpuType.Length + 1)] : "";
        if (model is { Length: 0 } || !QemuCompatProperties.IsModelled(catalog, property))
        {
            return null;
        }

        return new QemuCompatProperty(release, model, property, value);
    }

    /// <summary>The versioned machine types that <c>pc_piix.c</c> and <c>pc_q35.c</c> define.</summary>
    private static List<(int Series, Version Version, string Name)> ReadMachineTypes(string i386)
    {
        var machines = new List<(int Series, Version Version, string Name)>();
        foreach (var (file, prefix, series) in new[] { ("pc_piix.c", "pc-i440fx-", 0), ("pc_q35.c", "pc-q35-", 1) })
        {
            var tokens = CSource.Read(Path.Combine(i386, file), new CMacros(), Defined).Tokens;
            for (var i = 0; i + 1 < tokens.Count; i++)
            {
                if (tokens[i].Kind != CTokenKind.Identifier || !(tokens[i].Text.StartsWith("DEFINE_I440FX_MACHINE", StringComparison.Ordinal) || tokens[i].Text.StartsWith("DEFINE_Q35_MACHINE", StringComparison.Ordinal)) || !tokens[i + 1].Is("("))
                {
                    continue;
                }

                var args = tokens.Skip(i + 2).TakeWhile(a => !a.Is(")")).Where(a => !a.Is(",")).ToList();
                var literal = args.FirstOrDefault(a => a.Kind == CTokenKind.String && a.Text.StartsWith(prefix, StringComparison.Ordinal));
                var name = literal.Text ?? (args.Count is 2 or 3 && args.All(a => a.Kind == CTokenKind.Number) ? prefix + string.Join('.', args.Select(a => a.Text)) : null);
                if (name is not null && Version.TryParse(name[prefix.Length..], out var v))
                {
                    machines.Add((series, v, name));
                }
            }
        }

        return machines;
    }

    /// <summary>Imports from a preprocessed <c>cpu.c</c>.</summary>
    internal static QemuHypervisorCatalog Import(string name, Version version, CSource cpuC, CMacros macros)
    {
        var file = cpuC.File;
        try
        {
            var (words, features) = ReadFeatureWords(cpuC, macros);
            var byName = features.ToDictionary(f => f.Name, StringComparer.Ordinal);
            features = AddAliases(cpuC, features, byName);
            var wordByName = words.ToDictionary(w => w.Name, StringComparer.Ordinal);
            var dependencies = ReadDependencies(cpuC, macros, wordByName);
            var models = ReadModels(cpuC, macros, wordByName, features);
            return QemuHypervisorCatalog.Create(name, version, words, features, dependencies, models);
        }
        catch (InputException e) when (e.File is null)
        {
            throw new InputException(file, e.Message, e);
        }
        catch (CatalogException e)
        {
            throw new InputException(file, e.Message, e);
        }
        catch (ArgumentException e)
        {
            throw new InputException(file, e.Message, e);
        }
    }

    private static ulong Int(CItem? item, CMacros macros, ulong absent = 0) =>
        item is null ? absent : new CExpression(item.Expression, macros).Evaluate();

    private static (List<QemuFeatureWord> Words, List<QemuFeature> Features) ReadFeatureWords(CSource source, CMacros macros)
    {
        var table = source.ParseInitializer(source.FindInitializer("feature_word_info"));
        var words = new List<QemuFeatureWord>();
        var features = new List<QemuFeature>();
        foreach (var entry in table.Items)
        {
            if (entry.Designator is not { } d || !d.StartsWith('[') || entry.List is null)
            {
                throw new InputException($"line {entry.Line}: feature_word_info[] entry without a [FEAT_X] designator");
            }

            var wordName = d[1..^1];
            var e = entry.List;
            var word = ReadWord(entry, wordName, macros);
            var names = ReadFeatureNames(source, e, wordName, macros);
            var tcg = Int(e["tcg_features"], macros);
            var unmigratable = Int(e["unmigratable_flags"], macros);
            var noAutoEnable = Int(e["no_autoenable_flags"], macros);
            var (order, bits) = GroupBitsByName(names);
            if (order.Count == 0)
            {
                continue;
            }

            words.Add(word);
            foreach (var n in order)
            {
                var mask = bits[n].Aggregate(0UL, (m, b) => m | (1UL << b));
                features.Add(new QemuFeature(n, word, [.. bits[n]], [], (unmigratable & mask) == 0, (tcg & mask) != 0, (noAutoEnable & mask) == 0));
            }
        }

        return (words, features);
    }

    /// <summary>A <c>feature_word_info[]</c> entry's register or MSR (<c>.type</c>, <c>.cpuid</c> or <c>.msr</c>).</summary>
    private static QemuFeatureWord ReadWord(CItem entry, string wordName, CMacros macros)
    {
        var e = entry.List!;
        var type = e["type"]?.Expression.SingleOrDefault().Text;
        if (type == "MSR_FEATURE_WORD")
        {
            var msr = e["msr"]?.List ?? throw new InputException($"line {entry.Line}: {wordName}: MSR word without .msr");
            return new QemuFeatureWord(wordName, CpuDataKind.Msr, (uint)Int(msr["index"], macros), null, CpuRegister.Eax);
        }

        var cpuid = e["cpuid"]?.List ?? throw new InputException($"line {entry.Line}: {wordName}: CPUID word without .cpuid");
        var register = cpuid["reg"]?.Expression.SingleOrDefault().Text switch
        {
            "R_EAX" => CpuRegister.Eax,
            "R_EBX" => CpuRegister.Ebx,
            "R_ECX" => CpuRegister.Ecx,
            "R_EDX" => CpuRegister.Edx,
            var r => throw new InputException($"line {entry.Line}: {wordName}: register '{r}' is not R_EAX/R_EBX/R_ECX/R_EDX"),
        };
        uint? subleaf = Int(cpuid["needs_ecx"], macros) != 0 ? (uint)Int(cpuid["ecx"], macros) : null;
        return new QemuFeatureWord(wordName, CpuDataKind.Cpuid, (uint)Int(cpuid["eax"], macros), subleaf, register);
    }

    /// <summary>The 64 bit names of a word's <c>.feat_names</c> (null where a bit has none).</summary>
    private static string?[] ReadFeatureNames(CSource source, CInit word, string wordName, CMacros macros)
    {
        var names = new string?[64];
        if (word["feat_names"]?.List is { } list)
        {
            var at = 0;
            foreach (var n in list.Items)
            {
                if (n.Designator is { } nd)
                {
                    at = (int)new CExpression(CSource.Tokenize(source.File, nd[1..^1]), macros).Evaluate();
                }

                if (at >= names.Length)
                {
                    throw new InputException($"line {n.Line}: {wordName}: more than 64 feature names");
                }

                names[at++] = n.Expression is [{ Kind: CTokenKind.String } s] ? s.Text : null;
            }
        }

        return names;
    }

    /// <summary>The distinct names of a word in bit order, each with its bits (a name may cover several).</summary>
    private static (List<string> Order, Dictionary<string, List<int>> Bits) GroupBitsByName(string?[] names)
    {
        var order = new List<string>();
        var bits = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var b = 0; b < names.Length; b++)
        {
            if (names[b] is not { } n)
            {
                continue;
            }

            if (!bits.TryGetValue(n, out var l))
            {
                bits.Add(n, l = []);
                order.Add(n);
            }

            l.Add(b);
        }

        return (order, bits);
    }

    /// <summary>Adds the alias spellings the CPU's instance init registers (<c>object_property_add_alias(obj, "sse3", obj, "pni")</c>), in source order.</summary>
    private static List<QemuFeature> AddAliases(CSource source, List<QemuFeature> features, Dictionary<string, QemuFeature> byName)
    {
        var aliases = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var t = source.Tokens;
        for (var i = 0; i + 8 < t.Count; i++)
        {
            if (t[i].Kind == CTokenKind.Identifier && t[i].Text == "object_property_add_alias" && t[i + 1].Is("(")
                && t[i + 4].Kind == CTokenKind.String && t[i + 8].Kind == CTokenKind.String && byName.ContainsKey(t[i + 8].Text))
            {
                if (!aliases.TryGetValue(t[i + 8].Text, out var l))
                {
                    aliases.Add(t[i + 8].Text, l = []);
                }

                if (!l.Contains(t[i + 4].Text))
                {
                    l.Add(t[i + 4].Text);
                }
            }
        }

        return [.. features.Select(f => aliases.TryGetValue(f.Name, out var a)
            ? new QemuFeature(f.Name, f.Word, f.Bits, [.. a], f.Migratable, f.Tcg, f.AutoEnable)
            : f)];
    }

    private static List<QemuFeatureDependency> ReadDependencies(CSource source, CMacros macros, Dictionary<string, QemuFeatureWord> words)
    {
        var table = source.ParseInitializer(source.FindInitializer("feature_dependencies"));
        var result = new List<QemuFeatureDependency>();
        foreach (var entry in table.Items)
        {
            var from = entry.List?["from"]?.List;
            var to = entry.List?["to"]?.List;
            if (from is not { Items.Count: 2 } || to is not { Items.Count: 2 })
            {
                throw new InputException($"line {entry.Line}: feature_dependencies[] entry is not {{ .from = {{ WORD, MASK }}, .to = {{ WORD, MASK }} }}");
            }

            var fromWord = from.Items[0].Expression.SingleOrDefault().Text;
            var toWord = to.Items[0].Expression.SingleOrDefault().Text;
            if (!words.TryGetValue(fromWord, out var fw) || !words.TryGetValue(toWord, out var tw))
            {
                // A word without named features cannot be expressed in the catalog; no model can set it.
                continue;
            }

            result.Add(new QemuFeatureDependency(fw, new CExpression(from.Items[1].Expression, macros).Evaluate(), tw, new CExpression(to.Items[1].Expression, macros).Evaluate()));
        }

        return result;
    }

    private static List<QemuBaseModel> ReadModels(CSource source, CMacros macros, Dictionary<string, QemuFeatureWord> words, List<QemuFeature> features)
    {
        var table = source.ParseInitializer(source.FindInitializer("builtin_x86_defs"));
        var models = new List<QemuBaseModel>();
        foreach (var entry in table.Items)
        {
            var m = entry.List ?? throw new InputException($"line {entry.Line}: builtin_x86_defs[] entry is not a list");
            var name = String(m["name"], macros) ?? throw new InputException($"line {entry.Line}: model without .name");
            var (set, unnamed) = ReadModelFeatures(m, name, macros, words, features);
            var definition = new QemuModelDefinition
            {
                Vendor = String(m["vendor"], macros) ?? throw new InputException($"line {entry.Line}: {name}: no .vendor"),
                Family = (int)Int(m["family"], macros),
                Model = (int)Int(m["model"], macros),
                Stepping = (int)Int(m["stepping"], macros),
                ModelId = String(m["model_id"], macros) ?? "",
                Level = (uint)Int(m["level"], macros),
                XLevel = (uint)Int(m["xlevel"], macros),
                Avx10Version = (int)Int(m["avx10_version"], macros),
                Features = set,
                UnnamedBits = unnamed,
                CacheInfo = Reference(m["cache_info"]),
            };
            models.Add(new QemuBaseModel(name, definition, [.. ReadVersions(m, macros)]));
        }

        return models;
    }

    /// <summary>A model's <c>.features[FEAT_X]</c> masks: the named features (numbered by their position in the table) and the bits without a name.</summary>
    private static (FeatureSet Set, ImmutableArray<QemuWordBit> Unnamed) ReadModelFeatures(CInit model, string name, CMacros macros, Dictionary<string, QemuFeatureWord> words, List<QemuFeature> features)
    {
        var set = FeatureSet.Empty;
        var unnamed = ImmutableArray.CreateBuilder<QemuWordBit>();
        foreach (var item in model.Items.Where(i => i.Designator?.StartsWith("features[", StringComparison.Ordinal) == true))
        {
            var wordName = item.Designator!["features[".Length..^1];
            var mask = new CExpression(item.Expression, macros).Evaluate();
            if (mask == 0)
            {
                continue;
            }

            if (!words.TryGetValue(wordName, out var word))
            {
                throw new InputException($"line {item.Line}: {name}: features of {wordName}, a word without named features");
            }

            var left = mask;
            for (var fi = 0; fi < features.Count; fi++)
            {
                // The catalog numbers features by their position in the table.
                if (features[fi].Word == word && (features[fi].Mask & mask) != 0)
                {
                    set = set.With(fi);
                    left &= ~features[fi].Mask;
                }
            }

            for (var b = 0; b < 64; b++)
            {
                if ((left & (1UL << b)) != 0)
                {
                    unnamed.Add(new QemuWordBit(wordName, b));
                }
            }
        }

        return (set, unnamed.ToImmutable());
    }

    /// <summary>A model's <c>.versions</c> (version, alias, note, props, cache descriptors), or version 1 alone when it has none.</summary>
    private static List<QemuModelVersion> ReadVersions(CInit model, CMacros macros)
    {
        var versions = new List<QemuModelVersion>();
        if (model["versions"]?.List is { } list)
        {
            foreach (var v in list.Items)
            {
                if (v.List is not { Items.Count: > 0 } vl)
                {
                    continue;
                }

                var props = ImmutableArray.CreateBuilder<QemuProp>();
                foreach (var p in vl["props"]?.List?.Items ?? [])
                {
                    if (p.List is { Items: [var pn, var pv] })
                    {
                        var propName = CExpression.EvaluateString(pn.Expression, macros);
                        var propValue = CExpression.EvaluateString(pv.Expression, macros);
                        props.Add(new QemuProp(propName, propValue));
                    }
                }

                versions.Add(new QemuModelVersion((int)Int(vl["version"], macros), String(vl["alias"], macros), String(vl["note"], macros), props.ToImmutable(), Reference(vl["cache_info"])));
            }
        }

        if (versions.Count == 0)
        {
            versions.Add(new QemuModelVersion(1, null, null, [], null));
        }

        return versions;
    }

    private static string? String(CItem? item, CMacros macros) =>
        item is null ? null : CExpression.EvaluateString(item.Expression, macros);

    private static string? Reference(CItem? item) =>
        item?.Expression switch
        {
            [{ Text: "&" }, { Kind: CTokenKind.Identifier } id] => id.Text,
            [{ Kind: CTokenKind.Identifier } id] when id.Text != "NULL" => id.Text,
            _ => null,
        };
}
