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
        var machineName = machine ?? target.Machine;
        var catalog = target.Catalog;
        var hypervisor = target.Hypervisor;
        if (definition.Mode != CpuMode.Custom || definition.Model is null)
        {
            return Impossible("only custom definitions with a model can be translated");
        }

        QemuMachineType machineType;
        try
        {
            machineType = QemuMachineTypes.Find(hypervisor, machineName);
        }
        catch (InputException e)
        {
            return Impossible(e.Problem ?? e.Message);
        }

        // The CPU the definition describes, as the destination's hypervisor would build it.
        QemuModelResolution original;
        try
        {
            original = QemuModelResolution.Resolve(hypervisor, definition.Model, machineType);
        }
        catch (InputException)
        {
            return Impossible($"{hypervisor.Name} does not know the model {definition.Model}, so the CPU the definition describes cannot be built on the destination");
        }

        var switches = CommandLineSwitches(definition, target, out var unknown);
        if (unknown.Count > 0)
        {
            return Impossible($"{hypervisor.Name} and {catalog.Name} know no feature {string.Join(", ", unknown)}, so the destination cannot build this CPU");
        }

        var wanted = Build(hypervisor, original, target.Accelerator, switches);
        var best = BestModel(definition, target, machineType, wanted, preferredModel);
        if (best is null)
        {
            return Impossible(preferredModel is null
                ? $"no model of {catalog.Name} that {hypervisor.Name} can build on {machineName} gives the same CPU with features {catalog.Name} can name"
                : $"{preferredModel} cannot be written to give the same CPU on {machineName}");
        }

        var (notes, renameDifference) = RenameCheck(definition, best, target, machineName, machineType, wanted, switches);
        var reason = string.Equals(best.Model, definition.Model, StringComparison.Ordinal)
            ? $"Written for {catalog.Name} as {best.Model} with {best.Features.Length} explicit feature(s); {hypervisor.Name} builds the same CPU on {machineName}."
            : $"{definition.Model} is written for {catalog.Name} as {best.Model} with {best.Features.Length} explicit feature(s); {hypervisor.Name} builds the same CPU on {machineName}.";
        return new Translation { Succeeded = true, Definition = best, Reason = reason, Notes = notes, RenameDifference = renameDifference };
    }

    /// <summary>
    /// The <c>+f</c>/<c>-f</c> switches libvirt would put on QEMU's <c>-cpu</c> for the definition's
    /// explicit features, in the destination's QEMU spelling; <paramref name="unknown"/> collects the
    /// features neither catalog can name (features libvirt never passes to QEMU are skipped).
    /// </summary>
    private static List<QemuFeatureSwitch> CommandLineSwitches(CpuDefinition definition, Node target, out List<string> unknown)
    {
        var switches = new List<QemuFeatureSwitch>();
        unknown = [];
        foreach (var feature in definition.Features)
        {
            if (feature.Policy is not { } policy)
            {
                continue;
            }

            var qemuFeature = QemuFeatureOf(target, feature.Name);
            if (qemuFeature is null)
            {
                if (!target.LibvirtBehaviour.NeverPassed(feature.Name))
                {
                    unknown.Add(feature.Name);
                }

                continue;
            }

            switches.Add(new QemuFeatureSwitch(qemuFeature.Name, policy is FeaturePolicy.Require or FeaturePolicy.Force or FeaturePolicy.Optional));
        }

        return switches;
    }

    /// <summary>
    /// The best definition over the destination catalog's models (or the preferred one) that builds
    /// the wanted CPU: same family first, then the fewest explicit features, then the name.
    /// </summary>
    private static CpuDefinition? BestModel(CpuDefinition definition, Node target, QemuMachineType machineType, QemuCpu wanted, string? preferredModel)
    {
        var catalog = target.Catalog;
        var family = Family(definition.Model!);
        CpuDefinition? best = null;
        (int, int, string) bestScore = default;
        var candidates = preferredModel is null ? catalog.Models.AsEnumerable() : catalog.Models.Where(c => string.Equals(c.Name, preferredModel, StringComparison.Ordinal));
        foreach (var candidate in candidates)
        {
            if (ExplicitFeaturesFor(candidate, target, machineType, wanted) is not { } features)
            {
                continue;
            }

            var score = (string.Equals(Family(candidate.Name), family, StringComparison.Ordinal) ? 0 : 1, features.Count, candidate.Name);
            if (best is null || Compare(score, bestScore) < 0)
            {
                best = new CpuDefinition
                {
                    Type = CpuType.Guest,
                    Mode = CpuMode.Custom,
                    Match = CpuMatch.Exact,
                    Check = CpuCheck.Full,
                    Fallback = CpuFallback.Forbid,
                    Model = candidate.Name,
                    Vendor = definition.Vendor is { } v && catalog.FindVendor(v) is not null ? v : null,
                    Features = [.. features],
                };
                bestScore = score;
            }
        }

        return best;
    }

    /// <summary>
    /// The explicit features (in catalog order) that make <paramref name="candidate"/> build the
    /// wanted CPU on the destination, or null when its signature (or, under TCG, vendor) differs or
    /// no feature list the catalog can name reaches the wanted feature set.
    /// </summary>
    private static List<CpuFeature>? ExplicitFeaturesFor(CpuModel candidate, Node target, QemuMachineType machineType, QemuCpu wanted)
    {
        var catalog = target.Catalog;
        var hypervisor = target.Hypervisor;
        QemuModelResolution resolution;
        try
        {
            resolution = QemuModelResolution.Resolve(hypervisor, candidate.Name, machineType);
        }
        catch (InputException)
        {
            return null;
        }

        var plain = Build(hypervisor, resolution, target.Accelerator, []);
        if (plain.Family != wanted.Family || plain.Model != wanted.Model || plain.Stepping != wanted.Stepping
            || (target.Accelerator == QemuAccelerator.Tcg && !string.Equals(plain.Vendor, wanted.Vendor, StringComparison.Ordinal)))
        {
            return null;
        }

        var features = new List<CpuFeature>();
        var switches = new List<QemuFeatureSwitch>();
        foreach (var feature in catalog.Features)
        {
            var qemuIndex = target.Bridge.QemuOf(feature.Index);
            if (qemuIndex < 0)
            {
                continue;
            }

            var want = wanted.Enabled.Contains(qemuIndex);
            if (want != candidate.Features.Contains(feature.Index) || want != plain.Enabled.Contains(qemuIndex))
            {
                features.Add(new CpuFeature(feature.Name, want ? FeaturePolicy.Require : FeaturePolicy.Disable));
                if (!target.LibvirtBehaviour.NeverPassed(feature.Name))
                {
                    switches.Add(new QemuFeatureSwitch(hypervisor.Features[qemuIndex].Name, want));
                }
            }
        }

        if (!StateRevivedFeatures(target, resolution, wanted, features, switches))
        {
            return null;
        }

        features.Sort((a, b) => catalog.FindFeature(a.Name)!.Index.CompareTo(catalog.FindFeature(b.Name)!.Index));
        return features;
    }

    /// <summary>
    /// A switch can revive features a dependency pruned in the plain build (+svm brings npt back):
    /// rebuilds and states the differences explicitly until the CPU is the wanted one.
    /// </summary>
    /// <returns>Whether the build reached the wanted feature set.</returns>
    private static bool StateRevivedFeatures(Node target, QemuModelResolution resolution, QemuCpu wanted, List<CpuFeature> features, List<QemuFeatureSwitch> switches)
    {
        var catalog = target.Catalog;
        var hypervisor = target.Hypervisor;
        var built = Build(hypervisor, resolution, target.Accelerator, switches);
        for (var round = 0; round < 4 && built.Enabled != wanted.Enabled; round++)
        {
            var progress = false;
            foreach (var qemuIndex in (built.Enabled - wanted.Enabled) | (wanted.Enabled - built.Enabled))
            {
                var managementIndex = target.Bridge.ManagementOf(qemuIndex);
                if (managementIndex < 0 || features.Any(f => string.Equals(f.Name, catalog.Features[managementIndex].Name, StringComparison.Ordinal)))
                {
                    continue;
                }

                var want = wanted.Enabled.Contains(qemuIndex);
                features.Add(new CpuFeature(catalog.Features[managementIndex].Name, want ? FeaturePolicy.Require : FeaturePolicy.Disable));
                switches.Add(new QemuFeatureSwitch(hypervisor.Features[qemuIndex].Name, want));
                progress = true;
            }

            if (!progress)
            {
                break;
            }

            built = Build(hypervisor, resolution, target.Accelerator, switches);
        }

        return built.Enabled == wanted.Enabled;
    }

    /// <summary>
    /// When the translation renames the model: whether the new name with the original explicit
    /// features alone would build a different CPU on this machine type (a note), and which features differ.
    /// </summary>
    private static (ImmutableArray<string> Notes, ImmutableArray<string> RenameDifference) RenameCheck(
        CpuDefinition definition, CpuDefinition best, Node target, string machineName, QemuMachineType machineType, QemuCpu wanted, List<QemuFeatureSwitch> switches)
    {
        if (string.Equals(best.Model, definition.Model, StringComparison.Ordinal))
        {
            return ([], []);
        }

        var hypervisor = target.Hypervisor;
        var renamed = Build(hypervisor, QemuModelResolution.Resolve(hypervisor, best.Model!, machineType), target.Accelerator, switches);
        var diff = (renamed.Enabled - wanted.Enabled) | (wanted.Enabled - renamed.Enabled);
        ImmutableArray<string> renameDifference = [.. hypervisor.NamesOf(diff).Order(StringComparer.Ordinal)];
        if (diff.IsEmpty && renamed.Family == wanted.Family && renamed.Model == wanted.Model && renamed.Stepping == wanted.Stepping)
        {
            return ([], renameDifference);
        }

        var note = $"{best.Model} with the same explicit features is not the same CPU as {definition.Model} on machine {machineName}"
            + (diff.IsEmpty ? " (the signature differs)" : $": {string.Join(", ", renameDifference)} differ")
            + "; the translation states them explicitly.";
        return ([note], renameDifference);
    }

    /// <summary>The features that differ between two model names with the same explicit features on one machine type (QEMU spelling).</summary>
    /// <param name="hypervisor">The hypervisor catalog.</param>
    /// <param name="machine">The machine type.</param>
    /// <param name="accelerator">The accelerator.</param>
    /// <param name="from">The model name the guest uses.</param>
    /// <param name="to">The name it would be renamed to.</param>
    /// <param name="features">The explicit <c>+f</c>/<c>-f</c> switches.</param>
    /// <returns>The differing feature names; empty when the rename keeps the ABI's feature set.</returns>
    public static ImmutableArray<string> RenameDifference(QemuHypervisorCatalog hypervisor, string machine, QemuAccelerator accelerator, string from, string to, IEnumerable<QemuFeatureSwitch> features)
    {
        ArgumentNullException.ThrowIfNull(hypervisor);
        var machineType = QemuMachineTypes.Find(hypervisor, machine);
        var list = features.ToList();
        var before = Build(hypervisor, QemuModelResolution.Resolve(hypervisor, from, machineType), accelerator, list).Enabled;
        var after = Build(hypervisor, QemuModelResolution.Resolve(hypervisor, to, machineType), accelerator, list).Enabled;
        return [.. hypervisor.NamesOf((before - after) | (after - before)).Order(StringComparer.Ordinal)];
    }

    private static QemuFeature? QemuFeatureOf(Node target, string name)
    {
        if (CatalogNames.FindFeature(target.Catalog, name) is { } feature && target.Bridge.QemuOf(feature.Index) is var qemuIndex and >= 0)
        {
            return target.Hypervisor.Features[qemuIndex];
        }

        if (target.Hypervisor.Feature(name) is { } direct)
        {
            return direct;
        }

        foreach (var qemuFeature in target.Hypervisor.Features)
        {
            if (string.Equals(target.LibvirtBehaviour.Spelling.ToLibvirt(qemuFeature.Name), name, StringComparison.Ordinal))
            {
                return qemuFeature;
            }
        }

        return null;
    }

    private static QemuCpu Build(QemuHypervisorCatalog hypervisor, QemuModelResolution resolution, QemuAccelerator accelerator, IEnumerable<QemuFeatureSwitch> switches) =>
        QemuExpander.Expand(hypervisor, resolution, new QemuCpuConfig(resolution.Given) { Accelerator = accelerator, Features = [.. switches] });

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
