using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Migration;
using Xunit;
using static VirtCpu.Tests.Migration.MigrationFixtures;

namespace VirtCpu.Tests.Migration;

/// <summary>Worked example A (<c>docs/design.md#14-worked-examples</c>): the seed case (npt added to EPYC).</summary>
public sealed class WorkedExampleATests
{
    private static readonly CpuCatalog MOld = Libvirt113;
    private static readonly CpuCatalog MNew = WithFeature(Libvirt113, "EPYC", "npt", present: true, name: "libvirt-11.3+npt");

    private static CpuDefinition GuestWith(string check) =>
        Guest($"<cpu mode='custom' match='exact' check='{check}'><model>EPYC</model><feature policy='require' name='svm'/></cpu>");

    [Theory]
    [InlineData(1, "partial", true, false, true, false, Verdict.Blocked, StartStep.LiveCheck, "npt")]
    [InlineData(2, "none", true, false, false, false, Verdict.Safe, StartStep.None, "")]
    [InlineData(3, "partial", false, true, true, false, Verdict.Blocked, StartStep.LiveCheck, "npt")]
    [InlineData(4, "partial", false, true, true, true, Verdict.Safe, StartStep.None, "")]
    [InlineData(5, "partial", true, false, true, true, Verdict.Blocked, StartStep.LiveCheck, "npt")]
    public void Rows(int row, string check, bool sourceNew, bool targetNew, bool sourceNpt, bool targetNpt, Verdict verdict, StartStep step, string names)
    {
        var s = Node("S", sourceNew ? MNew : MOld, AmdHost(sourceNpt));
        var t = Node("T", targetNew ? MNew : MOld, AmdHost(targetNpt));
        var result = MigrationCheck.Check(GuestWith(check), s, t);
        Assert.True(result.Verdict == verdict, $"row {row}: {MigrationVerdict.Name(result.Verdict)} {result.Reason}");
        Assert.Equal(step, result.Step);
        Assert.Equal(names, string.Join(",", result.Names));
        if (verdict == Verdict.Safe)
        {
            Assert.Empty(result.Lost);
            Assert.Empty(result.Gained);
        }
    }

    [Fact]
    public void Row2SourceRecordsDisableNpt()
    {
        var s = Node("S", MNew, AmdHost(false));
        var start = GuestStarter.Start(GuestWith("none"), s);
        Assert.True(start.Succeeded, start.Reason);
        Assert.Contains(new CpuFeature("npt", FeaturePolicy.Disable), start.LiveDefinition!.Features);
    }

    [Fact]
    public void Row5ReportsExtraNpt()
    {
        var result = MigrationCheck.Check(GuestWith("partial"), Node("S", MNew, AmdHost(true)), Node("T", MOld, AmdHost(true)));
        Assert.Equal(["npt"], result.Destination!.Extra);
        Assert.Contains("extra features: npt", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void StartRegressionAddingNptStopsPartialStartOnHostsWithoutIt()
    {
        var newStart = GuestStarter.Start(GuestWith("partial"), Node("S", MNew, AmdHost(false)));
        Assert.False(newStart.Succeeded);
        Assert.Equal(StartStep.Compare, newStart.Step);
        Assert.Equal(["npt"], newStart.Missing);
        var oldStart = GuestStarter.Start(GuestWith("partial"), Node("S", MOld, AmdHost(false)));
        Assert.True(oldStart.Succeeded, oldStart.Reason);
    }
}
