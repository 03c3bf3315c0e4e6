using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Engine;
using VirtCpu.Qemu;

namespace VirtCpu.Migration;

/// <summary>The result of a reverse translation.</summary>
public sealed record Translation
{
    /// <summary>Whether a translation exists.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>The translated definition (check=full), on success.</summary>
    public CpuDefinition? Definition { get; init; }

    /// <summary>One plain sentence: what was done, or why it is impossible.</summary>
    public required string Reason { get; init; }

    /// <summary>Warnings, e.g. a rename that would change the ABI on this machine type without explicit features.</summary>
    public ImmutableArray<string> Notes { get; init; } = [];

    /// <summary>The features that differ when the model is renamed with the original feature list kept (QEMU spelling).</summary>
    public ImmutableArray<string> RenameDifference { get; init; } = [];
}

/// <summary>
/// Rewrites a (live) definition into a destination catalog's vocabulary — a model the destination's
/// M knows plus explicit features — so that the destination's hypervisor builds exactly the same CPU
/// (same enabled set, signature and, under TCG, vendor) and the full live check passes.
/// Preference: a model of the same family (<c>EPYC-v1</c> → <c>EPYC</c>), then the fewest explicit
/// features, then the name.
/// </summary>
public static class ReverseTranslator
{
    /// <summary>Translates a definition for a node.</summary>
    /// <param name="definition">The definition (typically a live definition from another catalog).</param>
    /// <param name="target">The destination node (its M, Q and accelerator are used; not its host).</param>
    /// <param name="machine">The guest's machine type; null for the node's.</param>
    /// <param name="preferredModel">Translate to this model only (null: choose).</param>
    /// <returns>The translation.</returns>
    public static Translation Translate(CpuDefinition definition, Node target, string? machine = null, string? preferredModel = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(target);
        var mt = machine ?? target.Machine;
        var m = target.Catalog;
        var q = target.Hypervisor;
        var bridge = target.Bridge;
        if (definition.Mode != CpuMode.Custom || definition.Model is null)
        {
            return Impossible("only custom definitions with a model can be translated");
        }

        QemuMachineType machineType;
        try
        {
            machineType = QemuMachineTypes.Find(q, mt);
        }
        catch (InputException e)
        {
            return Impossible(e.Problem ?? e.Message);
        }

        // The CPU the definition describes, as the destination's hypervisor would build it.
        QemuModelResolution original;
        try
        {
            original = QemuModelResolution.Resolve(q, definition.Model, machineType);
        }
        catch (InputException)
        {
            return Impossible($"{q.Name} does not know the model {definition.Model}, so the CPU the definition describes cannot be built on the destination");
        }

        var switches = new List<QemuFeatureSwitch>();
        var unknown = new List<string>();
        foreach (var f in definition.Features)
        {
            if (f.Policy is not { } policy)
            {
                continue;
            }

            var qf = QemuFeatureOf(target, f.Name);
            if (qf is null)
            {
                if (!LibvirtQemuGlue.NeverPassedToQemu(f.Name))
                {
                    unknown.Add(f.Name);
                }

                continue;
            }

            switches.Add(new QemuFeatureSwitch(qf.Name, policy is FeaturePolicy.Require or FeaturePolicy.Force or FeaturePolicy.Optional));
        }

        if (unknown.Count > 0)
        {
            return Impossible($"{q.Name} and {m.Name} know no feature {string.Join(", ", unknown)}, so the destination cannot build this CPU");
        }

        var wanted = Build(q, original, target.Accelerator, switches);
        var family = Family(definition.Model);
        CpuDefinition? best = null;
        (int, int, string) bestScore = default;
        var candidates = preferredModel is null ? m.Models.AsEnumerable() : m.Models.Where(c => string.Equals(c.Name, preferredModel, StringComparison.Ordinal));
        foreach (var c in candidates)
        {
            QemuModelResolution resolution;
            try
            {
                resolution = QemuModelResolution.Resolve(q, c.Name, machineType);
            }
            catch (InputException)
            {
                continue;
            }

            var plain = Build(q, resolution, target.Accelerator, []);
            if (plain.Family != wanted.Family || plain.Model != wanted.Model || plain.Stepping != wanted.Stepping
                || (target.Accelerator == QemuAccelerator.Tcg && !string.Equals(plain.Vendor, wanted.Vendor, StringComparison.Ordinal)))
            {
                continue;
            }

            var features = new List<CpuFeature>();
            var candidateSwitches = new List<QemuFeatureSwitch>();
            foreach (var f in m.Features)
            {
                var qi = bridge.QemuOf(f.Index);
                if (qi < 0)
                {
                    continue;
                }

                var want = wanted.Enabled.Contains(qi);
                if (want != c.Features.Contains(f.Index) || want != plain.Enabled.Contains(qi))
                {
                    features.Add(new CpuFeature(f.Name, want ? FeaturePolicy.Require : FeaturePolicy.Disable));
                    if (!LibvirtQemuGlue.NeverPassedToQemu(f.Name))
                    {
                        candidateSwitches.Add(new QemuFeatureSwitch(q.Features[qi].Name, want));
                    }
                }
            }

            // A switch can revive features a dependency pruned in the plain build (+svm brings npt
            // back): rebuild and state the differences explicitly until the CPU is the wanted one.
            var built = Build(q, resolution, target.Accelerator, candidateSwitches);
            for (var round = 0; round < 4 && built.Enabled != wanted.Enabled; round++)
            {
                var progress = false;
                foreach (var qi in (built.Enabled - wanted.Enabled) | (wanted.Enabled - built.Enabled))
                {
                    var mi = bridge.ManagementOf(qi);
                    if (mi < 0 || features.Any(f => string.Equals(f.Name, m.Features[mi].Name, StringComparison.Ordinal)))
                    {
                        continue;
                    }

                    var want = wanted.Enabled.Contains(qi);
                    features.Add(new CpuFeature(m.Features[mi].Name, want ? FeaturePolicy.Require : FeaturePolicy.Disable));
                    candidateSwitches.Add(new QemuFeatureSwitch(q.Features[qi].Name, want));
                    progress = true;
                }

                if (!progress)
                {
                    break;
                }

                built = Build(q, resolution, target.Accelerator, candidateSwitches);
            }

            if (built.Enabled != wanted.Enabled)
            {
                continue;
            }

            features.Sort((a, b) => m.FindFeature(a.Name)!.Index.CompareTo(m.FindFeature(b.Name)!.Index));

            var score = (string.Equals(Family(c.Name), family, StringComparison.Ordinal) ? 0 : 1, features.Count, c.Name);
            if (best is null || Compare(score, bestScore) < 0)
            {
                best = new CpuDefinition
                {
                    Type = CpuType.Guest,
                    Mode = CpuMode.Custom,
                    Match = CpuMatch.Exact,
                    Check = CpuCheck.Full,
                    Fallback = CpuFallback.Forbid,
                    Model = c.Name,
                    Vendor = definition.Vendor is { } v && m.FindVendor(v) is not null ? v : null,
                    Features = [.. features],
                };
                bestScore = score;
            }
        }

        if (best is null)
        {
            return Impossible(preferredModel is null
                ? $"no model of {m.Name} that {q.Name} can build on {mt} gives the same CPU with features {m.Name} can name"
                : $"{preferredModel} cannot be written to give the same CPU on {mt}");
        }

        var notes = ImmutableArray.CreateBuilder<string>();
        ImmutableArray<string> renameDifference = [];
        if (!string.Equals(best.Model, definition.Model, StringComparison.Ordinal))
        {
            var renamed = Build(q, QemuModelResolution.Resolve(q, best.Model!, machineType), target.Accelerator, switches);
            var diff = (renamed.Enabled - wanted.Enabled) | (wanted.Enabled - renamed.Enabled);
            renameDifference = [.. q.NamesOf(diff).Order(StringComparer.Ordinal)];
            if (!diff.IsEmpty || renamed.Family != wanted.Family || renamed.Model != wanted.Model || renamed.Stepping != wanted.Stepping)
            {
                notes.Add($"{best.Model} with the same explicit features is not the same CPU as {definition.Model} on machine {mt}"
                    + (diff.IsEmpty ? " (the signature differs)" : $": {string.Join(", ", renameDifference)} differ")
                    + "; the translation states them explicitly.");
            }
        }

        var reason = string.Equals(best.Model, definition.Model, StringComparison.Ordinal)
            ? $"Written for {m.Name} as {best.Model} with {best.Features.Length} explicit feature(s); {q.Name} builds the same CPU on {mt}."
            : $"{definition.Model} is written for {m.Name} as {best.Model} with {best.Features.Length} explicit feature(s); {q.Name} builds the same CPU on {mt}.";
        return new Translation { Succeeded = true, Definition = best, Reason = reason, Notes = notes.ToImmutable(), RenameDifference = renameDifference };
    }

