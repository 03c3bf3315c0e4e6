using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Formats.QemuData;
using VirtCpu.Qemu;

namespace VirtCpu.Tests.Qemu;

public sealed class QemuUsabilityTests
{
    private static QemuProbe Probe(string file) => QemuProbeFile.ReadFile(SharedData.Require("qemu-7.2/" + file));

    private static List<string> Mismatches(QemuProbe probe, IReadOnlyList<QemuModelUsability> rows)
    {
        var byName = rows.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var bad = new List<string>();
        var n = 0;
        foreach (var d in probe.Definitions.Where(d => byName.ContainsKey(d.Name)))
        {
            n++;
            var theirs = d.UnavailableFeatures!.Value.Distinct().Order(StringComparer.Ordinal).ToList();
            if (!theirs.SequenceEqual(byName[d.Name].Blockers))
            {
                bad.Add($"{d.Name}: QEMU [{string.Join(' ', theirs)}], VirtCpu [{string.Join(' ', byName[d.Name].Blockers)}]");
            }
        }

        Assert.Equal(129, n);
        return bad;
    }

    [Fact]
    public void TcgBlockersEqualQemu72UnavailableFeatures()
    {
        var probe = Probe("qmp-probe-tcg.json");
        var catalog = BuiltInHypervisors.Get("7.2");
        Assert.Empty(Mismatches(probe, QemuModelUsability.ForAll(catalog, HostOffer.Tcg(catalog), "none", QemuAccelerator.Tcg)));
    }

    [Fact]
    public void KvmBlockersFromTheHostExpansionEqualQemu72UnavailableFeatures()
    {
        var probe = Probe("qmp-probe-kvm.json");
        var catalog = BuiltInHypervisors.Get("7.2");
        var offer = HostOffer.FromExpansion(catalog, probe.Expansions["host"], "probe");
        Assert.Equal("AuthenticAMD", offer.Vendor);
        Assert.Empty(Mismatches(probe, QemuModelUsability.ForAll(catalog, offer, "none", QemuAccelerator.Kvm)));
    }

    [Fact]
    public void RawCpuidOfferIsCompletedForKvm()
    {
        var catalog = BuiltInHypervisors.Get("10.0");
        var sse2 = catalog.Feature("sse2")!;
        var bits = sse2.FeatureBits[0];
        var raw = VirtCpu.Cpuid.CpuidData.Empty.With(bits.Key, new VirtCpu.Cpuid.CpuRegisters(0, 0, 0, bits.Mask));
        var behaviour = BehaviourFile.For("qemu", catalog.QemuVersion, null);
        var tcg = HostOffer.FromCpuid(catalog, raw, QemuAccelerator.Tcg, "t", behaviour);
        Assert.Equal(["sse2"], catalog.NamesOf(tcg.Features));
        Assert.True(tcg.Approximate);
        var kvm = HostOffer.FromCpuid(catalog, raw, QemuAccelerator.Kvm, "t", behaviour);
        Assert.Equal(["hypervisor", "x2apic", "tsc-deadline"], behaviour.KvmSynthesized);
        Assert.Contains("kvmclock", catalog.NamesOf(kvm.Features));
        Assert.Contains("x2apic", catalog.NamesOf(kvm.Features));
        Assert.Contains("hypervisor", catalog.NamesOf(kvm.Features));
        Assert.Contains("tsc-deadline", catalog.NamesOf(kvm.Features));
    }

    [Theory]
    [InlineData("10.0", "qemu64-v1", 1)]
    [InlineData("10.0", "Nehalem-v1", 2)]
    [InlineData("10.0", "Haswell-v1", 3)]
    [InlineData("10.0", "Skylake-Server-v1", 4)]
    [InlineData("10.0", "EPYC-v1", 3)]
    [InlineData("10.0", "EPYC-Genoa-v1", 4)]
    [InlineData("10.0", "Opteron_G1-v1", 1)]
    [InlineData("10.0", "486-v1", 0)]
    [InlineData("10.0", "qemu32-v1", 0)]
    [InlineData("10.0", "Snowridge-v1", 2)]
    [InlineData("7.2", "Cooperlake-v1", 4)]
    public void ModelLevels(string qemu, string model, int level)
    {
        var catalog = BuiltInHypervisors.Get(qemu);
        var cpu = QemuExpander.Expand(catalog, new QemuCpuConfig(model) { Machine = "none", Accelerator = QemuAccelerator.Tcg });
        Assert.Equal(level, X86Level.Of(catalog, cpu.Enabled));
    }

    [Theory]
    [InlineData("7.2")]
    [InlineData("10.0")]
    public void LmAndXsaveChangeNoLevelOfQemusModels(string qemu)
    {
        // QEMU's script lists the psABI features without lm and xsave; for its own models the result is the same.
        var catalog = BuiltInHypervisors.Get(qemu);
        IReadOnlyList<IReadOnlyList<string>> script = [.. X86Level.Levels.Select(l => (IReadOnlyList<string>)[.. l.Where(n => n is not ("lm" or "xsave"))])];
        foreach (var name in catalog.Models.SelectMany(m => m.Versions).Select(v => v.Name))
        {
            var cpu = QemuExpander.Expand(catalog, new QemuCpuConfig(name) { Machine = "none", Accelerator = QemuAccelerator.Tcg });
            Assert.Equal(X86Level.Of(catalog, cpu.Enabled, script), X86Level.Of(catalog, cpu.Enabled));
        }
    }
}
