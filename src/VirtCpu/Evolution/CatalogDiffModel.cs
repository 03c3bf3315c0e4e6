using System.Collections.Immutable;
using VirtCpu.Cpu;
using VirtCpu.Migration;

namespace VirtCpu.Evolution;

/// <summary>How a catalog change affects guests (<c>docs/design.md#41-catalog-changes</c>).</summary>
[Flags]
public enum ChangeImpact
{
    /// <summary>No start or migration result differs from the same run within one catalog version.</summary>
    Safe = 0,

    /// <summary>A guest that starts on a host under OLD no longer starts there under NEW.</summary>
    StartRegression = 1,

    /// <summary>A migration that works within one version is BLOCKED across versions.</summary>
    MigrationRegression = 2,

    /// <summary>A cross-version migration is UNSAFE where the same run within one version is not.</summary>
    SilentChange = 4,
}

/// <summary>What happened to one feature of one model between two catalogs.</summary>
public enum ModelFeatureChangeKind
{
    /// <summary>The feature joined the model's data (what the immutability rule forbids).</summary>
    AddedToData = 0,

    /// <summary>The feature left the model's data without a <c>removed='yes'</c> marker.</summary>
    RemovedFromData,

    /// <summary>The feature left the model's data and is marked <c>removed='yes'</c> (libvirt's sanctioned removal).</summary>
    RemovedWithMarker,

    /// <summary>The feature gained a <c>removed='yes'</c> marker (it was not in the data before either).</summary>
    RemovedMarkerAdded,

    /// <summary>The <c>removed='yes'</c> marker was deleted.</summary>
    RemovedMarkerDeleted,

    /// <summary>The feature is newly marked <c>added='yes'</c> (tolerated by the live check, dropped from migration XML).</summary>
    AddedMarker,

    /// <summary>The <c>added='yes'</c> marker was deleted.</summary>
    AddedMarkerDeleted,
}

/// <summary>One changed feature of one changed model.</summary>
/// <param name="Model">The model name.</param>
/// <param name="Feature">The feature name.</param>
/// <param name="Kind">What happened.</param>
public sealed record ModelFeatureChange(string Model, string Feature, ModelFeatureChangeKind Kind)
{
    /// <summary>The change in words (<c>removed from the data, marked removed='yes'</c>).</summary>
    public string Description => Kind switch
    {
        ModelFeatureChangeKind.AddedToData => "added to the model's data",
        ModelFeatureChangeKind.RemovedFromData => "removed from the model's data, without removed='yes'",
        ModelFeatureChangeKind.RemovedWithMarker => "removed from the model's data, marked removed='yes'",
        ModelFeatureChangeKind.RemovedMarkerAdded => "marked removed='yes'",
        ModelFeatureChangeKind.RemovedMarkerDeleted => "removed='yes' marker deleted",
        ModelFeatureChangeKind.AddedMarker => "marked added='yes'",
        _ => "added='yes' marker deleted",
    };
}

/// <summary>One run of the start/migration model whose cross-version result is worse than within one version.</summary>
/// <param name="Impact">Which kind of regression the run shows.</param>
/// <param name="Guest">The guest definition (one line of XML).</param>
/// <param name="Direction">The direction (<c>new→old</c>), or <c>start</c> for a start comparison.</param>
/// <param name="SourceHost">Whether the source host offers the feature under study (null when no feature is studied).</param>
/// <param name="TargetHost">Whether the destination host offers it (null for a start or no feature).</param>
/// <param name="Result">The cross-version result, with its reason.</param>
/// <param name="Within">The same run within each catalog version (<c>old→old: SAFE</c>, ...).</param>
public sealed record ImpactFinding(ChangeImpact Impact, string Guest, string Direction, bool? SourceHost, bool? TargetHost, string Result, ImmutableArray<string> Within);

/// <summary>The migration-impact study of one change: a model and one changed feature (or the model as a whole).</summary>
/// <param name="Model">The model.</param>
/// <param name="Change">The feature change, or null for a model whose change is not a feature (vendor, signature, check, decode).</param>
/// <param name="Impact">The classification (flags; <see cref="ChangeImpact.Safe"/> when nothing differs).</param>
/// <param name="Runs">How many migration runs and start comparisons were made.</param>
/// <param name="Findings">The runs that differ, cross-version against within-version.</param>
/// <param name="Notes">Why the result is what it is (which marker protects what), in words.</param>
public sealed record ChangeStudy(string Model, ModelFeatureChange? Change, ChangeImpact Impact, int Runs, ImmutableArray<ImpactFinding> Findings, ImmutableArray<string> Notes)
{
    /// <summary>Cross-version runs that are BLOCKED or UNSAFE exactly as within one version: not caused by the change, and not prevented by any marker.</summary>
    public int Unchanged { get; init; }

