using VirtCpu.Qemu;

namespace VirtCpu.Tests.Qemu;

/// <summary>
/// Compares a binary-imported catalog with a source-imported one of the same release on everything
/// a probe can see: the features (word, bits, TCG availability, alias spellings, no-autoenable of
/// TCG features no dependency clears), every model and version (alias, note, and the definition's
/// features, vendor, family/model/stepping, model-id, levels, AVX10 version), the machine types, and
/// the CPU compat properties as they show in expansions (every unversioned and alias name on every
/// machine type, expanded under TCG). Features an accelerator hides in every expansion (vme under
/// TCG) are not compared in definitions; cache-info names, unnamed bits, unmigratable flags and the
/// dependency table are not visible and not compared.
/// </summary>
internal static class QemuCatalogAgreement
{
    /// <summary>The differences, one line each, in a fixed order.</summary>
    /// <param name="binary">The binary import.</param>
    /// <param name="source">The source import.</param>
    /// <param name="hidden">Features the binary's accelerator hides (vme under TCG).</param>
    /// <returns>The differences.</returns>
    public static List<string> Differences(QemuHypervisorCatalog binary, QemuHypervisorCatalog source, IReadOnlyCollection<string> hidden)
    {
        var diffs = new List<string>();
        Features(binary, source, diffs);
        Models(binary, source, hidden, diffs);
        if (!binary.MachineTypes.SequenceEqual(source.MachineTypes))
        {
            diffs.Add($"machine types: {string.Join(' ', binary.MachineTypes.Except(source.MachineTypes))} only in the binary import, {string.Join(' ', source.MachineTypes.Except(binary.MachineTypes))} only in the source import");
        }

        Compat(binary, source, hidden, diffs);
        return diffs;
    }

    private static void Features(QemuHypervisorCatalog binary, QemuHypervisorCatalog source, List<string> diffs)
    {
        foreach (var f in source.Features)
        {
            if (binary.Feature(f.Name) is not { } b || b.Name != f.Name)
            {
                diffs.Add($"feature {f.Name}: not in the binary import");
                continue;
            }

            if ((b.Word.Kind, b.Word.Index, b.Word.Subleaf, b.Word.Register, b.Mask) != (f.Word.Kind, f.Word.Index, f.Word.Subleaf, f.Word.Register, f.Mask))
            {
                diffs.Add($"feature {f.Name}: {b.Word.Name} {string.Join(',', b.Bits)} in the binary import, {f.Word.Name} {string.Join(',', f.Bits)} in the source import");
            }

            if (b.Tcg != f.Tcg)
            {
                diffs.Add($"feature {f.Name}: tcg {b.Tcg} in the binary import, {f.Tcg} in the source import");
            }

            if (!b.Aliases.Order(StringComparer.Ordinal).SequenceEqual(f.Aliases.Order(StringComparer.Ordinal)))
            {
                diffs.Add($"feature {f.Name}: aliases {string.Join(',', b.Aliases)} in the binary import, {string.Join(',', f.Aliases)} in the source import");
            }

            var clearable = source.Dependencies.Any(d => d.To == f.Word && (d.ToMask & f.Mask) != 0);
            if (f.Tcg && !clearable && f.Migratable && b.AutoEnable != f.AutoEnable)
            {
                diffs.Add($"feature {f.Name}: autoenable {b.AutoEnable} in the binary import, {f.AutoEnable} in the source import");
            }
        }

        foreach (var f in binary.Features.Where(f => source.Feature(f.Name) is null))
        {
            diffs.Add($"feature {f.Name}: not in the source import");
        }
    }

