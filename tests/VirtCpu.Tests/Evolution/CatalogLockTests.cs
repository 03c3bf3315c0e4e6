using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Evolution;
using VirtCpu.Formats.ProjectFiles;

namespace VirtCpu.Tests.Evolution;

public sealed class CatalogLockTests
{
    private static string LockPath => Path.Combine(SharedData.RepoRoot, "catalogs", CatalogLock.FileName);

    [Fact]
    public void Committed_lock_matches_the_built_in_catalogs()
    {
        var locked = CatalogLock.ReadFile(LockPath);
        var current = CatalogLock.Compute(CatalogLock.BuiltInSources());
        var differences = CatalogLock.Check(locked.Entries, current);
        Assert.True(differences.IsEmpty, "catalogs.lock differs from the built-in catalogs: " + string.Join("; ", differences));
        Assert.Equal(176 + 150 + 58 + 57 + 64 + 74 + 90 + 99 + 123 + 9, locked.Entries.Length); // libvirt-12.8, 11.3, 9.0, 7.0; qemu-5.2, 7.2, 10.0, 10.2 and 11.1 versions; 9 release behaviour files
    }

    [Fact]
    public void Committed_lock_is_written_canonically()
    {
        var text = File.ReadAllText(LockPath);
        Assert.Equal(text, CatalogLock.WriteToString(CatalogLock.Read(new StringReader(text), LockPath)));
    }

    [Fact]
    public void Changing_a_versioned_model_is_forbidden_and_named()
    {
        var catalog = BuiltInCatalogs.Get("libvirt-11.3");
        var npt = catalog.FindFeature("npt")!.Index;
        var v3 = catalog.FindModel("EPYC-v3")!;
        var changed = v3.Features.Contains(npt) ? v3.Features.Without(npt) : v3.Features.With(npt);
        var copy = Replace(catalog, v3 with { Features = changed });

        var differences = CatalogLock.Check(Locked(), CatalogLock.Compute(CatalogLock.SourcesOf(copy)).Concat(Others("libvirt-11.3")));
        var d = Assert.Single(differences);
        Assert.Equal(("libvirt-11.3", "EPYC-v3", CatalogLockChange.Changed), (d.Catalog, d.Model, d.Change));
        Assert.True(d.IsForbidden);
        Assert.Contains("EPYC-v3", d.ToString(), StringComparison.Ordinal);
        Assert.Contains("versioned", d.ToString(), StringComparison.Ordinal);

        var e = Assert.Throws<InputException>(() => CatalogLock.Update(CatalogLock.ReadFile(LockPath), CatalogLock.Compute(CatalogLock.SourcesOf(copy)).Concat(Others("libvirt-11.3")), "because"));
        Assert.Contains("libvirt-11.3 EPYC-v3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_an_unversioned_model_is_reported_and_needs_a_reason()
    {
        var catalog = BuiltInCatalogs.Get("libvirt-11.3");
        var epyc = catalog.FindModel("EPYC")!;
        var copy = Replace(catalog, epyc with { DecodeGuest = false });
        var current = CatalogLock.Compute(CatalogLock.SourcesOf(copy)).Concat(Others("libvirt-11.3")).ToList();

        var d = Assert.Single(CatalogLock.Check(Locked(), current));
        Assert.Equal(("EPYC", CatalogLockChange.Changed, false), (d.Model, d.Change, d.IsForbidden));

        var locked = CatalogLock.ReadFile(LockPath);
        Assert.Throws<InputException>(() => CatalogLock.Update(locked, current, null));
        var updated = CatalogLock.Update(locked, current, "EPYC is no longer used for guests");
        Assert.Empty(CatalogLock.Check(updated.Entries, current));
        Assert.Contains("EPYC is no longer used for guests (libvirt-11.3 EPYC)", updated.Changes);
        Assert.Equal(updated, CatalogLock.Read(new StringReader(CatalogLock.WriteToString(updated)), "x"), new LockComparer());
    }

    [Fact]
    public void Adding_a_model_is_reported_as_added_and_accepted()
    {
        var catalog = BuiltInCatalogs.Get("libvirt-11.3");
        var v4 = catalog.FindModel("EPYC-v4")!;
        var copy = CpuCatalog.Create(catalog.Name, catalog.Vendors, catalog.Features, catalog.Models.Append(v4 with { Name = "EPYC-v5" }));
        var current = CatalogLock.Compute(CatalogLock.SourcesOf(copy)).Concat(Others("libvirt-11.3")).ToList();

        var d = Assert.Single(CatalogLock.Check(Locked(), current));
        Assert.Equal(("EPYC-v5", CatalogLockChange.Added, false), (d.Model, d.Change, d.IsForbidden));
        var updated = CatalogLock.Update(CatalogLock.ReadFile(LockPath), current, null);
        Assert.Contains(updated.Entries, e => e.Model == "EPYC-v5");
    }

    [Fact]
    public void Removing_a_versioned_model_is_forbidden()
    {
        var current = CatalogLock.Compute(CatalogLock.BuiltInSources()).Where(e => !(e.Catalog == "libvirt-11.3" && e.Model == "GraniteRapids-v2")).ToList();
        var d = Assert.Single(CatalogLock.Check(Locked(), current));
        Assert.Equal((CatalogLockChange.Removed, true), (d.Change, d.IsForbidden));
    }

    [Fact]
    public void Canonical_text_holds_the_resolved_data()
    {
        var catalog = BuiltInCatalogs.Get("libvirt-11.3");
        var text = CatalogLock.CanonicalText(catalog, catalog.FindModel("EPYC-v1")!);
        Assert.Contains("vendor AuthenticAMD\n", text, StringComparison.Ordinal);
        Assert.Contains("signature 23 1 *\n", text, StringComparison.Ordinal);
        Assert.Contains("features 3dnowprefetch abm adx aes ", text, StringComparison.Ordinal);
        Assert.Contains("alias-of EPYC\n", text, StringComparison.Ordinal);
        Assert.Contains("decode host=on guest=off\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("libvirt-11.3 EPYC sha256:abc\n")]
    [InlineData("libvirt-11.3 EPYC\n")]
    public void Malformed_lock_lines_are_input_errors(string text)
    {
        var e = Assert.Throws<InputException>(() => CatalogLock.Read(new StringReader(text), "x.lock"));
        Assert.StartsWith("line 1: ", e.Problem, StringComparison.Ordinal);
    }

    private static ImmutableArray<CatalogLockEntry> Locked() => CatalogLock.ReadFile(LockPath).Entries;

    private static ImmutableArray<CatalogLockEntry> Others(string except) =>
        CatalogLock.Compute(CatalogLock.BuiltInSources().Where(s => s.Catalog != except));

    private static CpuCatalog Replace(CpuCatalog catalog, CpuModel model) =>
        CpuCatalog.Create(catalog.Name, catalog.Vendors, catalog.Features, catalog.Models.Select(m => m.Name == model.Name ? model : m));

    private sealed class LockComparer : IEqualityComparer<CatalogLockFile>
    {
        public bool Equals(CatalogLockFile? x, CatalogLockFile? y) =>
            x is not null && y is not null && x.Entries.SequenceEqual(y.Entries) && x.Changes.SequenceEqual(y.Changes);

        public int GetHashCode(CatalogLockFile obj) => obj.Entries.Length;
    }
}