    /// <summary>One of the <see cref="Unchanged"/> runs, in words, or null.</summary>
    public string? UnchangedExample { get; init; }
}

/// <summary>A changed model: its structural differences and the study of each.</summary>
/// <param name="Name">The model name.</param>
/// <param name="IsVersioned">True for <c>X-vN</c>.</param>
/// <param name="Differences">The model-level differences in words (vendor, signatures, decode, check, ancestor).</param>
/// <param name="Features">The changed features.</param>
public sealed record ChangedModel(string Name, bool IsVersioned, ImmutableArray<string> Differences, ImmutableArray<ModelFeatureChange> Features);

/// <summary>The result of <c>catalog diff OLD NEW</c>.</summary>
public sealed record CatalogDiffReport
{
    /// <summary>The old catalog's name.</summary>
    public required string Old { get; init; }

    /// <summary>The new catalog's name.</summary>
    public required string New { get; init; }

    /// <summary>The hypervisor catalog used for every run.</summary>
    public required string Hypervisor { get; init; }

    /// <summary>The machine type used for every run.</summary>
    public required string Machine { get; init; }

    /// <summary>Features only the new catalog has.</summary>
    public ImmutableArray<string> AddedFeatures { get; init; } = [];

    /// <summary>Features only the old catalog has.</summary>
    public ImmutableArray<string> RemovedFeatures { get; init; } = [];

    /// <summary>Features whose bits or migratability differ.</summary>
    public ImmutableArray<string> ChangedFeatures { get; init; } = [];

    /// <summary>Models only the new catalog has.</summary>
    public ImmutableArray<string> AddedModels { get; init; } = [];

    /// <summary>Models only the old catalog has.</summary>
    public ImmutableArray<string> RemovedModels { get; init; } = [];

    /// <summary>Models in both whose definitions differ.</summary>
    public ImmutableArray<ChangedModel> ChangedModels { get; init; } = [];

    /// <summary>The studies, one per changed feature of a changed model (and one per model changed otherwise).</summary>
    public ImmutableArray<ChangeStudy> Studies { get; init; } = [];

    /// <summary>Versioned models that changed or disappeared (forbidden: versions are immutable), from the catalog lock's rule.</summary>
    public ImmutableArray<CatalogLockDifference> VersionedViolations { get; init; } = [];

    /// <summary>How many migration runs and start comparisons were made in all.</summary>
    public int Runs { get; init; }

    /// <summary>The time the study took.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>True when the change must be rejected: any regression or silent change, or a versioned model differs.</summary>
    public bool IsRejected => !VersionedViolations.IsEmpty || Studies.Any(s => s.Impact != ChangeImpact.Safe);

    /// <summary>The number of studies of each class (a study may fall in several).</summary>
    /// <param name="impact">The class; <see cref="ChangeImpact.Safe"/> counts safe studies.</param>
    /// <returns>The count.</returns>
    public int Count(ChangeImpact impact) => impact == ChangeImpact.Safe
        ? Studies.Count(s => s.Impact == ChangeImpact.Safe)
        : Studies.Count(s => (s.Impact & impact) != 0);

    /// <summary>The name of a single impact class as <c>docs/design.md#41-catalog-changes</c> spells it.</summary>
    /// <param name="impact">One class.</param>
    /// <returns><c>safe</c>, <c>start regression</c>, <c>migration regression</c> or <c>silent change</c>.</returns>
    public static string Name(ChangeImpact impact) => impact switch
    {
        ChangeImpact.Safe => "safe",
        ChangeImpact.StartRegression => "start regression",
        ChangeImpact.MigrationRegression => "migration regression",
        ChangeImpact.SilentChange => "silent change",
        _ => string.Join(", ", new[] { ChangeImpact.StartRegression, ChangeImpact.MigrationRegression, ChangeImpact.SilentChange }.Where(i => (impact & i) != 0).Select(Name)),
    };

    /// <summary>A short text of a verdict for reports: <c>BLOCKED at live-check (npt): reason</c>.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <returns>The text.</returns>
    public static string Describe(MigrationVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        var name = MigrationVerdict.Name(verdict.Verdict);
        return verdict.Verdict switch
        {
            Verdict.Safe => name,
            Verdict.Unsafe => $"{name}: {verdict.Reason}",
            _ => $"{name} at {GuestStart.StepName(verdict.Step)}{(verdict.Names.IsEmpty ? "" : " (" + string.Join(", ", verdict.Names) + ")")}: {verdict.Reason}",
        };
    }

    /// <summary>A one-line form of a guest definition for reports.</summary>
    /// <param name="guest">The guest.</param>
    /// <returns>The XML on one line.</returns>
    public static string OneLine(CpuDefinition guest) =>
        string.Join(string.Empty, Formats.LibvirtXml.CpuXml.Format(guest).Split('\n').Select(l => l.Trim()));
}
