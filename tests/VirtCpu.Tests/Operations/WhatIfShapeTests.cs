using System.Text.Json;
using System.Text.RegularExpressions;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Operations;
using VirtCpu.Tests.Cli;
using static VirtCpu.Tests.Operations.OperationsFixture;

namespace VirtCpu.Tests.Operations;

/// <summary>
/// fleet what-if recomputes pools, baselines and levels: KVM nodes whose hosts are libvirt 11.3's
/// models (a Skylake pair, a Nehalem), and the lab's TCG stacks.
/// </summary>
public sealed class WhatIfShapeTests
{
    /// <summary>Writes a KVM node profile whose host offers exactly a catalog model's features.</summary>
    private static string KvmProfile(OperationsFixture f, string name, string model, int cpuModel)
    {
        var catalog = BuiltInCatalogs.Get("libvirt-11.3");
        var features = catalog.FindModel(model)!.Features.ToArray().Select(i => "\"" + catalog.Features[i].Name + "\"");
        var path = Path.Combine(f.Root, name + ".json");
        File.WriteAllText(path, $$"""
            { "libvirt": "11.3.0", "catalog": "libvirt-11.3", "qemu": "10.0", "machine": "pc-q35-9.2", "accel": "kvm",
              "host": { "vendor": "Intel", "family": 6, "model": {{cpuModel}}, "stepping": 3, "features": [{{string.Join(", ", features)}}] } }
            """);
        return path;
    }

    private static OperationsFixture SkylakePair()
    {
        var f = new OperationsFixture();
        KvmProfile(f, "skylake", "Skylake-Client-noTSX-IBRS", 94);
        KvmProfile(f, "nehalem", "Nehalem", 26);
        return f.Node("sky1", "skylake").Node("sky2", "skylake")
            .Domain("sky1", "web", Qemu64(), machine: "pc-q35-9.2", type: "kvm")
            .Domain("sky2", "db", "<cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>Skylake-Client-noTSX-IBRS</model></cpu>", machine: "pc-q35-9.2", type: "kvm");
    }

    /// <summary>What a Skylake baseline gives a guest and a Nehalem baseline does not, in libvirt 11.3's catalog order.</summary>
    private static readonly string[] SkylakeOverNehalem =
    [
        "pclmuldq", "fma", "pcid", "movbe", "aes", "xsave", "avx", "f16c", "rdrand", "vme", "arat", "fsgsbase", "bmi1", "avx2",
        "smep", "bmi2", "erms", "invpcid", "rdseed", "adx", "smap", "spec-ctrl", "xsaveopt", "xsavec", "xgetbv1", "abm", "3dnowprefetch", "rdtscp",
    ];

    [Fact]
    public void Adding_an_older_host_lowers_the_vendor_baseline_and_level_and_forms_its_own_pool()
    {
        using var f = SkylakePair();
        var fleet = RunningFleet.Load(f.FleetFile);
        var shape = WhatIf.Add(fleet, WhatIf.NewNode(NodeProfileReader.Read(Path.Combine(f.Root, "nehalem.json")), "old9", null, null)).Shape;
        Assert.Equal(("libvirt-11.3", "qemu-10.0", 3, 2), (shape.Catalog, shape.LevelsBy, shape.LevelBefore, shape.LevelAfter));
        var intel = Assert.Single(shape.Vendors);
        Assert.Equal(["sky1", "sky2"], intel.Before!.Hosts);
        Assert.Equal(["sky1", "sky2", "old9"], intel.After!.Hosts);
        Assert.Equal(("Skylake-Client-IBRS", "Nehalem"), (intel.Before.Baseline!.Model, intel.After.Baseline!.Model));
        Assert.Equal((3, 2), (intel.Before.Level, intel.After.Level));
        Assert.Equal(SkylakeOverNehalem, intel.FeaturesLost);
        Assert.Empty(intel.FeaturesGained);

        // With up to 4 pools the old host gets a pool of its own; pool 1 keeps its baseline.
        Assert.Equal(2, shape.Pools.Length);
        Assert.Equal((1, 1), (shape.Pools[0].PoolBefore, shape.Pools[0].PoolAfter));
        Assert.Empty(shape.Pools[0].FeaturesLost);
        Assert.Equal((null, 2), (shape.Pools[1].PoolBefore, shape.Pools[1].PoolAfter));
        Assert.Equal(["old9"], shape.Pools[1].After!.Hosts);
    }

