using System.Collections.Immutable;
using System.Globalization;
using VirtCpu.Catalog;

namespace VirtCpu.Qemu.BinaryImport;

/// <summary>
/// Builds a catalog's base models and versions from a model probe. Each version's definition is
/// what QEMU loads for it, read through the reveal plan; the base (LEGACY) definition is version 1's
/// (no QEMU release gives version 1 props of its own); a version's props are the differences from the
/// previous version (features, vendor, signature, levels, AVX10 version, model-id, and QEMU's
/// <c>x-</c> knobs). A probe cannot see the names of QEMU's cache descriptor sets or the bits a
/// model sets that have no feature name: both come from the inherited catalog's model of the same
/// name; a model or version it lacks gets <c>cache-info unknown</c> where QEMU shows that one starts.
/// </summary>
public static class QemuModelTable
{
    /// <summary>The cache-info label of a cache descriptor set whose QEMU name a probe cannot know.</summary>
    public const string UnknownCacheInfo = "unknown";

    /// <summary>Builds the models.</summary>
    /// <param name="catalog">The catalog with the final features (its models are not used).</param>
    /// <param name="observation">The model probe.</param>
    /// <param name="plan">The plan the probe followed.</param>
    /// <param name="help">The <c>-cpu help</c> output (version notes).</param>
    /// <param name="inherited">The inherited catalog, or null.</param>
    /// <param name="hiddenByAccelerator">Features the accelerator's defaults switch off in every table model (<c>vme</c> under TCG), taken from the inherited catalog.</param>
    /// <param name="notes">Receives what was inherited.</param>
    /// <returns>The base models, the inherited catalog's order first, new models after in name order.</returns>
    public static ImmutableArray<QemuBaseModel> Build(QemuHypervisorCatalog catalog, QemuModelObservation observation, QemuRevealPlan plan, QemuCpuHelp help, QemuHypervisorCatalog? inherited, IReadOnlyCollection<string> hiddenByAccelerator, IList<string> notes)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(observation);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(help);
        ArgumentNullException.ThrowIfNull(hiddenByAccelerator);
        ArgumentNullException.ThrowIfNull(notes);
        var bases = observation.Versions.Keys.Select(v => v[..v.LastIndexOf("-v", StringComparison.Ordinal)]).Distinct().ToList();
        var order = (inherited?.Models.Select(m => m.Name) ?? []).Where(bases.Contains).Concat(bases.Order(StringComparer.Ordinal)).Distinct().ToList();
        var context = new Context(catalog, observation, plan, help, inherited, hiddenByAccelerator);
        var models = order.Select(context.Model).ToImmutableArray();
        context.Report(notes);
        return models;
    }

    private sealed class Context(QemuHypervisorCatalog catalog, QemuModelObservation observation, QemuRevealPlan plan, QemuCpuHelp help, QemuHypervisorCatalog? inherited, IReadOnlyCollection<string> hidden)
    {
        private readonly HashSet<string> _canonical = [.. catalog.Features.Select(f => f.Name)];
        private readonly List<string> _newModels = [];
        private readonly List<string> _unknownCache = [];
        private readonly List<string> _raisedLevels = [];
        private readonly List<string> _hiddenFromPrevious = [];
        private int _hiddenInherited;

        public QemuBaseModel Model(string name)
        {
            var count = observation.Versions.Keys.Count(k => k.StartsWith(name + "-v", StringComparison.Ordinal) && int.TryParse(k.AsSpan(name.Length + 2), NumberStyles.None, CultureInfo.InvariantCulture, out _));
            var old = inherited?.Model(name);
            if (old is null)
            {
                _newModels.Add(name);
            }

            var defs = new List<QemuModelDefinition>();
            var versions = ImmutableArray.CreateBuilder<QemuModelVersion>();
            for (var n = 1; n <= count; n++)
            {
                var vname = $"{name}-v{n}";
                var expansions = observation.Versions.TryGetValue(vname, out var e) ? e : throw new CatalogException($"model {name}: QEMU lists {count} versions but not {vname}");
                var previous = n == 1 ? null : observation.Versions[$"{name}-v{n - 1}"][0];
                var def = Levels(vname, Definition(vname, expansions, old, defs.Count > 0 ? defs[^1] : null), expansions[0], old, defs.Count > 0 ? defs[^1] : null, previous);
                var cache = previous is null ? null : CacheInfo(vname, expansions[0], previous, old);
                var props = previous is null ? [] : Props(defs[^1], def, previous, expansions[0]);
                var alias = observation.Definitions.FirstOrDefault(d => d.AliasOf == vname && d.Name != name)?.Name;
                versions.Add(new QemuModelVersion(n, alias, help.Note(vname, def.ModelId), props, cache));
                defs.Add(def);
            }

            var baseCache = old is not null ? old.Definition.CacheInfo : CacheInfo($"{name}-v1", observation.Versions[$"{name}-v1"][0], null, null);
            return new QemuBaseModel(name, defs[0] with { CacheInfo = baseCache }, versions.ToImmutable());
        }

        public void Report(IList<string> notes)
        {
            if (_newModels.Count > 0)
            {
                notes.Add($"models {inherited?.Name ?? "no inherited catalog"} lacks (added after its models, by name; no unnamed bits): {string.Join(' ', _newModels)}");
            }

            if (!observation.LevelsAsTable)
            {
                notes.Add($"levels: this QEMU shows min-level and min-xlevel raised to what the features need; taken from {inherited?.Name ?? "no catalog"}'s version of the same name, else from the previous version when QEMU shows both the same{(_raisedLevels.Count > 0 ? $"; as QEMU shows them (possibly raised) for {string.Join(", ", _raisedLevels)}" : "")}");
            }

            if (_unknownCache.Count > 0)
            {
                notes.Add($"cache-info {UnknownCacheInfo}: QEMU shows that these start a cache descriptor set of their own but not its name: {string.Join(' ', _unknownCache)}");
            }

            if (_hiddenInherited + _hiddenFromPrevious.Count > 0)
            {
                notes.Add($"{string.Join(',', hidden)}: switched off by the accelerator in every expansion, so taken from {inherited?.Name ?? "no catalog"} for {_hiddenInherited} versions{(_hiddenFromPrevious.Count > 0 ? $" and from the previous version for {string.Join(' ', _hiddenFromPrevious)}" : "")}");
            }
        }

        /// <summary>What QEMU loads for a version: each feature read from the expansion that shows it; hypervisor (set by every load) left out.</summary>
        private QemuModelDefinition Definition(string vname, ImmutableArray<QemuModelExpansion> expansions, QemuBaseModel? old, QemuModelDefinition? previous)
        {
            var enabled = expansions.Select(e => QemuModelProbe.Enabled(e, _canonical)).ToList();
            var set = FeatureSet.Empty;
            foreach (var f in catalog.Features)
            {
                if (f.Name == "hypervisor" || hidden.Contains(f.Name))
                {
                    continue;
                }

                if (enabled[plan.ShownBy(f.Name)].Contains(f.Name))
                {
                    set = set.With(f.Index);
                }
            }

            foreach (var h in hidden)
            {
                if (catalog.Feature(h) is { } f && Hidden(vname, h, old, previous))
                {
                    set = set.With(f.Index);
                }
            }

            var plain = expansions[0];
            return new QemuModelDefinition
            {
                Vendor = QemuProbe.Text(plain, "vendor") ?? "",
                Family = (int)(QemuProbe.Number(plain, "family") ?? 0),
                Model = (int)(QemuProbe.Number(plain, "model") ?? 0),
                Stepping = (int)(QemuProbe.Number(plain, "stepping") ?? 0),
                ModelId = QemuProbe.Text(plain, "model-id") ?? "",
                Level = (uint)(QemuProbe.Number(plain, "min-level") ?? 0),
                XLevel = (uint)(QemuProbe.Number(plain, "min-xlevel") ?? 0),
                Avx10Version = (int)(QemuProbe.Number(plain, "avx10-version") ?? 0),
                Features = set,
                UnnamedBits = old?.Definition.UnnamedBits ?? [],
            };
        }

        /// <summary>
        /// The table's levels when QEMU shows them raised to what the features need (no
        /// <c>full-cpuid-auto-level</c> switch): the inherited version's when it is not above what
        /// QEMU shows (released versions never change), else the previous version's when QEMU shows
        /// both the same, else what QEMU shows.
        /// </summary>
        private QemuModelDefinition Levels(string vname, QemuModelDefinition def, QemuModelExpansion plain, QemuBaseModel? old, QemuModelDefinition? previousDef, QemuModelExpansion? previous)
        {
            if (observation.LevelsAsTable)
            {
                return def;
            }

            var known = old?.Versions.FirstOrDefault(v => v.Name == vname)?.Definition;
            uint Pick(uint shown, uint? inheritedValue, uint? previousTable, long? previousShown, string what)
            {
                if (inheritedValue is { } i && i <= shown)
                {
                    return i;
                }

                if (previousTable is { } p && previousShown == shown)
                {
                    return p;
                }

                _raisedLevels.Add($"{vname} {what}");
                return shown;
            }

            return def with
            {
                Level = Pick(def.Level, known?.Level, previousDef?.Level, previous is null ? null : QemuProbe.Number(previous, "min-level"), "level"),
                XLevel = Pick(def.XLevel, known?.XLevel, previousDef?.XLevel, previous is null ? null : QemuProbe.Number(previous, "min-xlevel"), "xlevel"),
            };
        }

        /// <summary>A feature the accelerator hides: the inherited version's value, else the previous version's, else the inherited base model's.</summary>
        private bool Hidden(string vname, string feature, QemuBaseModel? old, QemuModelDefinition? previous)
        {
            var oldVersion = old?.Versions.FirstOrDefault(v => v.Name == vname);
            var source = oldVersion?.Definition ?? old?.Definition;
            if (oldVersion is null && previous is not null)
            {
                _hiddenFromPrevious.Add(vname);
                return previous.Features.Contains(catalog.Feature(feature)!.Index);
            }

            _hiddenInherited++;
            return source is not null && inherited!.Feature(feature) is { } f && source.Features.Contains(f.Index);
        }

        private string? CacheInfo(string vname, QemuModelExpansion expansion, QemuModelExpansion? previous, QemuBaseModel? old)
        {
            if (old?.Versions.FirstOrDefault(v => v.Name == vname) is { } known)
            {
                return known.CacheInfo;
            }

            var own = Flag(expansion, "legacy-cache") == false;
            var before = previous is not null && Flag(previous, "legacy-cache") == false;
            if (own && !before)
            {
                _unknownCache.Add(vname);
                return UnknownCacheInfo;
            }

            return null;
        }

        private static bool? Flag(QemuModelExpansion e, string name) => e.Props.FirstOrDefault(p => p.Key == name).Value is { Kind: QemuValueKind.Boolean } v ? v.Boolean : null;

        /// <summary>The props that turn the previous version's definition into this one.</summary>
        private ImmutableArray<QemuProp> Props(QemuModelDefinition before, QemuModelDefinition after, QemuModelExpansion beforeExpansion, QemuModelExpansion afterExpansion)
        {
            var props = ImmutableArray.CreateBuilder<QemuProp>();
            foreach (var f in catalog.Features)
            {
                var was = before.Features.Contains(f.Index);
                if (was != after.Features.Contains(f.Index))
                {
                    props.Add(new QemuProp(f.Name, was ? "off" : "on"));
                }
            }

            void Changed(string name, object a, object b, string value)
            {
                if (!Equals(a, b))
                {
                    props.Add(new QemuProp(name, value));
                }
            }

            Changed("vendor", before.Vendor, after.Vendor, after.Vendor);
            Changed("family", before.Family, after.Family, after.Family.ToString(CultureInfo.InvariantCulture));
            Changed("model", before.Model, after.Model, after.Model.ToString(CultureInfo.InvariantCulture));
            Changed("stepping", before.Stepping, after.Stepping, after.Stepping.ToString(CultureInfo.InvariantCulture));
            Changed("min-level", before.Level, after.Level, "0x" + after.Level.ToString("x", CultureInfo.InvariantCulture));
            Changed("min-xlevel", before.XLevel, after.XLevel, "0x" + after.XLevel.ToString("x", CultureInfo.InvariantCulture));
            Changed("avx10-version", before.Avx10Version, after.Avx10Version, after.Avx10Version.ToString(CultureInfo.InvariantCulture));
            foreach (var (key, value) in afterExpansion.Props.Where(p => p.Key.StartsWith("x-", StringComparison.Ordinal)))
            {
                var was = beforeExpansion.Props.FirstOrDefault(p => p.Key == key).Value;
                if (was != value && Spell(value) is { } text)
                {
                    props.Add(new QemuProp(key, text));
                }
            }

            Changed("model-id", before.ModelId, after.ModelId, after.ModelId);
            return props.ToImmutable();
        }

        private static string? Spell(QemuValue v) => v.Kind switch
        {
            QemuValueKind.Boolean => v.Boolean ? "on" : "off",
            QemuValueKind.Number => v.Text,
            QemuValueKind.Text => v.Text,
            _ => null,
        };
    }
}
