using VirtCpu.Cpu;
using VirtCpu.Engine;
using static VirtCpu.Tests.Engine.TinyCatalog;

namespace VirtCpu.Tests.Engine;

public class CompareTests
{
    private static readonly CpuComparer Comparer = new(Tiny);
    private static readonly CpuDefinition HostCpu = Host("Mid", "Intel", "vmx");

    private static string Run(CpuDefinition cpu)
    {
        var r = Comparer.Compare(HostCpu, cpu);
        return r.Message is null ? r.Result.ToString() : $"{r.Result}: {r.Message}";
    }

    [Fact]
    public void Host_against_itself_is_identical() => Assert.Equal("Identical", Run(HostCpu));

    [Fact]
    public void Older_model_is_a_superset() => Assert.Equal("Superset", Run(Guest("Old")));

    [Fact]
    public void Missing_model_features_are_incompatible() =>
        Assert.Equal("Incompatible: Host CPU does not provide required features: avx2", Run(Guest("New")));

    [Fact]
    public void Forced_features_never_make_it_incompatible() =>
        Assert.Equal("Superset", Run(Guest("New", ("avx2", FeaturePolicy.Force))));

    [Fact]
    public void Required_extra_feature_must_be_on_the_host() =>
        Assert.Equal("Incompatible: Host CPU does not provide required features: svm", Run(Guest("Old", ("svm", FeaturePolicy.Require))));

    [Fact]
    public void Optional_and_disabled_features_are_not_checked()
    {
        Assert.Equal("Superset", Run(Guest("Old", ("svm", FeaturePolicy.Optional))));
        Assert.Equal("Superset", Run(Guest("Old", ("vmx", FeaturePolicy.Disable))));
    }

    [Fact]
    public void Forbidden_feature_on_the_host_is_incompatible()
    {
        Assert.Equal("Incompatible: Host CPU provides forbidden features: vmx", Run(Guest("Old", ("vmx", FeaturePolicy.Forbid))));
        Assert.Equal("Superset", Run(Guest("Old", ("svm", FeaturePolicy.Forbid))));
    }

    [Fact]
    public void Strict_match_rejects_extra_host_features()
    {
        Assert.Equal("Incompatible: Host CPU does not strictly match guest CPU: Extra features: vmx, avx, hle, rtm", Run(Guest("Old") with { Match = CpuMatch.Strict }));
        Assert.Equal("Identical", Run(Guest("Mid", ("vmx", FeaturePolicy.Require)) with { Match = CpuMatch.Strict }));
        Assert.Equal("Identical", Run(Guest("Mid", ("vmx", FeaturePolicy.Force)) with { Match = CpuMatch.Strict }));
    }

    [Fact]
    public void Vendor_and_arch_mismatches_are_incompatible()
    {
        Assert.Equal("Incompatible: host CPU vendor does not match required CPU vendor AMD", Run(Guest("Old") with { Vendor = "AMD" }));
        Assert.Equal("Incompatible: CPU arch ia64 does not match host arch", Run(Host("Mid", "Intel") with { Arch = "ia64" }));
        Assert.Equal("Incompatible: host CPU vendor does not match required CPU vendor Intel", Comparer.Compare(Host("Mid", null), Host("Mid", "Intel")) is var r ? $"{r.Result}: {r.Message}" : null);
        Assert.Equal(CpuCompareResult.Identical, Comparer.Compare(HostCpu, Host("Mid", null, "vmx")).Result);
    }

    [Fact]
    public void Unknown_model_or_feature_is_an_error()
    {
        Assert.Equal("Unknown CPU model Nope", Assert.Throws<CpuEngineException>(() => Run(Guest("Nope"))).Message);
        Assert.Equal("Unknown CPU feature foo", Assert.Throws<CpuEngineException>(() => Run(Guest("Old", ("foo", FeaturePolicy.Require)))).Message);
        Assert.Equal("Unknown CPU feature hv-relaxed", Assert.Throws<CpuEngineException>(() => Run(Guest("Old", ("hv-relaxed", FeaturePolicy.Require)))).Message);
    }

    [Fact]
    public void Item_level_compare_votes_per_cpuid_leaf()
    {
        Assert.Equal(ModelRelation.Unrelated, ModelComparison.Compare(Tiny, Set("fpu", "sse"), Set("fpu", "pni")));
        Assert.Equal(ModelRelation.Superset, ModelComparison.Compare(Tiny, Set("fpu", "sse", "avx2"), Set("fpu")));
        Assert.Equal(ModelRelation.Subset, ModelComparison.Compare(Tiny, Set("fpu"), Set("fpu", "avx2", "sse")));
        Assert.Equal(ModelRelation.Equal, ModelComparison.Compare(Tiny, Set("fpu", "mds-no"), Set("fpu", "mds-no")));
        Assert.Equal(ModelRelation.Unrelated, ModelComparison.Compare(Tiny, Set("fpu", "avx2"), Set("fpu", "svm")));
    }

    [Fact]
    public void Has_feature_accepts_internal_names_and_rejects_unknown_ones()
    {
        Assert.True(HasFeature.Check(Tiny, HostCpu, "vmx"));
        Assert.True(HasFeature.Check(Tiny, HostCpu, "hle"));
        Assert.False(HasFeature.Check(Tiny, HostCpu, "svm"));
        Assert.False(HasFeature.Check(Tiny, HostCpu, "hv-relaxed"));
        Assert.Equal("unknown CPU feature foo", Assert.Throws<CpuEngineException>(() => HasFeature.Check(Tiny, HostCpu, "foo")).Message);
    }
}
