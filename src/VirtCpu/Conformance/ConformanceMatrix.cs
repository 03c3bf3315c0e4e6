using System.Collections.Immutable;

namespace VirtCpu.Conformance;

/// <summary>
/// The complete x86_64 invocation list of libvirt 11.3's <c>tests/cputest.c</c>, in source order
/// (spec 8.2): 422 cases when every file is present.
/// </summary>
public static class ConformanceMatrix
{
    private static readonly (string Name, JsonInput Flag)[] CpuidHosts =
    [
        ("A10-5800K", JsonInput.Host), ("Atom-D510", JsonInput.None), ("Atom-N450", JsonInput.None),
        ("Atom-P5362", JsonInput.ModelsRequired), ("Core-i5-650", JsonInput.ModelsRequired), ("Core-i5-2500", JsonInput.Host),
        ("Core-i5-2540M", JsonInput.Models), ("Core-i5-4670T", JsonInput.Host), ("Core-i5-6600", JsonInput.Host),
        ("Core-i7-2600", JsonInput.Host), ("Core-i7-2600-xsaveopt", JsonInput.ModelsRequired), ("Core-i7-3520M", JsonInput.None),
        ("Core-i7-3740QM", JsonInput.Host), ("Core-i7-3770", JsonInput.Host), ("Core-i7-4600U", JsonInput.Host),
        ("Core-i7-4510U", JsonInput.Host), ("Core-i7-5600U", JsonInput.Host), ("Core-i7-5600U-arat", JsonInput.Host),
        ("Core-i7-5600U-ibrs", JsonInput.Host), ("Core-i7-7600U", JsonInput.Models), ("Core-i7-7700", JsonInput.Models),
        ("Core-i7-8550U", JsonInput.Models), ("Core-i7-8700", JsonInput.Models), ("Core2-E6850", JsonInput.Host),
        ("Core2-Q9500", JsonInput.None), ("Hygon-C86-7185-32-core", JsonInput.Host), ("EPYC-7601-32-Core", JsonInput.Host),
        ("EPYC-7601-32-Core-ibpb", JsonInput.ModelsRequired), ("EPYC-7502-32-Core", JsonInput.Models), ("FX-8150", JsonInput.None),
        ("Opteron-1352", JsonInput.None), ("Opteron-2350", JsonInput.Host), ("Opteron-6234", JsonInput.Host),
        ("Opteron-6282", JsonInput.None), ("Pentium-P6100", JsonInput.None), ("Phenom-B95", JsonInput.Host),
        ("Ryzen-7-1800X-Eight-Core", JsonInput.Host), ("Ryzen-9-3900X-12-Core", JsonInput.Models), ("Xeon-5110", JsonInput.None),
        ("Xeon-E3-1225-v5", JsonInput.Models), ("Xeon-E3-1245-v5", JsonInput.Models), ("Xeon-E5-2609-v3", JsonInput.Models),
        ("Xeon-E5-2623-v4", JsonInput.Models), ("Xeon-E5-2630-v3", JsonInput.Host), ("Xeon-E5-2630-v4", JsonInput.Models),
        ("Xeon-E5-2650", JsonInput.Models), ("Xeon-E5-2650-v3", JsonInput.Host), ("Xeon-E5-2650-v4", JsonInput.Models),
        ("Xeon-E7-4820", JsonInput.Host), ("Xeon-E7-4830", JsonInput.ModelsRequired), ("Xeon-E7-8890-v3", JsonInput.Models),
        ("Xeon-E7540", JsonInput.Models), ("Xeon-Gold-5115", JsonInput.Models), ("Xeon-Gold-6130", JsonInput.Models),
        ("Xeon-Gold-6148", JsonInput.Host), ("Xeon-Platinum-8268", JsonInput.Host), ("Xeon-Platinum-9242", JsonInput.Models),
        ("Xeon-W3520", JsonInput.Host), ("Xeon-X5460", JsonInput.None), ("Ice-Lake-Server", JsonInput.Models),
        ("Cooperlake", JsonInput.Models),
    ];

    private static readonly (string Label, string A, string B)[] CpuidBaselines =
    [
        ("Ryzen+Rome", "Ryzen-7-1800X-Eight-Core", "Ryzen-9-3900X-12-Core"),
        ("EPYC+Rome", "EPYC-7601-32-Core", "EPYC-7502-32-Core"),
        ("Haswell-noTSX-IBRS+Skylake", "Xeon-E5-2609-v3", "Xeon-Gold-6148"),
        ("Haswell-noTSX-IBRS+Skylake-IBRS", "Xeon-E5-2609-v3", "Xeon-Gold-6130"),
        ("Broadwell-IBRS+Cascadelake", "Xeon-E5-2623-v4", "Xeon-Platinum-8268"),
        ("Cascadelake+Skylake-IBRS", "Xeon-Platinum-8268", "Xeon-Gold-6130"),
        ("Cascadelake+Skylake", "Xeon-Platinum-9242", "Xeon-Gold-6148"),
        ("Cascadelake+Icelake", "Xeon-Platinum-9242", "Ice-Lake-Server"),
        ("Cooperlake+Icelake", "Cooperlake", "Ice-Lake-Server"),
        ("Cooperlake+Cascadelake", "Cooperlake", "Xeon-Platinum-9242"),
        ("Skylake-Client+Server", "Core-i5-6600", "Xeon-Gold-6148"),
        ("Haswell-noTSX-IBRS+Broadwell", "Xeon-E5-2609-v3", "Xeon-E5-2650-v4"),
        ("Haswell+Skylake", "Xeon-E7-8890-v3", "Xeon-Gold-5115"),
    ];

