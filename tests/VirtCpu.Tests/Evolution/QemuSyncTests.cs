using VirtCpu.Catalog;
using VirtCpu.Evolution;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Qemu;

namespace VirtCpu.Tests.Evolution;

/// <summary><c>catalog sync-qemu</c>: what a libvirt maintainer would commit, read back by libvirt's format, accepted by the lock and the diff.</summary>
public sealed class QemuSyncTests
{
    private static readonly ReleaseBehaviour Libvirt113 = BehaviourFile.For("libvirt", new Version(11, 3), null);

    [Theory]
    [InlineData("qemu-10.0", 6, 10, 1)]
    [InlineData("qemu-10.2", 16, 12, 1)]
    [InlineData("qemu-11.1", 41, 31, 1)]
    public void Syncing_into_libvirt_11_3_adds_only_what_libvirt_accepts(string qemu, int files, int features, int vendors)
    {
        var catalog = BuiltInCatalogs.Get("libvirt-11.3");
        var hypervisor = BuiltInHypervisors.Get(qemu);
        var result = QemuSync.Propose(hypervisor, catalog, BuiltInCatalogs.Get("libvirt-12.8"), Libvirt113);
        Assert.Equal((files, features, vendors), (result.Proposals.Length, result.AddedFeatures.Length, result.AddedVendors.Length));

        using var dir = new TempDirectory();
        LibvirtMapWriter.Write(result.Catalog, dir.Path);
        var read = LibvirtMapReader.Load(dir.Path, "libvirt-11.3");
        Assert.Equal(CatalogFile.WriteToString(result.Catalog), CatalogFile.WriteToString(read));

        // The lock rejects no existing model: every difference is an added model.
        var locked = CatalogLock.ReadFile(Path.Combine(SharedData.RepoRoot, "catalogs", CatalogLock.FileName)).Entries.Where(e => e.Catalog == "libvirt-11.3");
        var differences = CatalogLock.Check([.. locked], CatalogLock.Compute(CatalogLock.SourcesOf(read)));
        Assert.All(differences, d => Assert.Equal(CatalogLockChange.Added, d.Change));
        Assert.Equal(result.Proposals.Select(p => p.Model.Name).Order(StringComparer.Ordinal), differences.Select(d => d.Model).Order(StringComparer.Ordinal));

        // The diff accepts it: nothing changed or removed, no study other than safe.
        var diff = CatalogDiff.Compute(catalog, read);
        Assert.False(diff.IsRejected);
        Assert.Empty(diff.ChangedModels);
        Assert.Empty(diff.RemovedModels);
        Assert.Empty(diff.RemovedFeatures);
        Assert.Equal(result.AddedFeatures.Select(f => f.Name), diff.AddedFeatures);
        Assert.All(diff.Studies, s => Assert.Equal(ChangeImpact.Safe, s.Impact));

        // QEMU enables no added feature in a model the map already had, so no existing guest sees a new name.
        var added = FeatureSet.Of(result.AddedFeatures.Select(f => read.FindFeature(f.Name)!.Index));
        var bridge = VirtCpu.Migration.VocabularyBridge.For(read, hypervisor);
        foreach (var version in hypervisor.Models.SelectMany(b => b.Versions).Where(v => catalog.FindModel(v.Name) is not null))
        {
            Assert.True((bridge.ToManagement(version.Definition.Features) & added).IsEmpty, version.Name);
        }
    }

    [Fact]
    public void Model_files_from_qemu_10_2_are_the_ones_libvirt_12_8_ships()
    {
        var shipped = ShippedMap();
        var result = QemuSync.Propose(BuiltInHypervisors.Get("qemu-10.2"), BuiltInCatalogs.Get("libvirt-11.3"), BuiltInCatalogs.Get("libvirt-12.8"), Libvirt113);
        Assert.Equal(16, result.Proposals.Length);
        foreach (var p in result.Proposals)
        {
            var file = LibvirtMapWriter.ModelFileName(p.Model.Name);
            Assert.Equal(File.ReadAllText(Path.Combine(shipped, file)), LibvirtMapWriter.Model(result.Catalog, p.Model));
        }

        var vendors = LibvirtMapWriter.Files(result.Catalog).Single(f => f.Name == "x86_vendors.xml").Text;
        Assert.Equal(File.ReadAllText(Path.Combine(shipped, "x86_vendors.xml")), vendors);
    }

