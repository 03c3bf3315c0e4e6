using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Qemu.BinaryImport;
using VirtCpu.Tests.Cli;

namespace VirtCpu.Tests.Qemu;

/// <summary>
/// <c>import-qemu --binary</c> against real binaries: Debian forky's QEMU 11.1.2 (the lab's
/// chroot) gives the built-in <c>qemu-11.1</c> byte for byte; and the command's failures are one line.
/// </summary>
public sealed class QemuBinaryImportLiveTests
{
    [Fact]
    public async Task ForkyBinaryGivesTheBuiltInCatalog()
    {
        var binary = LabQemu.Require("forky");
        var catalog = await QemuBinaryImporter.ImportAsync(new QemuBinaryImportOptions(binary) { Inherit = BuiltInHypervisors.Get("qemu-10.2") }, TestContext.Current.CancellationToken);
        var expected = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "catalogs", "qemu-11.1.qcat"));
        Assert.Equal(expected.Replace("/var/cache/virtcpu-lab/bin/qemu-forky", binary, StringComparison.Ordinal), QcatWriter.Write(catalog));
    }

    [Fact]
    public void MissingBinaryIsOneLineExitTwo()
    {
        var r = CliRunner.Run("catalog", "import-qemu", "--binary", "/no/such/qemu-system-x86_64", "--inherit", "qemu-10.2");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("virtcpu: /no/such/qemu-system-x86_64: cannot start /no/such/qemu-system-x86_64", r.Stderr.Split('\n').Last(l => l.Length > 0), StringComparison.Ordinal);
    }

    [Fact]
    public void InheritNeedsABinaryAndOneSourceIsGiven()
    {
        var r = CliRunner.Run("catalog", "import-qemu", "--source", "/tmp", "--inherit", "qemu-10.2");
        Assert.Equal((2, "virtcpu: --inherit: only --binary imports inherit from another catalog\n"), (r.ExitCode, r.Stderr));
        r = CliRunner.Run("catalog", "import-qemu", "--source", "/tmp", "--binary", "/usr/bin/true");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("give one of DIR", r.Stderr, StringComparison.Ordinal);
        r = CliRunner.Run("catalog", "import-qemu", "--binary", "/usr/bin/true", "--inherit", "qemu-99.9");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no built-in QEMU catalog 'qemu-99.9'", r.Stderr, StringComparison.Ordinal);
    }
}
