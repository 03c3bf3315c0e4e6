using VirtCpu.Catalog;
using VirtCpu.Evolution;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Migration;

namespace VirtCpu.Tests.Evolution;

/// <summary>issue 6 proofs for <c>catalog diff</c>, on catalogs changed in memory.</summary>
public sealed class CatalogDiffTests
{
    private static CpuCatalog Libvirt113 => BuiltInCatalogs.Get("libvirt-11.3");

    private static CpuCatalog Libvirt90 => BuiltInCatalogs.Get("libvirt-9.0");

    /// <summary>The full 9.0 → 11.3 history, computed once (about 60 000 runs).</summary>
    private static readonly Lazy<CatalogDiffReport> History = new(() => CatalogDiff.Compute(Libvirt90, Libvirt113));

    internal static CpuCatalog Replace(CpuCatalog catalog, string name, Func<CpuModel, CpuModel> change) =>
        CpuCatalog.Create(name, catalog.Vendors, catalog.Features, catalog.Models.Select(m => change(m)));

    internal static CpuCatalog WithoutMpxMarker(CpuCatalog catalog)
    {
        var mpx = catalog.FindFeature("mpx")!.Index;
        return Replace(catalog, catalog.Name + "-nomarker", m => m with { RemovedFeatures = [.. m.RemovedFeatures.Where(i => i != mpx)] });
    }

