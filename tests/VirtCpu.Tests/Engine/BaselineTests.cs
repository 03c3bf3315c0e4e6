using VirtCpu.Cpu;
using VirtCpu.Engine;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Qemu;
using static VirtCpu.Tests.Engine.TinyCatalog;

namespace VirtCpu.Tests.Engine;

public class BaselineTests
{
    private static readonly CpuBaseline Baseline = new(Tiny);

    [Fact]
    public void Single_host_keeps_its_model_with_fallback_forbid()
    {
        var r = Baseline.Compute([Host("Mid", "Intel", "vmx")]);
        Assert.Equal("Mid|Intel|require:vmx", Text(r));
        Assert.Equal((CpuType.Guest, CpuMatch.Exact, CpuFallback.Forbid, CpuMode.Custom), (r.Type, r.Match, r.Fallback, r.Mode));
        Assert.Null(r.Signature);
    }

    [Fact]
    public void Vendor_comes_from_later_models_and_is_printed_only_when_every_cpu_has_one()
    {
        var r = Baseline.Compute([Host("Old", null), Host("Amd1", null)]);
        Assert.Equal("base64||require:pni", Text(r));
        Assert.Equal(CpuFallback.Allow, r.Fallback);
        Assert.Equal("Old||disable:monitor", Text(Baseline.Compute([Host("Old", "Intel"), Host("Old", null)])));
        Assert.Equal("base64|Intel|require:pni", Text(Baseline.Compute([Host("Old", "Intel"), Host("Mid", "Intel")])));
    }

    [Fact]
    public void Vendor_conflicts_are_errors()
    {
        Assert.Equal("CPU vendors do not match", Assert.Throws<CpuEngineException>(() => Baseline.Compute([Host("Old", "Intel"), Host("Amd1", "AMD")])).Message);
        Assert.Equal("CPU vendor Intel of model Amd1 differs from vendor AMD", Assert.Throws<CpuEngineException>(() => Baseline.Compute([Host("Old", "Intel"), Host("Amd1", "Intel")])).Message);
        Assert.Equal("Unknown CPU vendor Via", Assert.Throws<CpuEngineException>(() => Baseline.Compute([Host("Old", "Via")])).Message);
        Assert.Equal("no CPU model specified at index 1", Assert.Throws<CpuEngineException>(() => Baseline.Compute([Host("Old", "Intel"), Host("Old", "Intel") with { Model = null }])).Message);
    }

    [Fact]
    public void Feature_filter_restricts_the_result_and_ignores_unknown_names()
    {
        Assert.Equal("base64|Intel|", Text(Baseline.Compute([Host("Mid", "Intel"), Host("New", "Intel")], features: ["fpu", "sse", "sse2", "bogus"])));
        Assert.Equal("CPUs are incompatible", Assert.Throws<CpuEngineException>(() => Baseline.Compute([Host("Old", null), Host("Amd1", null)], features: ["svm"])).Message);
    }

    [Fact]
    public void Migratable_drops_blockers()
    {
        CpuDefinition[] hosts = [Host("Mid", "Intel", "xsaves", "invtsc"), Host("Mid", "Intel", "invtsc", "xsaves", "vmx")];
        Assert.Equal("Mid|Intel|require:xsaves,require:invtsc", Text(Baseline.Compute(hosts)));
        Assert.Equal("Mid|Intel|", Text(Baseline.Compute(hosts, migratable: true)));
    }

    [Fact]
    public void Guest_definitions_count_their_policies()
    {
        var a = Guest("Mid", ("avx", FeaturePolicy.Disable), ("vmx", FeaturePolicy.Require));
        var b = Guest("Mid", ("vmx", FeaturePolicy.Require));
        Assert.Equal("Mid||require:vmx,disable:avx", Text(Baseline.Compute([a, b])));
    }

    [Fact]
    public void Qemu_expansion_builds_data_and_model_list()
    {
        var props = new KeyValuePair<string, QemuValue>[]
        {
            new("fpu", new QemuValue(QemuValueKind.Boolean, true)),
            new("pni", new QemuValue(QemuValueKind.Boolean, true)),
            new("svm", new QemuValue(QemuValueKind.Boolean, false)),
            new("sse4-1", new QemuValue(QemuValueKind.Boolean, true)),
            new("vendor", new QemuValue(QemuValueKind.Text, Text: "GenuineIntel")),
            new("family", new QemuValue(QemuValueKind.Number, Number: 6, Text: "6")),
            new("model", new QemuValue(QemuValueKind.Number, Number: 85, Text: "85")),
            new("stepping", new QemuValue(QemuValueKind.Number, Number: 7, Text: "7")),
        };
        var spelling = BehaviourFile.DefaultLibvirt.Spelling;
        var data = QemuHostData.FromExpansion(Tiny, new QemuModelExpansion("base", [.. props]), spelling);
        Assert.Equal(Set("fpu", "pni"), data.Features);
        Assert.Equal("GenuineIntel", data.VendorString);
        Assert.Equal(0x50657u, data.Leaf1Eax);
        Assert.Equal("pclmuldq", spelling.ToLibvirt("pclmulqdq"));
        Assert.Equal("sse4.1", spelling.ToLibvirt("sse4.1"));

        var models = QemuHostData.Models([
            new QemuCpuDefinitionInfo("Old", null, []),
            new QemuCpuDefinitionInfo("Mid", null, ["lahf-lm", "avx", "avx"]),
            new QemuCpuDefinitionInfo("base64", null, null),
        ], spelling);
        Assert.Equal(["Mid", "Old", "base64"], models.Models.Select(m => m.Name));
        Assert.True(models.TryGet("Mid", out var mid));
        Assert.False(mid.Usable);
        Assert.Equal(["avx", "lahf_lm"], mid.Blockers);
        Assert.True(models.TryGet("Old", out var old) && old.Usable == true);
        Assert.True(models.TryGet("base64", out var b) && b.Usable is null);
    }
}
