using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Migration;
using Xunit;
using static VirtCpu.Tests.Migration.MigrationFixtures;

namespace VirtCpu.Tests.Migration;

/// <summary>Worked example B (<c>docs/design.md#14-worked-examples</c>): mpx removed from Skylake-Server, with and without the marker.</summary>
public sealed class WorkedExampleBTests
{
    private static readonly CpuDefinition Skylake = Guest("<cpu mode='custom' match='exact' check='partial'><model>Skylake-Server</model></cpu>");

    private static InlineHost IntelHost(bool mpx) =>
        Host("Intel", 6, 85, 4, "Skylake-Server-v1", ["mpx", "x2apic", "hypervisor"], mpx ? [] : ["mpx"]);

    private static CpuCatalog WithoutMarker()
    {
        var mpx = Libvirt113.FindFeature("mpx")!.Index;
        var catalog = WithModel(Libvirt113, "Skylake-Server", m => m with { RemovedFeatures = [.. m.RemovedFeatures.Where(i => i != mpx)] }, "libvirt-11.3-nomarker");
        Assert.Empty(catalog.FindModel("Skylake-Server")!.RemovedFeatures.Where(i => i == mpx));
        return catalog;
    }

    [Fact]
    public void MarkerMakesNewToOldSafe()
    {
        Assert.Contains(Libvirt113.FindFeature("mpx")!.Index, Libvirt113.FindModel("Skylake-Server")!.RemovedFeatures);
        var result = MigrationCheck.Check(Skylake, Node("S", Libvirt113, IntelHost(true)), Node("T", Libvirt90, IntelHost(true)));
        Assert.True(result.Verdict == Verdict.Safe, result.Reason);
        Assert.Contains(new CpuFeature("mpx", FeaturePolicy.Disable), result.Source.LiveDefinition!.Features);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WithoutMarkerNewToOldIsBlockedAtLiveCheck(bool mpx)
    {
        var result = MigrationCheck.Check(Skylake, Node("S", WithoutMarker(), IntelHost(mpx)), Node("T", Libvirt90, IntelHost(mpx)));
        Assert.True(result.Verdict == Verdict.Blocked, result.Reason);
        Assert.Equal(StartStep.LiveCheck, result.Step);
        Assert.Equal(["mpx"], result.Names);
        Assert.Equal(["mpx"], result.Destination!.Missing);
    }

    [Fact]
    public void OldToNewIsSafe()
    {
        var result = MigrationCheck.Check(Skylake, Node("S", Libvirt90, IntelHost(true)), Node("T", Libvirt113, IntelHost(true)));
        Assert.True(result.Verdict == Verdict.Safe, result.Reason);
        Assert.Contains(new CpuFeature("mpx", FeaturePolicy.Disable), result.Source.LiveDefinition!.Features);
    }
}
