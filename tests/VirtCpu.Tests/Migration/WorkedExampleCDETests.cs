using VirtCpu.Cpu;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Migration;
using VirtCpu.Qemu;
using Xunit;
using static VirtCpu.Tests.Migration.MigrationFixtures;

namespace VirtCpu.Tests.Migration;

/// <summary>Worked examples (<c>docs/design.md#14-worked-examples</c>) C (vendor change), D (versioned names) and E (VMX controls).</summary>
public sealed class WorkedExampleCDETests
{
    [Fact]
    public void CVendorChangeIsUnsafe()
    {
        var guest = Guest("<cpu mode='custom' match='exact' check='partial'><model>qemu64</model></cpu>");
        var intel = Host("Intel", 6, 85, 4, "qemu64-v1", ["x2apic", "hypervisor"]);
        var amd = Host("AMD", 23, 1, 2, "qemu64-v1", ["x2apic", "hypervisor"]);
        var result = MigrationCheck.Check(guest, Node("S", Libvirt113, intel), Node("T", Libvirt113, amd));
        Assert.True(result.Verdict == Verdict.Unsafe, result.Reason);
        Assert.Equal(("GenuineIntel", "AuthenticAMD"), result.VendorChange);
        Assert.Empty(result.Lost);
        Assert.Empty(result.Gained);
        Assert.Null(result.SignatureChange);
        Assert.Contains("the vendor changes from GenuineIntel to AuthenticAMD", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DVersionedNameIsBlockedAtParseAndTranslationMakesItSafe()
    {
        var guest = Guest("<cpu mode='custom' match='exact' check='partial'><model>EPYC-v1</model></cpu>");
        var result = MigrationCheck.Check(guest, Node("S", Libvirt113, AmdHost(true)), Node("T", Libvirt90, AmdHost(true)));
        Assert.True(result.Verdict == Verdict.Blocked, result.Reason);
        Assert.Equal(StartStep.Parse, result.Step);
        Assert.Equal(["EPYC-v1"], result.Names);
        Assert.Contains("unknown CPU model 'EPYC-v1'", result.Reason, StringComparison.Ordinal);
        var advice = result.Advice!;
        Assert.True(advice.Translation.Succeeded, advice.Translation.Reason);
        Assert.Equal("EPYC", advice.Translation.Definition!.Model);
        Assert.Equal(
            result.Migrated!.Features.Where(f => Libvirt90.FindFeature(f.Name) is not null).OrderBy(f => f.Name, StringComparer.Ordinal),
            advice.Translation.Definition.Features.OrderBy(f => f.Name, StringComparer.Ordinal));
        Assert.True(advice.Verdict!.Verdict == Verdict.Safe, advice.Verdict.Reason);
    }

    [Fact]
    public void DRenamingEpycToEpycV1OnOldMachineChangesTheAbi()
    {
        var q = Qemu10;
        Assert.Equal(["npt", "nrip-save"], ReverseTranslator.RenameDifference(q, "pc-i440fx-3.1", QemuAccelerator.Kvm, "EPYC", "EPYC-v1", [new QemuFeatureSwitch("svm", true)]));
        var guest = Guest("<cpu mode='custom' match='exact' check='full'><model>EPYC</model><feature policy='require' name='svm'/></cpu>");
        var node = Node("T", Libvirt113, AmdHost(true), machine: "pc-i440fx-3.1");
        var translation = ReverseTranslator.Translate(guest, node, preferredModel: "EPYC-v1");
        Assert.True(translation.Succeeded, translation.Reason);
        Assert.Equal(["npt", "nrip-save"], translation.RenameDifference);
        Assert.Contains(translation.Notes, n => n.Contains("npt, nrip-save differ", StringComparison.Ordinal));
        Assert.Contains(new CpuFeature("npt", FeaturePolicy.Disable), translation.Definition!.Features);
        Assert.Contains(new CpuFeature("nrip-save", FeaturePolicy.Disable), translation.Definition.Features);

        // Left to choose, the translator keeps EPYC (the same CPU as written).
        var chosen = ReverseTranslator.Translate(guest, node);
        Assert.Equal("EPYC", chosen.Definition!.Model);
        Assert.Empty(chosen.Notes);
    }

    private static readonly CpuDefinition Nested = Guest("<cpu mode='custom' match='exact' check='partial'><model>Skylake-Server</model><feature policy='require' name='vmx'/></cpu>");

    private static InlineHost IntelVmxHost(bool rdseedExit) =>
        Host("Intel", 6, 85, 4, "Skylake-Server-v1", ["vmx", "x2apic", "hypervisor", "vmx-rdseed-exit"], rdseedExit ? [] : ["vmx-rdseed-exit"]);

    [Fact]
    public void ENestedGuestLosesVmxControlSilently()
    {
        var result = MigrationCheck.Check(Nested, Node("S", Libvirt113, IntelVmxHost(true)), Node("T", Libvirt113, IntelVmxHost(false)));
        Assert.True(result.Verdict == Verdict.Unsafe, result.Reason);
        Assert.Equal(["vmx-rdseed-exit"], result.Lost);
        Assert.Empty(result.Gained);
        Assert.Contains(result.Source.LiveDefinition!.Features, f => f.Name == "vmx-rdseed-exit");
        Assert.DoesNotContain(result.Migrated!.Features, f => f.Name == "vmx-rdseed-exit");
    }

    [Fact]
    public void ENestedGuestTowardLibvirt90IsUnsafeToo()
    {
        var result = MigrationCheck.Check(Nested, Node("S", Libvirt113, IntelVmxHost(true)), Node("T", Libvirt90, IntelVmxHost(false)));
        Assert.True(result.Verdict == Verdict.Unsafe, result.Reason);
        Assert.Equal(["vmx-rdseed-exit"], result.Lost);
    }

    [Fact]
    public void ENamedVmxControlIsBlockedAtLiveCheck()
    {
        var guest = Guest("<cpu mode='custom' match='exact' check='partial'><model>Skylake-Server</model><feature policy='require' name='vmx'/><feature policy='require' name='vmx-rdseed-exit'/></cpu>");
        var result = MigrationCheck.Check(guest, Node("S", Libvirt113, IntelVmxHost(true)), Node("T", Libvirt113, IntelVmxHost(false)));
        Assert.True(result.Verdict == Verdict.Blocked, result.Reason);
        Assert.Equal(StartStep.LiveCheck, result.Step);
        Assert.Equal(["vmx-rdseed-exit"], result.Names);
    }
}