    /// <summary>The features that differ between two model names with the same explicit features on one machine type (QEMU spelling).</summary>
    /// <param name="q">The hypervisor catalog.</param>
    /// <param name="machine">The machine type.</param>
    /// <param name="accelerator">The accelerator.</param>
    /// <param name="from">The model name the guest uses.</param>
    /// <param name="to">The name it would be renamed to.</param>
    /// <param name="features">The explicit <c>+f</c>/<c>-f</c> switches.</param>
    /// <returns>The differing feature names; empty when the rename keeps the ABI's feature set.</returns>
    public static ImmutableArray<string> RenameDifference(QemuHypervisorCatalog q, string machine, QemuAccelerator accelerator, string from, string to, IEnumerable<QemuFeatureSwitch> features)
    {
        ArgumentNullException.ThrowIfNull(q);
        var mt = QemuMachineTypes.Find(q, machine);
        var list = features.ToList();
        var a = Build(q, QemuModelResolution.Resolve(q, from, mt), accelerator, list).Enabled;
        var b = Build(q, QemuModelResolution.Resolve(q, to, mt), accelerator, list).Enabled;
        return [.. q.NamesOf((a - b) | (b - a)).Order(StringComparer.Ordinal)];
    }

    private static QemuFeature? QemuFeatureOf(Node target, string name)
    {
        if (CatalogNames.FindFeature(target.Catalog, name) is { } mf && target.Bridge.QemuOf(mf.Index) is var qi and >= 0)
        {
            return target.Hypervisor.Features[qi];
        }

        if (target.Hypervisor.Feature(name) is { } direct)
        {
            return direct;
        }

        foreach (var f in target.Hypervisor.Features)
        {
            if (string.Equals(QemuHostData.ToLibvirtName(f.Name), name, StringComparison.Ordinal))
            {
                return f;
            }
        }

        return null;
    }



    private static QemuCpu Build(QemuHypervisorCatalog q, QemuModelResolution resolution, QemuAccelerator accelerator, IEnumerable<QemuFeatureSwitch> switches) =>
        QemuExpander.Expand(q, resolution, new QemuCpuConfig(resolution.Given) { Accelerator = accelerator, Features = [.. switches] });

    private static string Family(string model) => CpuModel.VersionOf(model)?.Base ?? model;

    private static int Compare((int, int, string) a, (int, int, string) b)
    {
        var c = a.Item1.CompareTo(b.Item1);
        if (c != 0)
        {
            return c;
        }

        c = a.Item2.CompareTo(b.Item2);
        return c != 0 ? c : string.CompareOrdinal(a.Item3, b.Item3);
    }

    private static Translation Impossible(string why) => new() { Succeeded = false, Reason = $"No translation: {why}." };
}
