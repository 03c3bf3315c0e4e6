using System.Text.Json;
using VirtCpu.Evolution;

namespace VirtCpu.Tests.Cli;

public sealed class CatalogCommandsTests
{
    [Theory]
    [InlineData("libvirt-12.8", 176)]
    [InlineData("libvirt-11.3", 150)]
    [InlineData("libvirt-9.0", 58)]
    [InlineData("libvirt-7.0", 57)]
    public void Models_lists_every_model(string catalog, int count)
    {
        var (code, stdout, stderr) = CliProcess.Run(null, "models", "--catalog", catalog);
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("NAME", lines[0], StringComparison.Ordinal);
        Assert.Equal(count, lines.Length - 2);
        Assert.Equal($"{count} models in {catalog}", lines[^1]);
    }

    [Fact]
    public void Models_defaults_to_libvirt_11_3_and_names_the_new_models()
    {
        var (code, stdout, _) = CliProcess.Run(null, "models");
        Assert.Equal(0, code);
        foreach (var name in new[] { "EPYC-v4", "EPYC-IBPB", "Skylake-Server-v5", "GraniteRapids-v2" })
        {
            Assert.Contains("\n" + name + " ", stdout, StringComparison.Ordinal);
        }

        var epyc = stdout.Split('\n').Single(l => l.StartsWith("EPYC ", StringComparison.Ordinal));
        Assert.Equal(["EPYC", "AMD", "EPYC-v1", "host,guest", "compat", "-"], epyc.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Models_json_has_every_field()
    {
        var (code, stdout, _) = CliProcess.Run(null, "models", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("libvirt-11.3", doc.RootElement.GetProperty("catalog").GetString());
        var models = doc.RootElement.GetProperty("models");
        Assert.Equal(150, models.GetArrayLength());
        var v2 = models.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "EPYC-v2");
        Assert.Equal("AMD", v2.GetProperty("vendor").GetString());
        Assert.Equal(JsonValueKind.Null, v2.GetProperty("canonical").ValueKind);
        Assert.True(v2.GetProperty("decodeHost").GetBoolean());
        Assert.False(v2.GetProperty("decodeGuest").GetBoolean());
        Assert.False(v2.GetProperty("compatCheck").GetBoolean());
        Assert.Equal("EPYC-IBPB", v2.GetProperty("ancestor").GetString());
        Assert.True(v2.GetProperty("alias").GetBoolean());
        Assert.Equal(2, v2.GetProperty("version").GetInt32());
    }

    [Fact]
    public void Models_from_a_map_directory()
    {
        var map = SharedData.Require("libvirt-9.0/cpu_map");
        var (code, stdout, _) = CliProcess.Run(null, "models", "--map", map);
        Assert.Equal(0, code);
        Assert.EndsWith("58 models in libvirt-9.0\n", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--catalog", "libvirt-9.0", "--map", "/tmp")]
    [InlineData("--catalog", "libvirt-1.0")]
    [InlineData("--map", "/nonexistent-virtcpu-map")]
    public void Models_bad_usage_is_one_line_and_exit_2(params string[] args)
    {
        var (code, stdout, stderr) = CliProcess.Run(null, ["models", .. args]);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("virtcpu: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Lock_check_passes_on_the_committed_lock()
    {
        var (code, stdout, stderr) = CliProcess.Run(null, "catalog", "lock", "--check");
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains($"{CatalogLock.BuiltInSources().Count()} models match", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Lock_check_fails_naming_a_changed_versioned_model_and_update_refuses_it()
    {
        var dir = Directory.CreateTempSubdirectory("virtcpu-lock-").FullName;
        try
        {
            var path = Path.Combine(dir, CatalogLock.FileName);
            var lines = File.ReadAllLines(Path.Combine(SharedData.RepoRoot, "catalogs", CatalogLock.FileName))
                .Select(l => l.StartsWith("libvirt-11.3 EPYC-v3 ", StringComparison.Ordinal) ? "libvirt-11.3 EPYC-v3 sha256:" + new string('0', 64) : l)
                .Where(l => !l.StartsWith("libvirt-9.0 Dhyana ", StringComparison.Ordinal));
            File.WriteAllLines(path, lines);

            var (code, stdout, _) = CliProcess.Run(dir, "catalog", "lock", "--check", "--lock", path);
            Assert.Equal(1, code);
            Assert.Contains("libvirt-11.3 EPYC-v3: changed (versioned model: forbidden", stdout, StringComparison.Ordinal);
            Assert.Contains("libvirt-9.0 Dhyana: added", stdout, StringComparison.Ordinal);

            var before = File.ReadAllText(path);
            var (updateCode, _, updateErr) = CliProcess.Run(dir, "catalog", "lock", "--update", "--reason", "test", "--lock", path);
            Assert.Equal(1, updateCode);
            Assert.Contains("EPYC-v3", updateErr, StringComparison.Ordinal);
            Assert.Equal(before, File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Lock_update_records_an_unversioned_change_with_its_reason()
    {
        var dir = Directory.CreateTempSubdirectory("virtcpu-lock-").FullName;
        try
        {
            var path = Path.Combine(dir, CatalogLock.FileName);
            var lines = File.ReadAllLines(Path.Combine(SharedData.RepoRoot, "catalogs", CatalogLock.FileName))
                .Select(l => l.StartsWith("libvirt-11.3 EPYC ", StringComparison.Ordinal) ? "libvirt-11.3 EPYC sha256:" + new string('1', 64) : l);
            File.WriteAllLines(path, lines);

            var (noReason, _, _) = CliProcess.Run(dir, "catalog", "lock", "--update", "--lock", path);
            Assert.Equal(2, noReason);
            var (code, stdout, stderr) = CliProcess.Run(dir, "catalog", "lock", "--update", "--reason", "EPYC gained a feature", "--lock", path);
            Assert.True(code == 0, stdout + stderr);
            var text = File.ReadAllText(path);
            Assert.Contains("# change: EPYC gained a feature (libvirt-11.3 EPYC)\n", text, StringComparison.Ordinal);
            Assert.Equal(0, CliProcess.Run(dir, "catalog", "lock", "--check", "--lock", path).ExitCode);
            Assert.Single(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Import_libvirt_writes_the_catalog_file_atomically()
    {
        var map = SharedData.Require("libvirt-9.0/cpu_map");
        var dir = Directory.CreateTempSubdirectory("virtcpu-import-").FullName;
        try
        {
            var output = Path.Combine(dir, "x.vcat");
            var (code, stdout, stderr) = CliProcess.Run(dir, "catalog", "import-libvirt", map, "--name", "libvirt-9.0", "--out", output);
            Assert.True(code == 0, stderr);
            Assert.Contains("3 vendors, 212 features, 58 models", stdout, StringComparison.Ordinal);
            Assert.Equal(File.ReadAllText(Path.Combine(SharedData.RepoRoot, "catalogs", "libvirt-9.0.vcat")), File.ReadAllText(output));
            Assert.Equal([output], Directory.GetFiles(dir));

            var (bad, _, badErr) = CliProcess.Run(dir, "catalog", "import-libvirt", dir, "--name", "x", "--out", Path.Combine(dir, "y.vcat"));
            Assert.Equal(2, bad);
            Assert.Contains("index.xml: no such file", badErr, StringComparison.Ordinal);
            Assert.Equal([output], Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Sync_qemu_writes_a_map_that_import_and_diff_accept()
    {
        using var dir = new TempDirectory();
        var map = Path.Combine(dir.Path, "cpu_map");
        var sync = CliRunner.Run("catalog", "sync-qemu", "--from", "qemu-10.2", "--into", "libvirt-11.3", "--out", map);
        Assert.True(sync.ExitCode == 0, sync.Stderr);
        Assert.Contains("16 model file(s) added (13 definition(s), 3 pointer(s)), 12 feature(s) and 1 vendor(s) added", sync.Stdout, StringComparison.Ordinal);
        Assert.Contains("x86_vendors.xml: + vendor 'Zhaoxin CentaurHauls' string 'CentaurHauls'", sync.Stdout, StringComparison.Ordinal);
        Assert.Contains("== x86_YongFeng-v1.xml (from QEMU YongFeng-v1)\n   points at YongFeng (v1 is the base model)", sync.Stdout, StringComparison.Ordinal);

        var import = CliRunner.Run("catalog", "import-libvirt", map, "--name", "synced", "--out", Path.Combine(dir.Path, "synced.vcat"));
        Assert.True(import.ExitCode == 0, import.Stderr);
        Assert.Contains("4 vendors, 376 features, 166 models", import.Stdout, StringComparison.Ordinal);
        var diff = CliRunner.Run("catalog", "diff", "libvirt-11.3", map);
        Assert.True(diff.ExitCode == 0, diff.Stdout + diff.Stderr);
        Assert.Contains("Models changed (0)", diff.Stdout, StringComparison.Ordinal);
        Assert.Contains("Verdict: accepted (exit 0)", diff.Stdout, StringComparison.Ordinal);
    }
}
