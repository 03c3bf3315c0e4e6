using CsCheck;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Migration;
using Xunit;
using static VirtCpu.Tests.Migration.MigrationFixtures;

namespace VirtCpu.Tests.Migration;

/// <summary>Invariants of the migration model over random catalogs, hosts and guests.</summary>
public sealed class MigrationPropertyTests
{
    private static readonly string[] Models = ["EPYC", "EPYC-Rome", "Skylake-Server", "Haswell", "qemu64", "Cascadelake-Server-v1", "EPYC-v3"];

    private static readonly string[] HostModels = ["EPYC-v4", "EPYC-Rome-v1", "Skylake-Server-v1", "Haswell-v1", "Cascadelake-Server-v1"];

    private static readonly string[] Pool =
    [
        "svm", "vmx", "npt", "nrip-save", "pcid", "invpcid", "rdrand", "rdseed", "aes", "avx", "avx2", "pku", "ssbd",
        "spec-ctrl", "md-clear", "arch-capabilities", "tsc-deadline", "x2apic", "xsaveopt", "mpx", "erms", "smep",
        "smap", "topoext", "ibpb", "clwb", "avx512f", "vmx-rdseed-exit", "monitor", "hypervisor", "la57",
    ];

    private static readonly FeaturePolicy[] Policies = [FeaturePolicy.Require, FeaturePolicy.Disable, FeaturePolicy.Optional, FeaturePolicy.Force, FeaturePolicy.Forbid];

    private static readonly CpuCheck[] Checks = [CpuCheck.None, CpuCheck.Partial, CpuCheck.Full];

    private static readonly Gen<string[]> Names = Gen.Int[0, Pool.Length - 1].Array[0, 4].Select(a => a.Distinct().Select(i => Pool[i]).ToArray());

    private static readonly Gen<(CpuCatalog Catalog, InlineHost Host, CpuDefinition Guest)> Case =
        Gen.Select(Pick(Models), Names, Names, Pick(HostModels), Names, Names, Gen.Select(Names, Pick(Checks), Gen.Int[0, int.MaxValue]))
            .Select((model, gain, lose, hostModel, hostPlus, hostMinus, g) =>
            {
                var (guestFeatures, check, seed) = g;
                var catalog = Libvirt113;
                var target = catalog.FindModel(model)!;
                var features = target.Features;
                foreach (var n in gain)
                {
                    // A map never puts a feature the model marks added='yes' into the model's data
                    // (such a model would make its own guests fail the live check on an identical node).
                    var index = catalog.FindFeature(n)!.Index;
                    if (!target.AddedFeatures.Contains(index))
                    {
                        features = features.With(index);
                    }
                }

                foreach (var n in lose)
                {
                    features = features.Without(catalog.FindFeature(n)!.Index);
                }

                var changed = WithModel(catalog, model, m => m with { Features = features }, "random");
                var vendor = hostModel.StartsWith("EPYC", StringComparison.Ordinal) ? "AMD" : "Intel";
                var host = Host(vendor, 23, 1, 2, hostModel, [.. hostPlus.Select(Qemu), "hypervisor", "x2apic"], hostMinus.Select(Qemu));
                if (!host.Features.Contains("vmx"))
                {
                    // KVM reports no VMX capability MSRs (vmx-*) on a host without vmx.
                    host = host with { Features = [.. host.Features.Where(n => !n.StartsWith("vmx-", StringComparison.Ordinal))] };
                }

                var random = new Random(seed);
                var guest = new CpuDefinition
                {
                    Type = CpuType.Guest,
                    Check = check,
                    Model = model,
                    Features = [.. guestFeatures.Select(n => new CpuFeature(n, Policies[random.Next(Policies.Length)]))],
                };
                return (changed, host, guest);
            });

    [Fact]
    public void IdenticalNodeIsSafeAndVerdictsIgnoreFeatureOrder()
    {
        var started = 0;
        Case.Sample(c =>
        {
            var a = Node("A", c.Catalog, c.Host);
            var b = Node("B", c.Catalog, c.Host);
            var verdict = MigrationCheck.Check(c.Guest, a, b, advise: false);
            if (verdict.Verdict == Verdict.SourceFails)
            {
                return true;
            }

            started++;
            Assert.True(verdict.Verdict == Verdict.Safe, $"{MigrationVerdict.Name(verdict.Verdict)}: {verdict.Reason}\n{CpuXml.Format(c.Guest)}");
            var reversed = c.Guest with { Features = [.. c.Guest.Features.Reverse()] };
            var again = MigrationCheck.Check(reversed, a, b, advise: false);
            return again.Verdict == verdict.Verdict && again.Step == verdict.Step && again.Names.SequenceEqual(verdict.Names);
        }, iter: 60);
        Assert.True(started > 0, "no sampled guest started; the generator is too strict");
    }

    [Fact]
    public void SafeImpliesEqualEnabledSetsAcrossCatalogs()
    {
        Gen.Select(Case, Pick(Models), Names).Sample((c, otherModel, gain) =>
        {
            // The destination uses another random change of the catalog (or libvirt 9.0).
            var other = gain.Length == 0 ? Libvirt90 : WithModel(Libvirt113, otherModel, m => m with { Features = m.Features | Libvirt113.SetOf(gain) }, "other");
            var verdict = MigrationCheck.Check(c.Guest, Node("S", c.Catalog, c.Host), Node("T", other, c.Host), advise: false);
            if (verdict.Verdict == Verdict.Safe)
            {
                Assert.Equal(verdict.Source.EnabledNames, verdict.Destination!.EnabledNames);
                Assert.Equal(verdict.Source.Vendor, verdict.Destination.Vendor);
                Assert.Equal(verdict.Source.Signature, verdict.Destination.Signature);
            }

            if (verdict.Verdict == Verdict.Unsafe)
            {
                Assert.True(verdict.Lost.Length + verdict.Gained.Length > 0 || verdict.VendorChange is not null || verdict.SignatureChange is not null);
            }

            var shuffled = c.Guest with { Features = [.. c.Guest.Features.OrderBy(f => f.Name, StringComparer.Ordinal)] };
            var again = MigrationCheck.Check(shuffled, Node("S", c.Catalog, c.Host), Node("T", other, c.Host), advise: false);
            return again.Verdict == verdict.Verdict && again.Step == verdict.Step && again.Lost.SequenceEqual(verdict.Lost) && again.Gained.SequenceEqual(verdict.Gained);
        }, iter: 60);
    }

    private static Gen<T> Pick<T>(T[] items) => Gen.Int[0, items.Length - 1].Select(i => items[i]);

    private static string Qemu(string libvirtName) => libvirtName switch
    {
        _ => libvirtName,
    };
}