    [Fact]
    public void Model_files_from_qemu_11_1_match_libvirt_12_8_where_it_has_them()
    {
        var shipped = ShippedMap();
        var result = QemuSync.Propose(BuiltInHypervisors.Get("qemu-11.1"), BuiltInCatalogs.Get("libvirt-11.3"), BuiltInCatalogs.Get("libvirt-12.8"), Libvirt113);
        var both = result.Proposals.Where(p => File.Exists(Path.Combine(shipped, LibvirtMapWriter.ModelFileName(p.Model.Name)))).ToList();
        Assert.Equal(26, both.Count);
        var differing = both.Where(p => File.ReadAllText(Path.Combine(shipped, LibvirtMapWriter.ModelFileName(p.Model.Name))) != LibvirtMapWriter.Model(result.Catalog, p.Model)).ToList();

        // The one difference: the binary-imported qemu-11.1 holds DiamondRapids' AVX10 vector-length bits, which its expansions show.
        var diamond = Assert.Single(differing);
        Assert.Equal("DiamondRapids", diamond.Model.Name);
        var shippedModel = LibvirtMapReader.Load(shipped, "libvirt-12.8").FindModel("DiamondRapids")!;
        var ours = result.Catalog.NamesOf(diamond.Model.Features).ToHashSet();
        ours.ExceptWith(BuiltInCatalogs.Get("libvirt-12.8").NamesOf(shippedModel.Features));
        Assert.Equal(["avx10-128", "avx10-256", "avx10-512"], ours.Order(StringComparer.Ordinal));
    }

    private static string ShippedMap()
    {
        var shipped = Path.Combine(Environment.GetEnvironmentVariable("VIRTCPU_LAB_ROOT") is { Length: > 0 } root ? root : "/var/cache/virtcpu-lab", "forky", "usr", "share", "libvirt", "cpu_map");
        if (!File.Exists(Path.Combine(shipped, "index.xml")))
        {
            Assert.Skip($"{shipped} is absent: libvirt 12.8's map comes from the lab's forky chroot (lab/stacks.sh)");
        }

        return shipped;
    }

    [Fact]
    public void A_new_family_gets_its_base_and_v1_and_later_versions_are_full_definitions()
    {
        var result = QemuSync.Propose(BuiltInHypervisors.Get("qemu-10.2"), BuiltInCatalogs.Get("libvirt-11.3"), BuiltInCatalogs.Get("libvirt-12.8"), Libvirt113);
        var c = result.Catalog;
        var yongFeng = c.FindModel("YongFeng")!;
        Assert.Equal((true, true, false, "Zhaoxin CentaurHauls"), (yongFeng.DecodeHost, yongFeng.DecodeGuest, yongFeng.IsAlias, yongFeng.Vendor!.Name));
        Assert.Equal(("YongFeng", true, false), (c.FindModel("YongFeng-v1")!.Ancestor, c.FindModel("YongFeng-v1")!.IsAlias, c.FindModel("YongFeng-v1")!.DecodeGuest));

        // SapphireRapids-v4 holds what v3 holds, yet libvirt writes it out in full, with the base's signature.
        var v4 = c.FindModel("SapphireRapids-v4")!;
        Assert.False(v4.IsAlias);
        Assert.Equal(c.FindModel("SapphireRapids-v3")!.Features, v4.Features);
        Assert.Equal(c.FindModel("SapphireRapids")!.Signatures, v4.Signatures);

        // Each addition sits beside its family (index.xml order), features beside their register.
        var names = c.Models.Select(m => m.Name).ToList();
        Assert.Equal(names.IndexOf("SapphireRapids-v3") + 1, names.IndexOf("SapphireRapids-v4"));
        var features = c.Features.Select(f => f.Name).ToList();
        Assert.Equal(features.IndexOf("xstore") + 1, features.IndexOf("xstore-en"));
        Assert.Equal(BuiltInCatalogs.Get("libvirt-11.3").Features.Select(f => f.Name), features.Where(n => BuiltInCatalogs.Get("libvirt-11.3").FindFeature(n) is not null));

        // monitor and topoext, which QEMU's EPYC-Turin holds, are left out as libvirt 11.3's sync leaves them out.
        Assert.DoesNotContain("monitor", c.NamesOf(c.FindModel("EPYC-Turin")!.Features));
        Assert.Contains("monitor", BuiltInHypervisors.Get("qemu-10.2").NamesOf(BuiltInHypervisors.Get("qemu-10.2").Model("EPYC-Turin")!.Definition.Features));
    }