    /// <summary>Every x86_64 case, in cputest's source order.</summary>
    public static ImmutableArray<ConformanceCase> Cases { get; } = Build();

    private static ImmutableArray<ConformanceCase> Build()
    {
        var list = ImmutableArray.CreateBuilder<ConformanceCase>();
        const ExpectedCompare Identical = ExpectedCompare.Identical, Superset = ExpectedCompare.Superset,
            Incompatible = ExpectedCompare.Incompatible, Error = ExpectedCompare.Error;

        void Cmp(string host, string cpu, ExpectedCompare r) => list.Add(new(ConformanceKind.Compare, host, cpu, Compare: r));
        Cmp("host", "host", Identical);
        Cmp("host", "host-better", Incompatible);
        Cmp("host", "host-worse", Superset);
        Cmp("host", "host-amd-fake", Incompatible);
        Cmp("host", "host-incomp-arch", Incompatible);
        Cmp("host", "host-no-vendor", Identical);
        Cmp("host-no-vendor", "host", Incompatible);
        Cmp("host", "bogus-model", Error);
        Cmp("host", "bogus-feature", Error);
        Cmp("host", "min", Superset);
        Cmp("host", "pentium3", Superset);
        Cmp("host", "exact", Superset);
        Cmp("host", "exact-forbid", Incompatible);
        Cmp("host", "exact-forbid-extra", Superset);
        Cmp("host", "exact-disable", Superset);
        Cmp("host", "exact-disable2", Superset);
        Cmp("host", "exact-disable-extra", Superset);
        Cmp("host", "exact-require", Superset);
        Cmp("host", "exact-require-extra", Incompatible);
        Cmp("host", "exact-force", Superset);
        Cmp("host", "strict", Incompatible);
        Cmp("host", "strict-full", Identical);
        Cmp("host", "strict-disable", Identical);
        Cmp("host", "strict-force-extra", Identical);
        Cmp("host", "guest", Superset);
        Cmp("host", "pentium3-amd", Incompatible);
        Cmp("host-amd", "pentium3-amd", Superset);
        Cmp("host-worse", "penryn-force", Identical);
        Cmp("host-SandyBridge", "exact-force-Haswell", Identical);

        void Upd(string host, string cpu, ExpectedCompare? r)
        {
            list.Add(new(ConformanceKind.Update, host, cpu));
            if (r is { } result)
            {
                Cmp(host, $"{host}+{cpu}", result);
            }
        }

        Upd("host", "min", Identical);
        Upd("host", "pentium3", Identical);
        Upd("host", "guest", Superset);
        Upd("host", "host-model", Identical);
        Upd("host", "host-model-nofallback", Identical);
        Upd("host-invtsc", "host-model", Superset);
        Upd("host", "host-passthrough", null);
        Upd("host", "host-passthrough-features", null);

        void Base(string name, bool fail = false, bool expand = false, bool migratable = false) =>
            list.Add(new(ConformanceKind.Baseline, name, ExpectFailure: fail, Expand: expand, Migratable: migratable));
        Base("incompatible-vendors", fail: true);
        Base("no-vendor");
        Base("some-vendors");
        Base("simple");
        Base("simple", expand: true);
        Base("features");
        Base("features", expand: true);
        Base("Westmere+Nehalem");
        Base("Westmere+Nehalem", migratable: true);

        void Has(string feature, bool? yes) =>
            list.Add(new(ConformanceKind.HasFeature, "host", feature, ExpectTrue: yes == true, ExpectFailure: yes is null));
        Has("vmx", true);
        Has("lm", true);
        Has("sse4.1", true);
        Has("3dnowext", false);
        Has("skinit", false);
        Has("foo", null);

        void Guest(string host, string cpu, string? models, bool fail = false) =>
            list.Add(new(ConformanceKind.Guest, host, cpu, models, ExpectFailure: fail));
        Guest("host", "guest", null);
        Guest("host-better", "pentium3", null);
        Guest("host-worse", "guest", null);
        Guest("host", "strict-force-extra", null);
        Guest("host", "penryn-force", null);
        Guest("host", "guest", "model486");
        Guest("host", "guest", "models");
        Guest("host", "guest", "nomodel", fail: true);
        Guest("host", "guest-nofallback", "models", fail: true);
        Guest("host", "host+host-model", "models");
        Guest("host", "host+host-model-nofallback", "models", fail: true);
        Guest("host-Haswell-noTSX", "Haswell", "haswell");
        Guest("host-Haswell-noTSX", "Haswell-noTSX", "haswell");
        Guest("host-Haswell-noTSX", "Haswell-noTSX-nofallback", "haswell", fail: true);
        Guest("host-Haswell-noTSX", "Haswell-noTSX", null);

        foreach (var (name, flag) in CpuidHosts)
        {
            list.Add(new(ConformanceKind.CpuidHost, name, Json: flag));
            list.Add(new(ConformanceKind.CpuidGuest, name, Json: flag));
            list.Add(new(ConformanceKind.CpuidSignature, name, Json: flag));
            if (flag != JsonInput.None)
            {
                list.Add(new(ConformanceKind.JsonCpuid, name, Json: flag));
                list.Add(new(ConformanceKind.JsonSignature, name, Json: flag));
                list.Add(new(ConformanceKind.UpdateLive, name, Json: flag));
            }
        }

        foreach (var (label, a, b) in CpuidBaselines)
        {
            list.Add(new(ConformanceKind.CpuidBaseline, a, b, label));
        }

        return list.ToImmutable();
    }
}
