using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Qemu;

namespace VirtCpu.Tests.Qemu;

/// <summary>
/// Issue 14, point 6: every built-in QEMU catalog whose binary runs here expands every model name
/// exactly as that binary does under TCG, on the oldest, a middle and the newest pc-i440fx machine
/// type and the newest pc-q35 type (<c>scripts/check-qemu-catalogs.sh</c> prints the same per
/// machine type; docs/catalogs.md has the numbers).
/// </summary>
public sealed class QemuLiveCheckTests
{
    [Theory]
    [InlineData("bullseye", "qemu-5.2", 120)]
    [InlineData("bookworm", "qemu-7.2", 129)]
    [InlineData("trixie", "qemu-10.0", 151)]
    [InlineData("forky", "qemu-11.1", 186)]
    public async Task EveryModelExpandsAsTheBinaryDoes(string stack, string release, int names)
    {
        var binary = LabQemu.Require(stack);
        var catalog = BuiltInHypervisors.Get(release);
        var machines = QemuLiveCheck.DefaultMachines(catalog);
        Assert.Equal(4, machines.Length);
        foreach (var machine in machines)
        {
            var check = await QemuLiveCheck.CheckAsync(catalog, binary, machine, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            Assert.Equal(names, check.Results.Length);
            Assert.Empty(check.Differing.Select(d => $"{machine} {d.Name}: {string.Join("; ", d.Differences)}"));
            Assert.Empty(check.OnlyInBinary);
            Assert.Empty(check.OnlyInCatalog);
        }
    }

    [Fact]
    public void DefaultMachineTypesAreOldMiddleAndNew()
    {
        Assert.Equal(["pc-i440fx-1.4", "pc-i440fx-2.11", "pc-i440fx-7.2", "pc-q35-7.2"], QemuLiveCheck.DefaultMachines(BuiltInHypervisors.Get("qemu-7.2")));
        Assert.Equal(["pc-i440fx-5.2", "pc-i440fx-8.2", "pc-i440fx-11.1", "pc-q35-11.1"], QemuLiveCheck.DefaultMachines(BuiltInHypervisors.Get("qemu-11.1")));
    }
}