    [Fact]
    public void Irregular_vmx_capability_bits_get_libvirts_names()
    {
        // libvirt 9.0's map has no VMX feature; synced with a release that lists VMX features in models and passes them all.
        var text = BehaviourFile.BuiltInText("libvirt-11.3").Split('\n').Where(l => !l.StartsWith("never-passed", StringComparison.Ordinal) && !l.StartsWith("sync-omits", StringComparison.Ordinal));
        var passesAll = BehaviourFile.Parse(string.Join('\n', text), "test.behaviour");
        var catalog = BuiltInCatalogs.Get("libvirt-9.0");
        var q = BuiltInHypervisors.Get("qemu-10.2");

        var named = QemuSync.Propose(q, catalog, BuiltInCatalogs.Get("libvirt-12.8"), passesAll);
        var capabilities = named.AddedFeatures.Where(f => f.Bits[0].Key == CpuDataKey.Msr(0x48c)).ToDictionary(f => f.Name, f => f.Bits[0]);
        Assert.Equal(new FeatureBits(CpuDataKey.Msr(0x48c), CpuRegister.Eax, 1u << 25), capabilities["vmx-invept-single-context"]);
        Assert.Equal(new FeatureBits(CpuDataKey.Msr(0x48c), CpuRegister.Edx, 1u << (41 - 32)), capabilities["vmx-invvpid-single-context"]);
        Assert.Equal(new FeatureBits(CpuDataKey.Msr(0x48c), CpuRegister.Edx, 1u << (43 - 32)), capabilities["vmx-invvpid-single-context-noglobals"]);
        Assert.Equal([new FeatureAlias("vmx-invept-single-context-noglobals", "qemu")], named.AddedFeatures.Single(f => f.Name == "vmx-invvpid-single-context-noglobals").Aliases);
        Assert.DoesNotContain(named.AddedFeatures, f => f.Name == "vmx-invept-single-context-noglobals");

        // Without libvirt's map to name them, the spelling table still names bit 43; bit 41, which QEMU names like bit 25, stays unnamed and is reported.
        var bare = QemuSync.Propose(q, catalog, null, passesAll);
        Assert.Contains(bare.AddedFeatures, f => f.Name == "vmx-invvpid-single-context-noglobals");
        Assert.DoesNotContain(bare.AddedFeatures, f => f.Name == "vmx-invvpid-single-context");
        Assert.Contains(bare.Proposals.SelectMany(p => p.Skipped), s => s.StartsWith("vmx-invept-single-context bit 41 of FEAT_VMX_EPT_VPID_CAPS", StringComparison.Ordinal));

        // libvirt 11.3 itself never passes bit 41's feature and never lists vmx-invvpid in synced models.
        var real = QemuSync.Propose(q, catalog, BuiltInCatalogs.Get("libvirt-12.8"), Libvirt113);
        Assert.DoesNotContain(real.AddedFeatures, f => f.Name is "vmx-invvpid-single-context" or "vmx-invvpid");
        Assert.Contains(real.AddedFeatures, f => f.Name == "vmx-invept-single-context");
    }
}