    [Fact]
    public void With_one_pool_the_older_host_lowers_that_pool_and_the_cli_names_the_features_lost()
    {
        using var f = SkylakePair();
        var run = CliRunner.Run("fleet", "what-if", "--fleet", f.FleetFile, "--add", Path.Combine(f.Root, "nehalem.json"), "--name", "old9", "--max-pools", "1");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var lines = run.Stdout.Split('\n');
        Assert.Equal("pools, baselines and levels (catalog libvirt-11.3, levels by qemu-10.0; each node's host as it offers it to guests):", lines[2]);
        var cells = lines.Select(l => Regex.Split(l.Trim(), " {2,}")).ToList();
        Assert.Contains(["level of every node", "x86-64-v3", "x86-64-v2"], cells);
        Assert.Contains(["pool 1 (Intel) hosts", "sky1, sky2", "sky1, sky2, old9"], cells);
        Assert.Contains(["baseline", "Skylake-Client-IBRS, 1 required, 3 disabled (62 features in all)", "Nehalem, 3 required, 0 disabled (34 features in all)"], cells);
        Assert.Equal(lines.Single(l => l.StartsWith("  level of every node", StringComparison.Ordinal)).IndexOf("x86-64-v2", StringComparison.Ordinal), lines.Single(l => l.StartsWith("  pool 1 (Intel) hosts", StringComparison.Ordinal)).IndexOf("sky1, sky2, old9", StringComparison.Ordinal));
        Assert.Equal(2, lines.Count(l => l == "      baseline loses 28: " + string.Join(", ", SkylakeOverNehalem)));

        var json = CliRunner.Run("fleet", "what-if", "--fleet", f.FleetFile, "--add", Path.Combine(f.Root, "nehalem.json"), "--name", "old9", "--max-pools", "1", "--json");
        using var doc = JsonDocument.Parse(json.Stdout);
        var pool = Assert.Single(doc.RootElement.GetProperty("shape").GetProperty("pools").EnumerateArray());
        Assert.Equal("Nehalem", pool.GetProperty("after").GetProperty("baseline").GetProperty("model").GetString());
        Assert.Equal("x86-64-v2", pool.GetProperty("after").GetProperty("level").GetString());
        Assert.Equal(SkylakeOverNehalem, pool.GetProperty("features-lost").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("disable", pool.GetProperty("before").GetProperty("baseline").GetProperty("features").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "hle").GetProperty("policy").GetString());
    }

    [Fact]
    public void Removing_the_older_host_raises_the_baseline_by_the_same_features()
    {
        using var f = SkylakePair();
        f.Node("old", "nehalem");
        var report = WhatIf.Remove(RunningFleet.Load(f.FleetFile), "old", maxPools: 1);
        var pool = Assert.Single(report.Shape.Pools);
        Assert.Equal(["sky1", "sky2", "old"], pool.Before!.Hosts);
        Assert.Equal(["sky1", "sky2"], pool.After!.Hosts);
        Assert.Equal(SkylakeOverNehalem, pool.FeaturesGained);
        Assert.Equal((2, 3), (report.Shape.LevelBefore, report.Shape.LevelAfter));
    }

    [Fact]
    public void Adding_a_debian_13_node_to_debian_12_tcg_nodes_loses_pcommit_from_the_pool_baseline()
    {
        using var f = new OperationsFixture().Node("bw1", Bookworm).Node("bw2", Bookworm).Domain("bw1", "a", Qemu64());
        var shape = WhatIf.Add(RunningFleet.Load(f.FleetFile), WhatIf.NewNode(NodeProfileReader.Read(Path.Combine(f.Root, "trixie.json")), "tx9", null, null)).Shape;
        Assert.Equal(("libvirt-9.0", "qemu-7.2"), (shape.Catalog, shape.LevelsBy));
        var pool = Assert.Single(shape.Pools);
        Assert.Equal("AMD", pool.Vendor);
        Assert.Equal(["bw1", "bw2", "tx9"], pool.After!.Hosts);
        Assert.Equal(("Opteron_G2", "Opteron_G2"), (pool.Before!.Baseline!.Model, pool.After.Baseline!.Model));
        Assert.Equal(["pcommit"], pool.FeaturesLost);
        Assert.Equal((3, 3), (pool.Before.Level, pool.After.Level));
    }
}
