using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Formats.QemuData;
using VirtCpu.Qemu;

namespace VirtCpu.Tests.Qemu;

/// <summary>
/// The proof of the QEMU layer without a binary: VirtCpu's expansion of every name QEMU 7.2
/// expanded (129: 74 X-vN, 38 unversioned, 17 aliases) equals QEMU's own, under TCG and KVM.
/// </summary>
public sealed class QemuReferenceProbeTests
{
    private static readonly Lazy<QemuProbe> Tcg = new(() => QemuProbeFile.ReadFile(SharedData.Require("qemu-7.2/qmp-probe-tcg.json")));
    private static readonly Lazy<QemuProbe> Kvm = new(() => QemuProbeFile.ReadFile(SharedData.Require("qemu-7.2/qmp-probe-kvm.json")));

    [Fact]
    public void TcgExpansionMatchesQemu72ForAll129Names()
    {
        SharedData.Require("qemu-7.2/qmp-probe-tcg.json");
        var results = QemuProbeCheck.Compare(BuiltInHypervisors.Get("7.2"), Tcg.Value, QemuAccelerator.Tcg);
        Assert.Equal(129, results.Count);
        Assert.Empty(results.Where(r => !r.Matches).Select(r => $"{r.Name}: {string.Join("; ", r.Differences)}"));
    }

    [Fact]
    public void KvmExpansionMatchesQemu72ForAll129NamesIgnoringVendor()
    {
        SharedData.Require("qemu-7.2/qmp-probe-kvm.json");
        var results = QemuProbeCheck.Compare(BuiltInHypervisors.Get("7.2"), Kvm.Value, QemuAccelerator.Kvm, compareVendor: false);
        Assert.Equal(129, results.Count);
        Assert.Empty(results.Where(r => !r.Matches).Select(r => $"{r.Name}: {string.Join("; ", r.Differences)}"));
    }

    [Fact]
    public void TheCheckCanFail()
    {
        SharedData.Require("qemu-7.2/qmp-probe-tcg.json");

        // Expanding under KVM rules what QEMU expanded under TCG must not match.
        var results = QemuProbeCheck.Compare(BuiltInHypervisors.Get("7.2"), Tcg.Value, QemuAccelerator.Kvm);
        Assert.Contains(results, r => !r.Matches);
    }

    [Fact]
    public void AliasOfUnderMachineNoneMatchesTheProbe()
    {
        SharedData.Require("qemu-7.2/qmp-probe-tcg.json");
        var catalog = BuiltInHypervisors.Get("7.2");
        var none = QemuMachineTypes.Find(catalog, "none");
        var checkedCount = 0;
        foreach (var d in Tcg.Value.Definitions.Where(d => d.Name is not ("host" or "max" or "base")))
        {
            Assert.Equal(d.AliasOf, QemuModelResolution.Resolve(catalog, d.Name, none).AliasOf);
            checkedCount++;
        }

        Assert.Equal(129, checkedCount);
    }
}
