using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Formats.QemuData;

namespace VirtCpu.Tests.Qemu;

public sealed class QcatTests
{
    [Theory]
    [InlineData("7.2")]
    [InlineData("10.0")]
    public void CommittedCatalogEqualsAFreshImportOfTheReferenceTablesLessTheirErrata(string version)
    {
        // The committed catalogs come from QEMU's source (import-qemu --source); the tables differ
        // only where they are wrong (docs/catalogs.md): in 10.0 they mark as TCG features the bits
        // QEMU adds to its TCG masks only in user-mode builds (CONFIG_USER_ONLY), which
        // qemu-system-x86_64 10.0.13 refuses under TCG.
        var dir = SharedData.Require($"qemu-{version}");
        var fresh = QcatWriter.Write(QemuTsvImporter.ImportDirectory(dir, $"qemu-{version}"));
        var committed = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "catalogs", $"qemu-{version}.qcat"));
        Assert.Equal(WithoutMachineData(committed), WithoutTableErrata(fresh, version));
    }

    /// <summary>The features the 10.0 table wrongly marks <c>tcg</c> (QEMU's user-mode-only TCG bits).</summary>
    internal static readonly string[] UserModeOnlyTcg10 =
        ["pcid", "tsc-deadline", "fxsr-opt", "osvw", "nrip-save", "vnmi", "invpcid", "spec-ctrl", "arch-capabilities", "ssbd", "ibpb", "ibrs", "amd-stibp", "stibp-always-on", "amd-ssbd", "amd-psfd"];

    /// <summary>A catalog text without its machine types and compat properties (which the tables do not hold).</summary>
    /// <param name="qcat">The catalog text.</param>
    /// <returns>The text up to the machine data.</returns>
    internal static string WithoutMachineData(string qcat)
    {
        var at = qcat.IndexOf("\n\n# machine types:", StringComparison.Ordinal);
        return at < 0 ? qcat : qcat[..(at + 1)];
    }

    /// <summary>A table import with the documented table errors corrected.</summary>
    /// <param name="qcat">The table import.</param>
    /// <param name="version">The release.</param>
    /// <returns>The corrected text.</returns>
    internal static string WithoutTableErrata(string qcat, string version)
    {
        if (version != "10.0")
        {
            return qcat;
        }

        var lines = qcat.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var parts = lines[i].Split(' ');
            if (parts is ["feature", var name, ..] && UserModeOnlyTcg10.Contains(name))
            {
                lines[i] = string.Join(' ', parts.Where(p => p != "tcg"));
            }
        }

        return string.Join('\n', lines);
    }

    [Theory]
    [InlineData("5.2", 290, 38, 64, 18)]
    [InlineData("7.2", 319, 38, 74, 17)]
    [InlineData("10.0", 382, 44, 90, 17)]
    [InlineData("10.2", 389, 45, 99, 17)]
    [InlineData("11.1", 407, 46, 123, 17)]
    public void BuiltInCatalogsLoadAndWriteBackIdentically(string version, int features, int models, int versions, int aliases)
    {
        var catalog = BuiltInHypervisors.Get(version);
        Assert.Same(catalog, BuiltInHypervisors.Get("qemu-" + version));
        Assert.Equal(features, catalog.Features.Length);
        Assert.Equal(models, catalog.Models.Length);
        Assert.Equal(versions, catalog.Models.Sum(m => m.Versions.Length));
        Assert.Equal(models + versions + aliases, catalog.ModelNames.Count());
        var text = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "catalogs", $"qemu-{version}.qcat"));
        Assert.Equal(text, QcatWriter.Write(catalog));
    }

    [Fact]
    public void DefaultIsQemu10AndUnknownNamesAreInputErrors()
    {
        Assert.Equal("qemu-10.0", BuiltInHypervisors.Get().Name);
        Assert.Contains("qemu-7.2", BuiltInHypervisors.Names);
        Assert.Throws<InputException>(() => BuiltInHypervisors.Get("6.2"));
    }

    [Fact]
    public void VersionDefinitionsAreCumulative()
    {
        var c = BuiltInHypervisors.Get("10.0");
        var haswell = c.Model("Haswell")!;
        var hle = c.Feature("hle")!.Index;
        Assert.True(haswell.Version(1)!.Definition.Features.Contains(hle));
        Assert.False(haswell.Version(2)!.Definition.Features.Contains(hle));
        Assert.True(haswell.Version(3)!.Definition.Features.Contains(hle));
        Assert.Equal(1, haswell.Version(4)!.Definition.Stepping);
        Assert.Equal("Haswell-noTSX", haswell.Version(2)!.Alias);
        Assert.Equal("Haswell-v3", c.Alias("Haswell-IBRS")!.Name);
        Assert.Equal("epyc_v4_cache_info", c.Model("EPYC")!.Version(4)!.Definition.CacheInfo);
        Assert.Equal("epyc_rome_v3_cache_info", c.Model("EPYC-Rome")!.Version(4)!.Definition.CacheInfo);
        Assert.Equal([0, 3], c.Feature("kvmclock")!.Bits);
        Assert.Equal(c.Feature("pni"), c.Feature("sse3"));
    }

    [Fact]
    public void CanonicalTextsCoverEveryVersion()
    {
        var c = BuiltInHypervisors.Get("10.0");
        var texts = c.CanonicalModelTexts().ToList();
        Assert.Equal(90, texts.Count);
        Assert.Equal(texts.Count, texts.Select(t => t.CanonicalText).Distinct().Count());
        Assert.Contains("feature hle FEAT_7_0_EBX 4\n", texts.Single(t => t.Model == "Haswell-v1").CanonicalText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "line 1: empty file")]
    [InlineData("qcat 2\n", "line 1: format version 2")]
    [InlineData("name x\n", "line 1: expected the header")]
    [InlineData("qcat 1\nname x\nqemu 1.0\nword W cpuid 0x1 - eax\nfeature a W 40\n", "line 5: QEMU feature a: bit 40 is outside word W")]
    [InlineData("qcat 1\nname x\nqemu 1.0\nbogus\n", "line 4: unknown item 'bogus'")]
    [InlineData("qcat 1\nname x\nqemu 1.0\nmodel M\n  vendor \"Genu\n", "line 5: unterminated string")]
    [InlineData("qcat 1\nname x\nqemu 1.0\nmodel M\n  vendor GenuineIntel\n  version 1\n", "line 4: model M has no family")]
    public void ReaderErrorsNameTheLine(string text, string expected)
    {
        var e = Assert.Throws<InputException>(() => QcatReader.Read(text, "t.qcat"));
        Assert.Equal("t.qcat", e.File);
        Assert.StartsWith(expected, e.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", e.Problem, StringComparison.Ordinal);
    }
}
