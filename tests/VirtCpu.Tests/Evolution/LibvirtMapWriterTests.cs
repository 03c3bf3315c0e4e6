using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Tests.Cli;

namespace VirtCpu.Tests.Evolution;

/// <summary><c>catalog export-libvirt</c>: the written cpu_map reads back identically, and the CLI diff over edited maps.</summary>
public sealed class LibvirtMapWriterTests
{
    [Theory]
    [InlineData("libvirt-11.3")]
    [InlineData("libvirt-9.0")]
    public void Export_and_reimport_gives_the_same_catalog(string name)
    {
        var catalog = BuiltInCatalogs.Get(name);
        var dir = TempDir();
        try
        {
            LibvirtMapWriter.Write(catalog, dir);
            var back = LibvirtMapReader.Load(dir, name);
            Assert.Equal(CatalogFile.WriteToString(catalog), CatalogFile.WriteToString(back));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Model_file_uses_libvirt_style()
    {
        var catalog = BuiltInCatalogs.Get("libvirt-11.3");
        Assert.Equal("<cpus>\n  <model name='EPYC-v1'>\n    <decode host='on' guest='off'/>\n    <model name='EPYC'/>\n  </model>\n</cpus>\n",
            LibvirtMapWriter.Model(catalog, catalog.FindModel("EPYC-v1")!));
        var skylake = LibvirtMapWriter.Model(catalog, catalog.FindModel("Skylake-Server")!);
        Assert.Contains("    <check partial='compat'/>\n    <decode host='on' guest='on'/>\n", skylake, StringComparison.Ordinal);
        Assert.Contains("    <feature name='mpx' removed='yes'/>\n", skylake, StringComparison.Ordinal);
        Assert.Contains("    <feature name='vmx-ept' added='yes'/>\n", skylake, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_diff_9_0_to_exported_11_3_exits_0_and_without_the_mpx_marker_exits_1()
    {
        var dir = TempDir();
        try
        {
            var good = Path.Combine(dir, "libvirt-11.3");
            var (code, _, stderr) = CliProcess.Run(null, "catalog", "export-libvirt", "libvirt-11.3", good);
            Assert.True(code == 0, stderr);

            (code, var stdout, stderr) = CliProcess.Run(null, "catalog", "diff", "libvirt-9.0", good);
            Assert.True(code == 0, stdout + stderr);
            Assert.Contains("removed='yes' marker keeps this removal safe", stdout, StringComparison.Ordinal);
            Assert.Contains("Verdict: accepted (exit 0)", stdout, StringComparison.Ordinal);

            // The same map with every mpx removed='yes' marker deleted.
            var bad = Path.Combine(dir, "libvirt-11.3-nomarker");
            Directory.CreateDirectory(bad);
            foreach (var file in Directory.GetFiles(good))
            {
                var text = File.ReadAllText(file).Replace("    <feature name='mpx' removed='yes'/>\n", string.Empty, StringComparison.Ordinal);
                File.WriteAllText(Path.Combine(bad, Path.GetFileName(file)), text);
            }

            (code, stdout, stderr) = CliProcess.Run(null, "catalog", "diff", "libvirt-9.0", bad);
            Assert.True(code == 1, stdout + stderr);
            Assert.Contains("removed from the model's data, without removed='yes': mpx: migration regression", stdout, StringComparison.Ordinal);
            Assert.Contains("BLOCKED at live-check (mpx)", stdout, StringComparison.Ordinal);
            Assert.Contains("Verdict: REJECTED (exit 1)", stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Cli_diff_rejects_a_changed_EPYC_v3_file_and_accepts_a_new_EPYC_v5_file()
    {
        var dir = TempDir();
        try
        {
            var map = Path.Combine(dir, "map");
            CliProcess.Run(null, "catalog", "export-libvirt", "libvirt-11.3", map);
            var v3 = Path.Combine(map, "x86_EPYC-v3.xml");
            var original = File.ReadAllText(v3);

            File.WriteAllText(v3, original.Replace("    <feature name='avx2'/>\n", "    <feature name='avx2'/>\n    <feature name='avx512f'/>\n", StringComparison.Ordinal));
            var (code, stdout, stderr) = CliProcess.Run(null, "catalog", "diff", "libvirt-11.3", map);
            Assert.True(code == 1, stdout + stderr);
            Assert.Contains("EPYC-v3: changed: forbidden", stdout, StringComparison.Ordinal);

            File.WriteAllText(v3, original);
            File.WriteAllText(Path.Combine(map, "x86_EPYC-v5.xml"), File.ReadAllText(Path.Combine(map, "x86_EPYC-v4.xml")).Replace("EPYC-v4", "EPYC-v5", StringComparison.Ordinal));
            var index = Path.Combine(map, "index.xml");
            File.WriteAllText(index, File.ReadAllText(index).Replace("      <include filename='x86_EPYC-v4.xml'/>\n", "      <include filename='x86_EPYC-v4.xml'/>\n      <include filename='x86_EPYC-v5.xml'/>\n", StringComparison.Ordinal));
            (code, stdout, stderr) = CliProcess.Run(null, "catalog", "diff", "libvirt-11.3", map);
            Assert.True(code == 0, stdout + stderr);
            Assert.Contains("Models added (1): EPYC-v5", stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "virtcpu-h-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