    private static void Models(QemuHypervisorCatalog binary, QemuHypervisorCatalog source, IReadOnlyCollection<string> hidden, List<string> diffs)
    {
        foreach (var m in source.Models)
        {
            if (binary.Model(m.Name) is not { } b)
            {
                diffs.Add($"model {m.Name}: not in the binary import");
                continue;
            }

            if (b.Versions.Length != m.Versions.Length)
            {
                diffs.Add($"model {m.Name}: {b.Versions.Length} versions in the binary import, {m.Versions.Length} in the source import");
            }

            Definition($"model {m.Name} (legacy)", binary, b.Definition, source, m.Definition, hidden, diffs);
            foreach (var (bv, sv) in b.Versions.Zip(m.Versions))
            {
                if ((bv.Alias, bv.Note) != (sv.Alias, sv.Note))
                {
                    diffs.Add($"{sv.Name}: alias/note {bv.Alias}/{bv.Note} in the binary import, {sv.Alias}/{sv.Note} in the source import");
                }

                Definition(sv.Name, binary, bv.Definition, source, sv.Definition, hidden, diffs);
            }
        }

        foreach (var m in binary.Models.Where(m => source.Model(m.Name) is null))
        {
            diffs.Add($"model {m.Name}: not in the source import");
        }
    }

    private static void Definition(string what, QemuHypervisorCatalog binary, QemuModelDefinition b, QemuHypervisorCatalog source, QemuModelDefinition s, IReadOnlyCollection<string> hidden, List<string> diffs)
    {
        var mine = binary.NamesOf(b.Features).Except(hidden).ToHashSet(StringComparer.Ordinal);
        var theirs = source.NamesOf(s.Features).Except(hidden).ToHashSet(StringComparer.Ordinal);
        if (!mine.SetEquals(theirs))
        {
            diffs.Add($"{what}: features only in the binary import: {string.Join(' ', mine.Except(theirs).Order(StringComparer.Ordinal))}; only in the source import: {string.Join(' ', theirs.Except(mine).Order(StringComparer.Ordinal))}");
        }

        var sig = (b.Vendor, b.Family, b.Model, b.Stepping, b.ModelId, b.Level, b.XLevel, b.Avx10Version);
        var other = (s.Vendor, s.Family, s.Model, s.Stepping, s.ModelId, s.Level, s.XLevel, s.Avx10Version);
        if (sig != other)
        {
            diffs.Add($"{what}: {sig} in the binary import, {other} in the source import");
        }
    }

    private static void Compat(QemuHypervisorCatalog binary, QemuHypervisorCatalog source, IReadOnlyCollection<string> hidden, List<string> diffs)
    {
        var classes = source.Models.Select(m => m.Name).Concat(source.Models.SelectMany(m => m.Versions).Select(v => v.Alias).OfType<string>())
            .Where(n => binary.Model(n) is not null || binary.Alias(n) is not null).ToList();
        foreach (var machine in source.MachineTypes.Intersect(binary.MachineTypes))
        {
            foreach (var name in classes)
            {
                var b = QemuExpander.Expand(binary, new QemuCpuConfig(name) { Machine = machine, Accelerator = QemuAccelerator.Tcg });
                var s = QemuExpander.Expand(source, new QemuCpuConfig(name) { Machine = machine, Accelerator = QemuAccelerator.Tcg });
                var mine = b.EnabledNames.Except(hidden).ToHashSet(StringComparer.Ordinal);
                var theirs = s.EnabledNames.Except(hidden).ToHashSet(StringComparer.Ordinal);
                var sig = (b.Vendor, b.Family, b.Model, b.Stepping, b.ModelId, b.MinLevel, b.MinXLevel);
                var other = (s.Vendor, s.Family, s.Model, s.Stepping, s.ModelId, s.MinLevel, s.MinXLevel);
                if (!mine.SetEquals(theirs) || sig != other)
                {
                    diffs.Add($"expansion of {name} on {machine}: only in the binary import: {string.Join(' ', mine.Except(theirs).Order(StringComparer.Ordinal))}; only in the source import: {string.Join(' ', theirs.Except(mine).Order(StringComparer.Ordinal))}{(sig != other ? $"; {sig} vs {other}" : "")}");
                }
            }
        }
    }
}
