using VirtCpu.Cpu;
using VirtCpu.Engine;
using static VirtCpu.Tests.Engine.TinyCatalog;

namespace VirtCpu.Tests.Engine;

public class DecodeTests
{
    private static readonly CpuDecoder Decoder = new(Tiny);

    [Fact]
    public void Host_decode_rejects_candidates_that_need_disabled_features()
    {
        var data = Data("GenuineIntel", 6, 85, 2, "fpu", "sse", "sse2", "pni", "avx", "vmx");
        var host = Decoder.DecodeHost(data);
        Assert.Equal("Old|Intel|vmx,avx", Text(host));
        Assert.Equal(CpuType.Host, host.Type);
        Assert.Equal("x86_64", host.Arch);
        Assert.Equal(new VirtCpu.Catalog.CpuSignature(6, 85, 2), host.Signature);
    }

    [Fact]
    public void Guest_decode_penalises_disabled_features_and_prefers_signature()
    {
        var data = Data("GenuineIntel", 6, 85, 2, "fpu", "sse", "sse2", "pni", "avx", "vmx");
        var guest = Decoder.DecodeGuest(data);
        Assert.Equal("New|Intel|disable:avx2", Text(guest));
        Assert.Equal(CpuFallback.Forbid, guest.Fallback);
    }

    [Theory]
    [InlineData(14, 2, 17, 2)] // libvirt's Opteron-2350 example: only the first disabled feature is penalised
    [InlineData(15, 2, 18, 2)]
    [InlineData(0, 1, 2, 2)]
    [InlineData(0, 3, 6, 5)]
    [InlineData(3, 0, 3, 0)]
    public void Penalty_loop_bound_shrinks_while_scanning(int enabled, int disabled, int total, int disabledScore)
    {
        Assert.Equal((total, disabledScore), CpuDecoder.Score(enabled, disabled));
    }

    [Fact]
    public void Ties_go_to_the_later_model_for_host_and_alias_is_skipped_for_guest()
    {
        var data = Data("GenuineIntel", 0, 0, 0, "fpu", "sse", "sse2", "pni", "avx", "hle", "rtm");
        Assert.Equal("Mid-v1|Intel|", Text(Decoder.DecodeHost(data)));
        Assert.Equal("Mid|Intel|", Text(Decoder.DecodeGuest(data)));
    }

    [Fact]
    public void A_matching_signature_beats_a_better_feature_fit()
    {
        var data = Data("GenuineIntel", 6, 15, 1, "fpu", "sse", "sse2", "pni", "avx", "hle", "rtm");
        Assert.Equal("Old|Intel|avx,hle,rtm", Text(Decoder.DecodeHost(data)));
    }

    [Fact]
    public void Tsx_erratum_filter_drops_hle_and_rtm_on_affected_intel_parts()
    {
        string[] mid = ["fpu", "sse", "sse2", "pni", "avx", "hle", "rtm"];
        Assert.Equal("Old|Intel|avx", Text(Decoder.DecodeHost(Data("GenuineIntel", 6, 60, 3, mid))));
        Assert.Equal("Mid-v1|Intel|", Text(Decoder.DecodeHost(Data("GenuineIntel", 6, 61, 3, mid))));
        Assert.Equal("Old|Intel|avx", Text(Decoder.DecodeHost(Data("GenuineIntel", 6, 63, 2, mid))));
        Assert.Equal("Mid-v1|Intel|", Text(Decoder.DecodeHost(Data("GenuineIntel", 6, 63, 4, mid))));
    }

    [Fact]
    public void Removed_features_are_appended_as_disabled_for_guests_only()
    {
        Assert.Equal("Old|Intel|disable:monitor", Text(Decoder.DecodeGuest(Data("GenuineIntel", 6, 15, 1, "fpu", "sse", "sse2", "pni"))));
        Assert.Equal("Old|Intel|require:monitor", Text(Decoder.DecodeGuest(Data("GenuineIntel", 6, 15, 1, "fpu", "sse", "sse2", "pni", "monitor"))));
        Assert.Equal("Old|Intel|", Text(Decoder.DecodeHost(Data("GenuineIntel", 6, 15, 1, "fpu", "sse", "sse2", "pni"))));
    }

    [Fact]
    public void Vendor_filter_keeps_generic_models()
    {
        var data = Data("AuthenticAMD", 0, 0, 0, "fpu", "sse", "sse2", "avx");
        Assert.Equal("base64|AMD|avx", Text(Decoder.DecodeHost(data)));
    }

    [Fact]
    public void Hypervisor_blockers_become_disabled_features()
    {
        var data = Data("GenuineIntel", 0, 0, 0, "fpu", "sse", "sse2", "pni", "avx", "hle", "rtm");
        var models = HypervisorModels.Create([new("Mid", false, ["avx"]), new("Old", true, []), new("base64", true, [])]);
        Assert.Equal("Mid|Intel|disable:avx", Text(Decoder.DecodeGuest(data, models)));
        Assert.Equal("Mid|Intel|", Text(Decoder.DecodeGuest(data, HypervisorModels.FromNames("Mid", "Old"))));
    }

    [Fact]
    public void Models_not_offered_are_skipped_and_no_candidate_is_an_error()
    {
        var data = Data("GenuineIntel", 0, 0, 0, "fpu", "sse");
        var e = Assert.Throws<CpuEngineException>(() => Decoder.DecodeGuest(data, HypervisorModels.FromNames("nomodel")));
        Assert.Equal("Cannot find suitable CPU model for given data", e.Message);
    }

    [Fact]
    public void Single_preferred_model_wins_outright_and_its_absence_fails_with_fallback_forbid()
    {
        var data = Data("GenuineIntel", 0, 0, 0, "fpu", "sse", "sse2", "pni", "avx", "hle", "rtm");
        Assert.Equal("Old|Intel|avx,hle,rtm", Text(Decoder.Decode(CpuDecoder.HostStub, data, preferred: ["Old"])));

        // a single preferred name that fails the decode filter does not short-circuit
        Assert.Equal("Mid|Intel|", Text(Decoder.Decode(CpuDecoder.GuestStub, data, preferred: ["Mid-v1"])));

        var e = Assert.Throws<CpuEngineException>(() => Decoder.Decode(CpuDecoder.GuestStub, data, HypervisorModels.FromNames("base64"), ["Old"]));
        Assert.Equal("CPU model Old is not supported by hypervisor", e.Message);
        var allow = CpuDecoder.GuestStub with { Fallback = CpuFallback.Allow };
        Assert.Equal("base64|Intel|require:pni,require:avx,require:hle,require:rtm", Text(Decoder.Decode(allow, data, HypervisorModels.FromNames("base64"), ["Old"])));
    }

    [Fact]
    public void Migratable_decode_drops_blockers()
    {
        var data = Data("GenuineIntel", 0, 0, 0, "fpu", "sse", "sse2", "pni", "avx", "hle", "rtm", "invtsc", "xsaves");
        Assert.Equal("Mid-v1|Intel|xsaves,invtsc", Text(Decoder.DecodeHost(data)));
        Assert.Equal("Mid-v1|Intel|", Text(Decoder.Decode(CpuDecoder.HostStub, data, migratable: true)));
    }
}
