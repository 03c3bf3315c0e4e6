using VirtCpu.Tests.Qemu;

namespace VirtCpu.Tests.Cli;

/// <summary>
/// Issue 14 item 3: a QEMU release is data. A release is imported into a temporary directory (from
/// a source tree the test writes, and as a catalog file of a release the build has never seen) and
/// used through the CLI by <c>qemu expand</c>, <c>start</c> and <c>migrate-check</c>, with no code
/// change.
/// </summary>
public sealed class ReleaseAsDataTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("virtcpu-release-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void AnImportedSourceTreeExpandsThroughTheCli()
    {
        QemuSourceImporterTests.WriteTree(Path.Combine(_dir.FullName, "qemu-src"));
        var (exit, _, stderr) = CliProcess.Run(_dir.FullName, "catalog", "import-qemu", "--source", "qemu-src", "--out", "toy.qcat");
        Assert.True(exit == 0, stderr);
        (exit, var stdout, stderr) = CliProcess.Run(_dir.FullName, "qemu", "expand", "Toy-IBRS", "--qemu", "toy.qcat", "--accel", "tcg");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Toy Processor (v2)", stdout, StringComparison.Ordinal);
        (exit, stdout, _) = CliProcess.Run(_dir.FullName, "qemu", "models", "--qemu", "toy.qcat");
        Assert.Equal(0, exit);
        Assert.Contains("toy64", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ANewReleaseAsACatalogFileStartsAndMigratesLikeItsData()
    {
        // QEMU "99.1": 10.0's table under a new name, with two machine types of its own.
        var text = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "catalogs", "qemu-10.0.qcat"))
            .Replace("name qemu-10.0\n", "name qemu-99.1\n", StringComparison.Ordinal)
            .Replace("qemu 10.0\n", "qemu 99.1\n", StringComparison.Ordinal)
            .Replace("machine pc-q35-10.0\n", "machine pc-q35-10.0\nmachine pc-q35-99.1\n", StringComparison.Ordinal)
            .Replace("machine pc-i440fx-10.0\n", "machine pc-i440fx-10.0\nmachine pc-i440fx-99.1\n", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_dir.FullName, "qemu-99.1.qcat"), text);
        File.Copy(Path.Combine(SharedData.RepoRoot, "tests", "VirtCpu.Tests", "Fixtures", "cpudata-virtual-turin.xml"), Path.Combine(_dir.FullName, "host.xml"));
        File.WriteAllText(Path.Combine(_dir.FullName, "old.json"), """{"catalog": "libvirt-11.3", "qemu": "10.0", "machine": "pc-q35-10.0", "accel": "tcg", "host": {"cpuid": "host.xml"}}""");
        File.WriteAllText(Path.Combine(_dir.FullName, "new.json"), """{"catalog": "libvirt-11.3", "qemu": "qemu-99.1.qcat", "machine": "pc-q35-99.1", "accel": "tcg", "host": {"cpuid": "host.xml"}}""");
        File.WriteAllText(Path.Combine(_dir.FullName, "qemu-99.1.behaviour"), VirtCpu.Formats.ProjectFiles.BehaviourFile.BuiltInText("qemu-10.0").Replace("release qemu 10.0", "release qemu 99.1", StringComparison.Ordinal));
        var behaviour = new Dictionary<string, string> { ["VIRTCPU_BEHAVIOUR_PATH"] = _dir.FullName };
        File.WriteAllText(Path.Combine(_dir.FullName, "guest.xml"), "<cpu mode='custom' match='exact' check='partial'>\n  <model fallback='forbid'>Westmere</model>\n</cpu>\n");

        var (exit, stdout, stderr) = CliProcess.Run(_dir.FullName, "qemu", "expand", "Westmere", "--qemu", "qemu-99.1.qcat", "--machine", "pc-q35-99.1", "--accel", "tcg");
        Assert.True(exit == 0, stderr);
        var (_, reference, _) = CliProcess.Run(_dir.FullName, "qemu", "expand", "Westmere", "--qemu", "10.0", "--machine", "pc-q35-10.0", "--accel", "tcg");
        Assert.Equal(reference.Replace("10.0", "99.1", StringComparison.Ordinal), stdout.Replace("10.0", "99.1", StringComparison.Ordinal));

        var r = CliRunner.RunWith(_dir.FullName, behaviour, "start", "--guest", "guest.xml", "--on", "new.json");
        (exit, stdout, stderr) = (r.ExitCode, r.Stdout, r.Stderr);
        var (oldExit, oldStart, _) = CliProcess.Run(_dir.FullName, "start", "--guest", "guest.xml", "--on", "old.json");
        Assert.True(exit == oldExit, stderr);
        Assert.Equal(oldStart, stdout.Replace("on new", "on old", StringComparison.Ordinal).Replace("qemu-99.1", "qemu-10.0", StringComparison.Ordinal).Replace("pc-q35-99.1", "pc-q35-10.0", StringComparison.Ordinal));

        r = CliRunner.RunWith(_dir.FullName, behaviour, "migrate-check", "--guest", "guest.xml", "--from", "old.json", "--to", "new.json");
        (exit, stdout, stderr) = (r.ExitCode, r.Stdout, r.Stderr);
        Assert.True(exit == 0, stdout + stderr);
        Assert.StartsWith("SAFE", stdout, StringComparison.Ordinal);
    }
}
