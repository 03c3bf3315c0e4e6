using VirtCpu.Cpu;
using VirtCpu.Engine;
using static VirtCpu.Tests.Engine.TinyCatalog;

namespace VirtCpu.Tests.Engine;

public class LiveUpdateTests
{
    private static readonly LiveCpuUpdater Updater = new(Tiny);

    [Fact]
    public void Without_full_check_the_definition_records_what_the_hypervisor_did()
    {
        var cpu = Guest("Mid", ("vmx", FeaturePolicy.Require));
        var r = Updater.Update(cpu, Set("fpu", "sse", "sse2", "pni", "avx", "hle", "vmx", "svm"), Set("rtm"));
        Assert.Equal("Mid||require:vmx,disable:rtm,require:svm", Text(r));
    }

    [Fact]
    public void Missing_model_features_without_disabled_data_are_disabled()
    {
        var r = Updater.Update(Guest("Mid"), Set("fpu", "sse", "sse2", "pni", "avx", "hle"), default);
        Assert.Equal("Mid||disable:rtm", Text(r));
    }

    [Fact]
    public void Full_check_reports_extra_and_missing_features()
    {
        var cpu = Guest("Mid", ("vmx", FeaturePolicy.Require)) with { Check = CpuCheck.Full };
        var e = Assert.Throws<CpuEngineException>(() => Updater.Update(cpu, Set("fpu", "sse", "sse2", "pni", "avx", "hle", "vmx", "svm"), Set("rtm")));
        Assert.Equal("guest CPU doesn't match specification: extra features: svm, missing features: rtm", e.Message);
        e = Assert.Throws<CpuEngineException>(() => Updater.Update(cpu, Set("fpu", "sse", "sse2", "pni", "avx", "hle", "rtm", "vmx", "svm", "monitor"), default));
        Assert.Equal("guest CPU doesn't match specification: extra features: monitor,svm", e.Message);
        Assert.Equal("Mid||require:vmx", Text(Updater.Update(cpu, Set("fpu", "sse", "sse2", "pni", "avx", "hle", "rtm", "vmx"), default)));
    }

    [Fact]
    public void Added_features_are_tolerated_unless_mentioned_explicitly()
    {
        string[] newModel = ["fpu", "sse", "sse2", "pni", "avx", "avx2", "vmx"];
        var full = Guest("New") with { Check = CpuCheck.Full };
        Assert.Equal("New||require:mds-no", Text(Updater.Update(full, Set([.. newModel, "mds-no"]), default)));
        var explicitOff = Guest("New", ("mds-no", FeaturePolicy.Disable)) with { Check = CpuCheck.Full };
        var e = Assert.Throws<CpuEngineException>(() => Updater.Update(explicitOff, Set([.. newModel, "mds-no"]), default));
        Assert.Equal("guest CPU doesn't match specification: extra features: mds-no", e.Message);
        Assert.Equal("New||require:mds-no", Text(Updater.Update(Guest("New"), Set([.. newModel, "mds-no"]), default)));
    }

    [Fact]
    public void Conflicting_data_is_an_error()
    {
        var e = Assert.Throws<CpuEngineException>(() => Updater.Update(Guest("Mid"), Set("avx"), Set("avx")));
        Assert.Equal("hypervisor provided conflicting CPU data: feature 'avx' is both enabled and disabled at the same time", e.Message);
    }

    [Fact]
    public void Removed_features_are_appended_as_disabled()
    {
        Assert.Equal("Old||disable:monitor", Text(Updater.Update(Guest("Old"), Set("fpu", "sse", "sse2", "pni"), default)));
    }

    [Fact]
    public void Passthrough_does_not_expect_non_model_features_disabled()
    {
        var cpu = new CpuDefinition { Type = CpuType.Guest, Mode = CpuMode.HostPassthrough, Check = CpuCheck.Full };
        Assert.Equal("||", Text(Updater.Update(cpu, Set("fpu", "svm"), default)));
        Assert.False(LiveCpuUpdater.Applies(cpu with { Check = CpuCheck.Partial }));
        Assert.True(LiveCpuUpdater.Applies(cpu));
    }
}
