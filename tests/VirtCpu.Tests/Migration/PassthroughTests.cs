using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Migration;
using VirtCpu.Qemu;
using Xunit;
using static VirtCpu.Tests.Migration.MigrationFixtures;

namespace VirtCpu.Tests.Migration;

/// <summary>
/// host-passthrough and maximum guests: the guest gets the host's CPU as KVM gives it, libvirt
/// checks nothing, so a migration is SAFE only between hosts that offer the same CPU.
/// </summary>
public class PassthroughTests
{
    private static readonly InlineHost Amd = AmdHost(npt: true);

    [Fact]
    public void The_guest_gets_the_hosts_features_vendor_and_signature()
    {
        var start = GuestStarter.Start(Guest("<cpu mode='host-passthrough'/>"), Node("a", Libvirt113, Amd));
        Assert.True(start.Succeeded, start.Reason);
        Assert.Equal("host-passthrough", start.Passthrough!.Mode);
        Assert.Equal("AuthenticAMD", start.Vendor);
        Assert.Equal(new VirtCpu.Catalog.CpuSignature(23, 1, 2), start.Signature);
        Assert.Contains("npt", start.EnabledNames);
        Assert.Contains("svm", start.EnabledNames);
        Assert.Equal(VirtCpu.Cpu.CpuCheck.None, start.LiveDefinition!.Check);
    }

    [Fact]
    public void Identical_hosts_are_safe_and_a_missing_feature_is_unsafe()
    {
        var guest = Guest("<cpu mode='host-passthrough' check='none'/>");
        var a = Node("a", Libvirt113, Amd);
        Assert.Equal(Verdict.Safe, MigrationCheck.Check(guest, a, Node("b", Libvirt113, Amd)).Verdict);

        var verdict = MigrationCheck.Check(guest, a, Node("c", Libvirt113, AmdHost(npt: false)));
        Assert.Equal(Verdict.Unsafe, verdict.Verdict);
        Assert.Equal(["npt"], verdict.Lost);
        Assert.Empty(verdict.Gained);

        // Switching the feature off in the definition makes both hosts give the same CPU.
        var without = Guest("<cpu mode='host-passthrough' check='none'><feature policy='disable' name='npt'/></cpu>");
        Assert.Equal(Verdict.Safe, MigrationCheck.Check(without, a, Node("c", Libvirt113, AmdHost(npt: false))).Verdict);
    }

    [Fact]
    public void Another_vendor_changes_vendor_signature_and_features()
    {
        var intel = Host("Intel", 6, 85, 4, "Skylake-Server-v4", ["vmx", "x2apic", "hypervisor"]);
        var verdict = MigrationCheck.Check(Guest("<cpu mode='maximum'/>"), Node("a", Libvirt113, Amd), Node("i", Libvirt90, intel));
        Assert.Equal(Verdict.Unsafe, verdict.Verdict);
        Assert.Equal(("AuthenticAMD", "GenuineIntel"), verdict.VendorChange);
        Assert.Contains("svm", verdict.Lost);
        Assert.Contains("vmx", verdict.Gained);
        Assert.NotNull(verdict.SignatureChange);
    }

    [Fact]
    public void Unmigratable_features_are_left_out_unless_migratable_is_off()
    {
        var host = AmdHost(npt: true) with { Features = [.. AmdHost(npt: true).Features, "invtsc"] };
        var node = Node("a", Libvirt113, host);
        Assert.DoesNotContain("invtsc", GuestStarter.Start(Guest("<cpu mode='host-passthrough'/>"), node).EnabledNames);
        Assert.DoesNotContain("invtsc", GuestStarter.Start(Guest("<cpu mode='host-passthrough' migratable='on'/>"), node).EnabledNames);
        Assert.Contains("invtsc", GuestStarter.Start(Guest("<cpu mode='host-passthrough' migratable='off'/>"), node).EnabledNames);
    }

    [Fact]
    public void Without_kvm_host_passthrough_does_not_start_and_unknown_features_are_parse_errors()
    {
        var tcg = GuestStarter.Start(Guest("<cpu mode='host-passthrough'/>"), Node("t", Libvirt113, Amd, accel: QemuAccelerator.Tcg));
        Assert.Equal(StartStep.Hypervisor, tcg.Step);
        Assert.Contains("needs KVM", tcg.Reason, StringComparison.Ordinal);

        var unknown = GuestStarter.Start(Guest("<cpu mode='host-passthrough'><feature policy='require' name='nosuch'/></cpu>"), Node("a", Libvirt113, Amd));
        Assert.Equal(StartStep.Parse, unknown.Step);
        Assert.Equal(["nosuch"], unknown.Unknown);
    }
}
