using VirtCpu.Catalog;
using VirtCpu.Evolution;
using VirtCpu.Formats;

namespace VirtCpu.Tests.Evolution;

/// <summary><c>catalog sync-qemu</c>: new versions only, pointers for equal features, nothing edited.</summary>
public sealed class QemuSyncTests
{
    [Fact]
    public void Libvirt_11_3_from_qemu_10_0_only_adds_versions_and_round_trips()
    {
        var catalog = BuiltInCatalogs.Get("libvirt-11.3");
        var result = QemuSync.Propose(BuiltInHypervisors.Get("qemu-10.0"), catalog);

        // Existing models are untouched.
        foreach (var m in catalog.Models)
        {
            Assert.Equal(CatalogLock.CanonicalText(catalog, m), CatalogLock.CanonicalText(result.Catalog, result.Catalog.FindModel(m.Name)!));
        }

        Assert.All(result.Proposals, p => Assert.Null(catalog.FindModel(p.Model.Name)));
        Assert.All(result.Proposals, p => Assert.True(p.Model.IsVersioned && p.Model.DecodeHost && !p.Model.DecodeGuest && !p.Model.CompatCheck));
        Assert.All(result.Proposals.Where(p => p.Note is not null), p => Assert.True(p.Model.IsAlias));
        Assert.Equal(result.Catalog.Models.Length, catalog.Models.Length + result.Proposals.Length);

        // The proposal is a valid cpu_map: it writes and reads back identically.
        var dir = Path.Combine(Path.GetTempPath(), "virtcpu-h-sync-" + Guid.NewGuid().ToString("N"));
        try
        {
            LibvirtMapWriter.Write(result.Catalog, dir);
            Assert.Equal(CatalogFile.WriteToString(result.Catalog), CatalogFile.WriteToString(LibvirtMapReader.Load(dir, result.Catalog.Name)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        // Adding the proposals is itself an accepted catalog change.
        var diff = CatalogDiff.Compute(catalog, result.Catalog);
        Assert.False(diff.IsRejected);
        Assert.Equal(result.Proposals.Select(p => p.Model.Name), diff.AddedModels);
    }

    [Fact]
    public void A_version_equal_to_an_existing_model_becomes_a_pointer()
    {
        // A classic model with exactly what QEMU's SierraForest-v2 holds: the proposal points at it.
        var full = BuiltInCatalogs.Get("libvirt-11.3");
        var q = BuiltInHypervisors.Get("qemu-10.0");
        var proposed = QemuSync.Propose(q, full).Proposals.Single(p => p.Model.Name == "SierraForest-v2").Model;
        Assert.False(proposed.IsAlias);
        var catalog = CpuCatalog.Create("x", full.Vendors, full.Features, [.. full.Models, proposed with { Name = "SierraForest-Two" }]);
        var result = QemuSync.Propose(q, catalog);
        var v2 = Assert.Single(result.Proposals, p => p.Model.Name == "SierraForest-v2");
        Assert.True(v2.Model.IsAlias, QemuSync.Write(result, q.Name));
        Assert.Equal("SierraForest-Two", v2.Model.Ancestor);
        Assert.Contains("<model name='SierraForest-Two'/>", QemuSync.Write(result, q.Name), StringComparison.Ordinal);
    }
}
