using System.Text.Json.Nodes;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Migration;

namespace VirtCpu.Tests.Lab;

/// <summary>
/// The upgrade view on the incident the lab reproduced (a 4-vCPU host-model guest from Debian 12's
/// 9.0/7.2 to Debian 13's 11.3/10.0, refused with "extra features: ht,cmp_legacy, missing features:
/// pcommit"): the verdict names the release behaviour and the TCG difference that cause it.
/// </summary>
public class UpgradeViewTests
{
    private static readonly string Fixtures = Path.Combine(SharedData.RepoRoot, "tests", "VirtCpu.Tests", "Fixtures", "lab");

    private static Node NodeOf(string name) => Node.Resolve(NodeProfileReader.Read(Path.Combine(Fixtures, name + ".json")));

    private static LibvirtDomain Incident()
    {
        var cases = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "outcomes.json")))!.AsArray();
        var c = cases.Single(x => (string)x!["guest"]! == "host-model" && ((string)x["topology"]!).StartsWith('4') && (string)x["route"]![0]! == "bw1" && (string)x["route"]![1]! == "tx1")!;
        return LibvirtDomain.Parse((string)c["domain"]!, "incident.xml");
    }

    [Fact]
    public void The_multi_vcpu_incident_is_blocked_with_its_causes_in_release_terms()
    {
        var domain = Incident();
        var verdict = MigrationCheck.Check(domain.Cpu, NodeOf("bw1"), NodeOf("tx1"), machine: domain.Machine);
        Assert.Equal(Verdict.Blocked, verdict.Verdict);
        Assert.Equal(StartStep.LiveCheck, verdict.Step);
        Assert.Equal(["ht", "cmp_legacy", "pcommit"], verdict.Names);
        Assert.Equal("libvirt check", VerdictCauses.Step(verdict));
        var causes = VerdictCauses.Explain(verdict);
        Assert.Equal(5, causes.Length);
        Assert.StartsWith("release behaviour: qemu-10.0 'multi-cpu-package ht' (source: QEMU 10.0 target/i386/cpu.c", causes[0], StringComparison.Ordinal);
        Assert.EndsWith("): QEMU 10.0 on tx1 sets ht in every vCPU of a guest with more than one CPU per package; QEMU 7.2 on bw1 does not, so libvirt 9.0 never recorded it", causes[0], StringComparison.Ordinal);
        // QEMU 7.2 gave the guest ht too, only while answering CPUID: the guest saw it on both sides.
        Assert.StartsWith("release behaviour: qemu-7.2 'cpuid-multi-cpu-package ht' (", causes[1], StringComparison.Ordinal);
        Assert.EndsWith("QEMU 7.2 on bw1 sets ht only while answering the CPUID of a guest with more than one CPU per package (the guest sees it, libvirt never records it); QEMU 10.0 on tx1 does not", causes[1], StringComparison.Ordinal);
        Assert.StartsWith("release behaviour: qemu-10.0 'multi-cpu-package-non-intel cmp-legacy' (", causes[2], StringComparison.Ordinal);
        Assert.Contains("QEMU 10.0 on tx1 sets cmp_legacy in every vCPU of a guest with more than one CPU per package unless its vendor is Intel or Zhaoxin", causes[2], StringComparison.Ordinal);
        Assert.StartsWith("release behaviour: qemu-7.2 'cpuid-multi-cpu-package-non-intel cmp-legacy' (", causes[3], StringComparison.Ordinal);
        Assert.Equal("host CPU: pcommit: the TCG CPU of QEMU 7.2 on bw1 offers it and that of QEMU 10.0 on tx1 does not, so the destination cannot give it to the guest", causes[4]);
    }

    [Fact]
    public void With_its_inactive_definition_the_incident_names_the_feature_that_came_through_host_model()
    {
        var domain = Incident();
        var bw1 = NodeOf("bw1");
        var verdict = MigrationCheck.Check(domain.Cpu, bw1, NodeOf("tx1"), machine: domain.Machine);
        var inactive = CpuXml.Parse("<cpu mode='host-model' check='partial'/>", "inactive.xml", VirtCpu.Cpu.CpuType.Guest);
        var causes = VerdictCauses.Explain(verdict, new CauseContext { SourceName = "op1", TargetName = "op3", Inactive = inactive, Origin = bw1 with { Name = "op1" } });
        Assert.Equal(6, causes.Length);
        Assert.EndsWith("QEMU 7.2 on op1 does not, so libvirt 9.0 never recorded it", causes[0], StringComparison.Ordinal);
        Assert.Equal("host CPU: pcommit: the TCG CPU of QEMU 7.2 on op1 offers it and that of QEMU 10.0 on op3 does not, so the destination cannot give it to the guest", causes[4]);
        Assert.Equal(
            "host-model: pcommit entered the guest through host-model on op1 under libvirt 9.0, QEMU 7.2: its inactive definition is host-model, and libvirt wrote op1's host-model CPU (EPYC and its features) into the live definition; a cold restart from the inactive definition on the destination takes the destination's host-model CPU instead",
            causes[5]);
    }

    [Fact]
    public void The_same_guest_with_one_vcpu_is_refused_for_pcommit_alone()
    {
        var domain = Incident();
        var one = domain.Cpu with { Topology = null };
        var verdict = MigrationCheck.Check(one, NodeOf("bw1"), NodeOf("tx1"), machine: domain.Machine);
        Assert.Equal(Verdict.Blocked, verdict.Verdict);
        Assert.Equal(["pcommit"], verdict.Names);
    }

    // Debian 13's node as if its libvirt were 12.8 (release behaviour 'live-unrecorded ht cmp_legacy',
    // observed in the lab), with the same QEMU 10.0 and map.
    private static Node FixedLibvirt()
    {
        var profile = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "tx1.json")))!;
        profile["libvirt"] = "12.8.0";
        var dir = Directory.CreateTempSubdirectory("virtcpu-fixed-");
        try
        {
            foreach (var file in Directory.GetFiles(Fixtures))
            {
                File.Copy(file, Path.Combine(dir.FullName, Path.GetFileName(file)));
            }

            var path = Path.Combine(dir.FullName, "fixed.json");
            File.WriteAllText(path, profile.ToJsonString());
            return Node.Resolve(NodeProfileReader.Read(path));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    private static LibvirtDomain TwoCoreWestmere()
    {
        var cases = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "outcomes.json")))!.AsArray();
        var c = cases.First(x => (string)x!["guest"]! == "westmere-partial" && (string)x["topology"]! == "2c" && (string)x["route"]![0]! == "bw1" && (string)x["route"]![1]! == "tx1")!;
        return LibvirtDomain.Parse((string)c["domain"]!, "westmere-2c.xml");
    }

    [Fact]
    public void A_libvirt_that_leaves_ht_unrecorded_takes_the_incident_guest_and_the_guest_sees_no_change()
    {
        var domain = TwoCoreWestmere();
        var fixedNode = FixedLibvirt();
        Assert.Equal(Verdict.Blocked, MigrationCheck.Check(domain.Cpu, NodeOf("bw1"), NodeOf("tx1"), machine: domain.Machine).Verdict);

        // QEMU 7.2 sets HTT while answering CPUID, QEMU 10.0 in the feature words: the guest sees ht on both.
        var verdict = MigrationCheck.Check(domain.Cpu, NodeOf("bw1"), fixedNode, machine: domain.Machine);
        Assert.Equal(Verdict.Safe, verdict.Verdict);
        Assert.DoesNotContain(verdict.Destination!.LiveDefinition!.Features, f => f.Name == "ht");
        Assert.Contains("ht", verdict.Source.Node.Hypervisor.NamesOf(verdict.Source.CpuidOnly));

        // Back from the fixed libvirt to 11.3: the definition names no ht, QEMU 10.0 sets it, 11.3 refuses.
        var back = MigrationCheck.Check(domain.Cpu, fixedNode, NodeOf("tx1"), machine: domain.Machine);
        Assert.Equal((Verdict.Blocked, StartStep.LiveCheck), (back.Verdict, back.Step));
        Assert.Equal(["ht"], back.Names);
    }
}
