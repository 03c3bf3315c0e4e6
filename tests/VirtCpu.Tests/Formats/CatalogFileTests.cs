using System.Collections.Immutable;
using System.Diagnostics;
using VirtCpu.Catalog;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.ProjectFiles;

namespace VirtCpu.Tests.Formats;

public sealed class CatalogFileTests
{
    [Theory]
    [InlineData("libvirt-11.3")]
    [InlineData("libvirt-9.0")]
    public void Committed_catalog_equals_a_fresh_import_of_the_reference_map(string name)
    {
        var map = SharedData.Require(name + "/cpu_map");
        var fresh = LibvirtMapReader.Load(map, name);
        var committed = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "catalogs", name + CatalogFile.Extension));
        Assert.Equal(CatalogFile.WriteToString(fresh), committed);
        CatalogAssert.Equal(fresh, CatalogFile.Read(new StringReader(committed), name));
    }

    [Fact]
    public void Committed_libvirt_12_8_equals_a_fresh_import_of_the_map_debian_forky_ships()
    {
        var root = Environment.GetEnvironmentVariable("VIRTCPU_LAB_ROOT") is { Length: > 0 } env ? env : "/var/cache/virtcpu-lab";
        var map = Path.Combine(root, "forky", "usr", "share", "libvirt", "cpu_map");
        if (!File.Exists(Path.Combine(map, "index.xml")))
        {
            Assert.Skip($"{map} is absent: libvirt 12.8's map comes from the lab's forky chroot (lab/stacks.sh)");
        }

        var fresh = LibvirtMapReader.Load(map, "libvirt-12.8");
        var committed = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "catalogs", "libvirt-12.8" + CatalogFile.Extension));
        Assert.Equal(CatalogFile.WriteToString(fresh), committed);
        CatalogAssert.Equal(fresh, CatalogFile.Read(new StringReader(committed), "libvirt-12.8"));
    }

    [Theory]
    [InlineData("libvirt-12.8")]
    [InlineData("libvirt-11.3")]
    [InlineData("libvirt-9.0")]
    [InlineData("libvirt-7.0")]
    public void Embedded_catalog_is_the_committed_file_and_round_trips(string name)
    {
        var text = BuiltInCatalogs.GetText(name);
        Assert.Equal(File.ReadAllText(Path.Combine(SharedData.RepoRoot, "catalogs", name + CatalogFile.Extension)), text);
        var catalog = BuiltInCatalogs.Get(name);
        Assert.Equal(text, CatalogFile.WriteToString(catalog));
        CatalogAssert.Equal(catalog, CatalogFile.Read(new StringReader(text), name));
    }

    [Fact]
    public void Built_in_catalogs_have_the_expected_counts()
    {
        var c113 = BuiltInCatalogs.Get("libvirt-11.3");
        Assert.Equal((3, 364, 150), (c113.Vendors.Length, c113.Features.Length, c113.Models.Length));
        Assert.Equal("EPYC-v1", c113.FindModel("EPYC")!.Canonical);
        var c90 = BuiltInCatalogs.Get("libvirt-9.0");
        Assert.Equal((3, 212, 58), (c90.Vendors.Length, c90.Features.Length, c90.Models.Length));
        Assert.Same(c113, BuiltInCatalogs.Get(BuiltInCatalogs.Default));
        var c128 = BuiltInCatalogs.Get("libvirt-12.8");
        Assert.Equal((4, 400, 176), (c128.Vendors.Length, c128.Features.Length, c128.Models.Length));
        Assert.Equal("Zhaoxin CentaurHauls", c128.FindModel("YongFeng")!.Vendor!.Name);
        Assert.Equal(["libvirt-12.8", "libvirt-11.3", "libvirt-9.0", "libvirt-7.0"], BuiltInCatalogs.Names);
    }

    [Fact]
    public void Unknown_built_in_catalog_lists_the_known_names()
    {
        var e = Assert.Throws<InputException>(() => BuiltInCatalogs.Get("libvirt-1.0"));
        Assert.Contains("libvirt-11.3, libvirt-9.0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Concurrent_first_loads_give_one_instance()
    {
        var results = new CpuCatalog[8];
        Parallel.For(0, results.Length, i => results[i] = BuiltInCatalogs.Get("libvirt-9.0"));
        Assert.All(results, r => Assert.Same(results[0], r));
    }

    [Fact]
    public void Hand_built_catalog_round_trips_every_field()
    {
        var catalog = HandBuilt();
        var text = CatalogFile.WriteToString(catalog);
        var read = CatalogFile.Read(new StringReader(text), "hand.vcat");
        CatalogAssert.Equal(catalog, read);
        Assert.Equal(text, CatalogFile.WriteToString(read));
        Assert.Contains("vendor Zhaoxin \"  Shanghai  \"", text, StringComparison.Ordinal);
        Assert.Contains("feature multi     cpuid 0x00000007 0x00000000 ebx 0x00000100 ecx 0x00000001", text, StringComparison.Ordinal);
        Assert.Contains("feature arch-caps msr 0x0000010a eax 0x00000001 edx 0x00000002 migratable=no alias=:archcaps alias=linux:arch_capabilities", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_with_spaces_are_quoted_and_read_back()
    {
        var zhaoxin = new Vendor("Zhaoxin CentaurHauls", "CentaurHauls");
        var catalog = CpuCatalog.Create(
            "spaced",
            [zhaoxin],
            [new Feature("fpu", [new FeatureBits(CpuDataKey.Cpuid(1), CpuRegister.Edx, 1)]), new Feature("-", [new FeatureBits(CpuDataKey.Cpuid(1), CpuRegister.Edx, 2)])],
            [
                new CpuModel { Name = "YongFeng", Vendor = zhaoxin, Signatures = [new ModelSignature(7, 11, null)], Features = FeatureSet.Of(0, 1), DecodeHost = true, DecodeGuest = true },
                new CpuModel { Name = "#odd model", Ancestor = "YongFeng", Vendor = zhaoxin, Signatures = [new ModelSignature(7, 11, null)], Features = FeatureSet.Of(0), RemovedFeatures = [1], DecodeHost = true },
            ]);
        var text = CatalogFile.WriteToString(catalog);
        Assert.Contains("\nvendor \"Zhaoxin CentaurHauls\" \"CentaurHauls\"\n", text, StringComparison.Ordinal);
        Assert.Contains("\n  vendor \"Zhaoxin CentaurHauls\"\n", text, StringComparison.Ordinal);
        Assert.Contains("\nfeature \"-\" cpuid ", text, StringComparison.Ordinal);
        Assert.Contains("\nmodel \"#odd model\"\n  decode host=on guest=off\n  ancestor YongFeng\n", text, StringComparison.Ordinal);
        Assert.Contains("\n  removed \"-\"\n", text, StringComparison.Ordinal);
        var read = CatalogFile.Read(new StringReader(text), "spaced.vcat");
        CatalogAssert.Equal(catalog, read);
        Assert.Equal(text, CatalogFile.WriteToString(read));
        Assert.Same(read.FindVendor("Zhaoxin CentaurHauls"), read.FindModel("YongFeng")!.Vendor);
    }

    [Theory]
    [InlineData("a\"b")]
    [InlineData("tab\tname")]
    public void Names_that_cannot_be_written_are_refused(string name)
    {
        var catalog = CpuCatalog.Create("x", [new Vendor(name, "GenuineIntel")], [], []);
        Assert.Throws<CatalogException>(() => CatalogFile.WriteToString(catalog));
    }

    [Fact]
    public void Files_are_line_oriented_and_use_newlines_only()
    {
        var text = CatalogFile.WriteToString(HandBuilt());
        Assert.DoesNotContain('\r', text);
        Assert.StartsWith("virtcpu-catalog 1\nname hand\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", 1, "empty file")]
    [InlineData("something else\n", 1, "not a VirtCpu catalog")]
    [InlineData("virtcpu-catalog 2\n", 1, "unsupported catalog format version")]
    [InlineData("virtcpu-catalog 1\nname x\nfeature a cpuid 0x1 0x0 ecx 0x1\nfeature a cpuid 0x1 0x0 ecx 0x2\n", 4, "duplicate feature a")]
    [InlineData("virtcpu-catalog 1\nname x\nfeature a cpuid 0x1 0x0 ecx zz\n", 3, "not an unsigned 32-bit number")]
    [InlineData("virtcpu-catalog 1\nname x\nfeature a ecx 0x1\n", 3, "before any 'cpuid' or 'msr' item")]
    [InlineData("virtcpu-catalog 1\nname x\nfeature a cpuid 0x1 0x0\n", 3, "no CPUID or MSR bits")]
    [InlineData("virtcpu-catalog 1\nname x\nvendor V \"short\"\n", 3, "expected: vendor NAME")]
    [InlineData("virtcpu-catalog 1\nname x\nfeature a cpuid 0x1 0x0 ecx 0x1\nmodel M\n  decode host=on guest=on\n  features a b\n", 6, "model M: unknown feature b")]
    [InlineData("virtcpu-catalog 1\nname x\nmodel M\n  check compat\n", 4, "model M: no decode line")]
    [InlineData("virtcpu-catalog 1\nname x\nmodel M\n  decode host=yes guest=on\n", 4, "expected decode host=on|off")]
    [InlineData("virtcpu-catalog 1\nname x\nmodel M\n  decode host=on guest=on\n  alias-of N\n", 5, "ancestor N not found")]
    [InlineData("virtcpu-catalog 1\nname x\nmodel M\n  decode host=on guest=on\n  vendor Intel\n", 5, "unknown vendor Intel")]
    [InlineData("virtcpu-catalog 1\nname x\nmodel M\n  decode host=on guest=on\n  signature family=6 model=x\n", 5, "not an unsigned decimal number")]
    [InlineData("virtcpu-catalog 1\nname x\nmodel M\n  decode host=on guest=on\n  signature family=6 model=1 stepping=16\n", 5, "bad stepping")]
    [InlineData("virtcpu-catalog 1\nname x\nmodel M\n  decode host=on guest=on\n  colour blue\n", 5, "unknown keyword 'colour'")]
    [InlineData("virtcpu-catalog 1\nname x\n  decode host=on guest=on\n", 3, "outside a model block")]
    [InlineData("virtcpu-catalog 1\nname x\nmodel M\n  decode host=on guest=on\nmodel M\n  decode host=on guest=on\n", 5, "duplicate model M")]
    [InlineData("virtcpu-catalog 1\nname x\nvendor \"Zhaoxin CentaurHauls \"CentaurHauls\"\n", 3, "malformed quoted name")]
    [InlineData("virtcpu-catalog 1\nname x\nvendor \"Zhaoxin CentaurHauls\"\"CentaurHauls\"\n", 3, "malformed quoted name")]
    [InlineData("virtcpu-catalog 1\nname x\nvendor \"Zhaoxin\" \"CentaurHauls\"\nmodel M\n  decode host=on guest=on\n  vendor \"Zhaoxin CentaurHauls\"\n", 6, "unknown vendor \"Zhaoxin CentaurHauls\"")]
    public void Malformed_files_are_input_errors_with_line_numbers(string text, int line, string problem)
    {
        var e = Assert.Throws<InputException>(() => CatalogFile.Read(new StringReader(text), "bad.vcat"));
        Assert.Equal("bad.vcat", e.File);
        Assert.StartsWith($"line {line}: ", e.Problem, StringComparison.Ordinal);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_name_line_is_an_error()
    {
        var e = Assert.Throws<InputException>(() => CatalogFile.Read(new StringReader("virtcpu-catalog 1\n"), "bad.vcat"));
        Assert.Contains("no 'name' line", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Not a check: prints the warm load time of a built-in catalog (run with -explicit only).</summary>
    [Fact(Explicit = true)]
    public void Measure_built_in_load_time()
    {
        static void LoadOnce()
        {
            using var reader = new StreamReader(typeof(CatalogFile).Assembly.GetManifestResourceStream("VirtCpu.Catalogs.libvirt-11.3.vcat")!);
            CatalogFile.Read(reader, "timing");
        }

        // Enough calls for tiered compilation to reach optimized code.
        for (var i = 0; i < 300; i++)
        {
            LoadOnce();
        }

        const int Loads = 50;
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < Loads; i++)
        {
            LoadOnce();
        }

        sw.Stop();
        process.Refresh();
        var cpuMs = (process.TotalProcessorTime - cpu).TotalMilliseconds / Loads;
        TestContext.Current.TestOutputHelper!.WriteLine(
            $"libvirt-11.3: {sw.Elapsed.TotalMilliseconds / Loads:F3} ms wall, {cpuMs:F3} ms CPU per load (warm, {Loads} loads)");
    }

    private static CpuCatalog HandBuilt()
    {
        var intel = new Vendor("Intel", "GenuineIntel");
        var zhaoxin = new Vendor("Zhaoxin", "  Shanghai  ");
        var features = new[]
        {
            new Feature("fpu", [new FeatureBits(CpuDataKey.Cpuid(1), CpuRegister.Edx, 1)]),
            new Feature("multi", [new FeatureBits(CpuDataKey.Cpuid(7), CpuRegister.Ebx, 0x100), new FeatureBits(CpuDataKey.Cpuid(7), CpuRegister.Ecx, 1)]),
            new Feature("xsaves", [new FeatureBits(CpuDataKey.Cpuid(0xd, 1), CpuRegister.Eax, 8)], migratable: false, aliases: [new FeatureAlias("xsave-s", "qemu")]),
            new Feature("arch-caps", [new FeatureBits(CpuDataKey.Msr(0x10a), CpuRegister.Eax, 1), new FeatureBits(CpuDataKey.Msr(0x10a), CpuRegister.Edx, 2)], migratable: false, aliases: [new FeatureAlias("archcaps", ""), new FeatureAlias("arch_capabilities", "linux")]),
            new Feature("mpx", [new FeatureBits(CpuDataKey.Cpuid(7), CpuRegister.Ebx, 0x4000)]),
        };
        var models = new[]
        {
            new CpuModel { Name = "generic", DecodeHost = true, DecodeGuest = true, CompatCheck = true, Features = FeatureSet.Of(0) },
            new CpuModel
            {
                Name = "Old",
                Vendor = intel,
                Signatures = [new ModelSignature(6, 85, 0b11111), new ModelSignature(6, 85, 0b100000100000), new ModelSignature(15, 1, null)],
                Features = FeatureSet.Of(0, 1, 2),
                RemovedFeatures = [4, 3],
                AddedFeatures = [3],
                DecodeHost = true,
            },
            new CpuModel { Name = "Old-v1", Ancestor = "Old", IsAlias = true, Vendor = intel, Signatures = [new ModelSignature(6, 85, 0b11111), new ModelSignature(6, 85, 0b100000100000), new ModelSignature(15, 1, null)], Features = FeatureSet.Of(0, 1, 2), DecodeHost = true },
            new CpuModel { Name = "Derived", Ancestor = "Old", Vendor = zhaoxin, Signatures = [], Features = FeatureSet.Of(0, 1, 2, 4), DecodeGuest = true },
            new CpuModel { Name = "Stripped", Ancestor = "Derived", Vendor = null, Features = FeatureSet.Empty },
            new CpuModel { Name = "Odd-alias", Ancestor = "generic", IsAlias = true, Vendor = intel, Features = FeatureSet.Of(2) },
        };
        return CpuCatalog.Create("hand", [intel, zhaoxin], features, models);
    }
}