    [Fact]
    public void Seed_case_npt_added_to_EPYC_is_a_migration_and_a_start_regression()
    {
        var npt = Libvirt113.FindFeature("npt")!.Index;
        var withNpt = Replace(Libvirt113, "libvirt-11.3+npt", m => m.Name == "EPYC" ? m with { Features = m.Features.With(npt) } : m);

        var report = CatalogDiff.Compute(Libvirt113, withNpt);

        Assert.True(report.IsRejected);
        var changed = Assert.Single(report.ChangedModels);
        Assert.Equal("EPYC", changed.Name);
        var study = Assert.Single(report.Studies);
        Assert.Equal(new ModelFeatureChange("EPYC", "npt", ModelFeatureChangeKind.AddedToData), study.Change);
        Assert.True((study.Impact & ChangeImpact.MigrationRegression) != 0, CatalogDiffText.Write(report));
        Assert.True((study.Impact & ChangeImpact.StartRegression) != 0, CatalogDiffText.Write(report));

        // new→old fails with npt named, where old→old is SAFE (worked example A rows 1 and 5).
        var migration = study.Findings.Where(f => f.Impact == ChangeImpact.MigrationRegression && f.Direction == "new→old").ToList();
        Assert.NotEmpty(migration);
        Assert.All(migration, f => Assert.Contains("npt", f.Result, StringComparison.Ordinal));
        Assert.All(migration, f => Assert.Contains("old→old: SAFE", f.Within));
        Assert.Contains(migration, f => f.SourceHost == true && f.TargetHost == true && f.Result.Contains("extra features: npt", StringComparison.Ordinal));

        // Start regression: partial check, hosts without npt.
        var start = study.Findings.Where(f => f.Impact == ChangeImpact.StartRegression).ToList();
        Assert.NotEmpty(start);
        Assert.All(start, f => Assert.False(f.SourceHost));
        Assert.All(start, f => Assert.Contains("check='partial'", f.Guest, StringComparison.Ordinal));
        Assert.All(start, f => Assert.Contains("npt", f.Result, StringComparison.Ordinal));

        var text = CatalogDiffText.Write(report);
        Assert.Contains("migration regression", text, StringComparison.Ordinal);
        Assert.Contains("start regression", text, StringComparison.Ordinal);
        Assert.Contains("REJECTED", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_feature_added_to_EPYC_v3_is_rejected_naming_EPYC_v3()
    {
        var v3 = Libvirt113.FindModel("EPYC-v3")!;
        var extra = Libvirt113.FindFeature("avx512f")!.Index;
        Assert.False(v3.Features.Contains(extra));
        var changed = Replace(Libvirt113, "libvirt-11.3", m => m.Name == "EPYC-v3" ? m with { Features = m.Features.With(extra) } : m);

        var report = CatalogDiff.Compute(Libvirt113, changed);

        Assert.True(report.IsRejected);
        var violation = Assert.Single(report.VersionedViolations);
        Assert.Equal("EPYC-v3", violation.Model);
        Assert.Contains("EPYC-v3: changed: forbidden", CatalogDiffText.Write(report), StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_EPYC_v5_model_is_accepted()
    {
        var v4 = Libvirt113.FindModel("EPYC-v4")!;
        var withV5 = CpuCatalog.Create("libvirt-11.3+v5", Libvirt113.Vendors, Libvirt113.Features, [.. Libvirt113.Models, v4 with { Name = "EPYC-v5" }]);

        var report = CatalogDiff.Compute(Libvirt113, withV5);

        Assert.False(report.IsRejected, CatalogDiffText.Write(report));
        Assert.Equal(["EPYC-v5"], report.AddedModels);
        Assert.Empty(report.ChangedModels);
        Assert.Empty(report.VersionedViolations);
    }

    [Fact]
    public void Libvirt_9_0_to_11_3_is_accepted_and_the_removed_marker_keeps_mpx_safe()
    {
        var report = History.Value;

        Assert.False(report.IsRejected, string.Join("\n", report.Studies.Where(s => s.Impact != ChangeImpact.Safe).SelectMany(s => s.Findings).Take(5)));
        var mpx = report.Studies.Where(s => s.Change?.Feature == "mpx").ToList();
        Assert.Equal(10, mpx.Count);
        Assert.All(mpx, s => Assert.Equal(ModelFeatureChangeKind.RemovedWithMarker, s.Change!.Kind));
        Assert.All(mpx, s => Assert.Equal(ChangeImpact.Safe, s.Impact));
        Assert.All(mpx, s => Assert.Contains(s.Notes, n => n.Contains("removed='yes' marker keeps this removal safe", StringComparison.Ordinal)));
        Assert.Equal(58, report.ChangedModels.Length);
        Assert.Equal(92, report.AddedModels.Length);
        Assert.Empty(report.VersionedViolations);
        Assert.Equal(2070, report.Studies.Count(s => s.Change?.Kind == ModelFeatureChangeKind.AddedMarker));
    }

    [Fact]
    public void Libvirt_9_0_to_11_3_without_the_mpx_marker_is_rejected()
    {
        var skylake = new[] { "Skylake-Server", "Skylake-Client" };
        var report = CatalogDiff.Compute(Libvirt90, WithoutMpxMarker(Libvirt113), models: skylake);

        Assert.True(report.IsRejected);
        var mpx = report.Studies.Where(s => s.Change?.Feature == "mpx").ToList();
        Assert.Equal(2, mpx.Count);
        Assert.All(mpx, s => Assert.Equal(ModelFeatureChangeKind.RemovedFromData, s.Change!.Kind));
        Assert.All(mpx, s => Assert.True((s.Impact & ChangeImpact.MigrationRegression) != 0));

        // Worked example B: new→old BLOCKED at live-check on mpx, hosts with or without mpx.
        var server = mpx.Single(s => s.Model == "Skylake-Server");
        var partial = server.Findings.Where(f => f.Direction == "new→old" && f.Guest.Contains("check='partial'", StringComparison.Ordinal)).ToList();
        Assert.Contains(partial, f => f.SourceHost == true && f.TargetHost == true);
        Assert.Contains(partial, f => f.SourceHost == false && f.TargetHost == false);
        Assert.All(partial, f => Assert.Contains("BLOCKED at live-check (mpx)", f.Result, StringComparison.Ordinal));
    }

    [Fact]
    public void Versioned_model_rule_is_the_lock_rule()
    {
        // catalog diff reuses CatalogLock's fingerprints: a model whose canonical text is unchanged is not a violation.
        Assert.Empty(CatalogDiff.VersionedViolations(Libvirt113, Libvirt113));
        var removed = CpuCatalog.Create("x", Libvirt113.Vendors, Libvirt113.Features, Libvirt113.Models.Where(m => m.Name != "Denverton-v3"));
        var d = Assert.Single(CatalogDiff.VersionedViolations(Libvirt113, removed));
        Assert.Equal(("Denverton-v3", CatalogLockChange.Removed), (d.Model, d.Change));
    }

    [Fact]
    public void Nested_dependency_by_bit_location()
    {
        Assert.Equal("svm", CatalogDiff.NestedDependency(Libvirt113.FindFeature("npt")!));
        Assert.Equal("vmx", CatalogDiff.NestedDependency(Libvirt113.FindFeature("vmx-ept")!));
        Assert.Null(CatalogDiff.NestedDependency(Libvirt113.FindFeature("mpx")!));
    }
}
