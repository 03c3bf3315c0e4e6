using VirtCpu.Cpu;
using VirtCpu.Engine;
using static VirtCpu.Tests.Engine.TinyCatalog;

namespace VirtCpu.Tests.Engine;

public class UpdateTests
{
    private static readonly GuestCpuUpdater Updater = new(Tiny);
    private static readonly CpuDefinition HostCpu = Host("Mid", "Intel", "vmx", "invtsc");

    [Fact]
    public void Host_model_takes_the_host_model_vendor_and_features()
    {
        var guest = Guest(null, ("vmx", FeaturePolicy.Disable)) with { Mode = CpuMode.HostModel, Fallback = CpuFallback.Forbid, Topology = new CpuTopology(1, 1, 1, 2, 1) };
        var r = Updater.Update(guest, HostCpu);
        Assert.Equal("Mid|Intel|disable:vmx,require:invtsc", Text(r));
        Assert.Equal((CpuMode.Custom, CpuMatch.Exact, CpuFallback.Forbid), (r.Mode, r.Match, r.Fallback));
        Assert.Equal(guest.Topology, r.Topology);
    }

    [Fact]
    public void Minimum_match_keeps_the_guest_vendor_and_appends_guest_features()
    {
        var guest = Guest("Old", ("avx2", FeaturePolicy.Require)) with { Match = CpuMatch.Minimum };
        var r = Updater.Update(guest, HostCpu);
        Assert.Equal("Mid||require:vmx,require:invtsc,require:avx2", Text(r));
        Assert.Equal(CpuMatch.Exact, r.Match);
    }

    [Fact]
    public void Optional_features_resolve_against_the_host()
    {
        var guest = Guest("Old", ("vmx", FeaturePolicy.Optional), ("svm", FeaturePolicy.Optional), ("hv-relaxed", FeaturePolicy.Optional));
        Assert.Equal("Old||require:vmx,disable:svm,disable:hv-relaxed,disable:monitor", Text(Updater.Update(guest, HostCpu)));
        var bad = Guest("Old", ("foo", FeaturePolicy.Optional));
        Assert.Equal("unknown CPU feature foo", Assert.Throws<CpuEngineException>(() => Updater.Update(bad, HostCpu)).Message);
        Assert.Equal("unknown host CPU model", Assert.Throws<CpuEngineException>(() => Updater.Update(guest, null)).Message);
    }

    [Fact]
    public void Removed_features_follow_the_removed_policy()
    {
        Assert.Equal("Old||disable:monitor", Text(Updater.Update(Guest("Old"), HostCpu)));
        Assert.Equal("Old||require:monitor", Text(Updater.Update(Guest("Old"), HostCpu, FeaturePolicy.Require)));
        Assert.Equal("Old||require:monitor", Text(Updater.Update(Guest("Old", ("monitor", FeaturePolicy.Require)), HostCpu, FeaturePolicy.Disable)));
        Assert.Equal("Unknown CPU model Nope", Assert.Throws<CpuEngineException>(() => Updater.Update(Guest("Nope"), HostCpu)).Message);
    }

    [Fact]
    public void Passthrough_is_never_changed()
    {
        var guest = Guest(null, ("vmx", FeaturePolicy.Disable)) with { Mode = CpuMode.HostPassthrough };
        Assert.Same(guest, Updater.Update(guest, HostCpu));
    }

    [Fact]
    public void Translate_decodes_to_an_offered_model_and_reapplies_explicit_features()
    {
        var translator = new CpuTranslator(Tiny);
        var guest = Guest("Old", ("vmx", FeaturePolicy.Require));
        var models = HypervisorModels.FromNames("base64", "Mid");
        Assert.Equal("base64||require:pni,require:vmx", Text(translator.Translate(guest, models)));
        Assert.Same(guest, translator.Translate(guest, HypervisorModels.FromNames("Old")));
        Assert.Same(guest, translator.Translate(guest, null));
        var forbid = guest with { Fallback = CpuFallback.Forbid };
        Assert.Equal("CPU model Old is not supported by hypervisor", Assert.Throws<CpuEngineException>(() => translator.Translate(forbid, models)).Message);
    }

    [Fact]
    public void Expand_lists_model_features_drops_force_optional_forbid_and_sorts_ordinally()
    {
        var guest = Guest("Old", ("avx", FeaturePolicy.Force), ("vmx", FeaturePolicy.Disable), ("svm", FeaturePolicy.Require), ("mds-no", FeaturePolicy.Optional));
        Assert.Equal("Old||require:fpu,disable:monitor,require:pni,require:sse,require:sse2,require:svm,disable:vmx", Text(FeatureExpander.Expand(Tiny, guest)));
        Assert.Equal("Old|Intel|fpu,pni,sse,sse2,vmx", Text(FeatureExpander.Expand(Tiny, Host("Old", "Intel", "vmx"))));
        Assert.Equal("unknown CPU model Nope", Assert.Throws<CpuEngineException>(() => FeatureExpander.Expand(Tiny, Guest("Nope"))).Message);
    }

    [Fact]
    public void Migratable_copy_drops_blockers_by_name()
    {
        Assert.Equal("Mid|Intel|vmx", Text(MigratableCopy.Create(Tiny, Host("Mid", "Intel", "invtsc", "vmx", "xsaves"))));
    }
}
