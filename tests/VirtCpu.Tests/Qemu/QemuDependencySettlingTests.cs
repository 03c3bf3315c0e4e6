using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Qemu;
using VirtCpu.Qemu.BinaryImport;

namespace VirtCpu.Tests.Qemu;

/// <summary>
/// <see cref="QemuDependencySettling"/> against a toy QEMU that applies its dependency table in
/// order, as <c>x86_cpu_expand_features</c> does, with the shape QEMU 11.1 has: <c>xsave</c> a
/// prerequisite of <c>avx10</c> and <c>apxf</c>; <c>avx10</c> needing any of its vector lengths and
/// clearing them when off; <c>avx10-vnni-int</c> needing <c>avx10</c>; <c>apx-nci-ndd-nf</c> needing
/// <c>apxf</c>. The bit runs cannot tell <c>avx10</c> from its lengths; the targeted expansions can,
/// and in a model with one vector length only (where <c>avx10</c> and <c>avx10-128</c> drop each
/// other) the expansion with every feature on breaks the tie. <see cref="Tied"/> is QEMU 11.1's own
/// shape, where the tie cannot be broken.
/// </summary>
public sealed class QemuDependencySettlingTests
{
    private static readonly QemuFeatureWord Leaf1 = new("FEAT_1_ECX", CpuDataKind.Cpuid, 1, null, CpuRegister.Ecx);
    private static readonly QemuFeatureWord Leaf7 = new("FEAT_7_1_EDX", CpuDataKind.Cpuid, 7, 1, CpuRegister.Edx);
    private static readonly QemuFeatureWord Leaf24 = new("FEAT_24_0_EBX", CpuDataKind.Cpuid, 0x24, 0, CpuRegister.Ebx);
    private static readonly QemuFeatureWord Leaf24Ecx = new("FEAT_24_1_ECX", CpuDataKind.Cpuid, 0x24, 1, CpuRegister.Ecx);
    private static readonly QemuFeatureWord Leaf29 = new("FEAT_29_0_EBX", CpuDataKind.Cpuid, 0x29, 0, CpuRegister.Ebx);

    private static readonly ImmutableArray<QemuFeature> Features =
    [
        new("xsave", Leaf1, [26]),
        new("avx10", Leaf7, [19]),
        new("apxf", Leaf7, [21]),
        new("avx10-128", Leaf24, [16]),
        new("avx10-256", Leaf24, [17]),
        new("avx10-512", Leaf24, [18]),
        new("avx10-vnni-int", Leaf24Ecx, [2]),
        new("apx-nci-ndd-nf", Leaf29, [0]),
        new("fpu", Leaf1, [0]),
    ];

    /// <summary>The toy's dependencies, in table order: (prerequisites, any of them enough?, dependents).</summary>
    private static readonly (string[] From, bool Any, string[] To)[] Table =
    [
        (["xsave"], false, ["avx10", "apxf"]),
        (["avx10-128", "avx10-256", "avx10-512"], true, ["avx10"]),
        (["avx10"], false, ["avx10-128", "avx10-256", "avx10-512"]),
        (["apxf"], false, ["apx-nci-ndd-nf"]),
        (["avx10"], false, ["avx10-vnni-int"]),
    ];

    private static Task<ImmutableHashSet<string>> Expand(string model, IReadOnlyDictionary<string, bool> switches, CancellationToken cancellationToken)
    {
        // Toy-v1 has every feature but the two longer vector lengths (as DiamondRapids-v1 has avx10-128 only).
        Assert.Equal("Toy-v1", model);
        var on = Features.Select(f => f.Name).Where(n => switches.TryGetValue(n, out var v) ? v : n is not ("avx10-256" or "avx10-512")).ToHashSet(StringComparer.Ordinal);
        foreach (var (from, any, to) in Table)
        {
            if (any ? !from.Any(on.Contains) : !from.All(on.Contains))
            {
                on.ExceptWith(to);
            }
        }

        return Task.FromResult(on.ToImmutableHashSet(StringComparer.Ordinal));
    }

    private static QemuFeatureTableParts Parts() => new([Leaf1, Leaf7, Leaf24, Leaf24Ecx, Leaf29], Features, []);

    [Fact]
    public async Task The_nearest_prerequisite_becomes_the_dependency()
    {
        var notes = new List<string>();
        var parts = await QemuDependencySettling.SettleAsync(Parts(), ["avx10-vnni-int", "apx-nci-ndd-nf"], _ => "Toy-v1", Expand, notes, TestContext.Current.CancellationToken);
        Assert.Equal(
            [("avx10", "avx10-vnni-int"), ("apxf", "apx-nci-ndd-nf")],
            parts.Dependencies.Select(d => (Name(d.From, d.FromMask), Name(d.To, d.ToMask))));
        Assert.Equal("dependencies settled by expanding a model with each of its features off (added after the table): avx10 -> avx10-vnni-int (in Toy-v1), apxf -> apx-nci-ndd-nf (in Toy-v1)", Assert.Single(notes));
    }

    [Fact]
    public async Task A_dependent_no_model_has_on_stays_unexplained_and_is_noted()
    {
        var notes = new List<string>();
        var parts = await QemuDependencySettling.SettleAsync(Parts(), ["avx10-vnni-int"], _ => null, Expand, notes, TestContext.Current.CancellationToken);
        Assert.Empty(parts.Dependencies);
        Assert.Equal("QEMU drops these for a missing prerequisite that neither the runs nor targeted expansions explain: avx10-vnni-int (no model version has it on)", Assert.Single(notes));
    }

    [Fact]
    public async Task Prerequisites_that_drop_each_other_everywhere_are_interchangeable_and_the_first_is_taken()
    {
        var notes = new List<string>();
        var parts = await QemuDependencySettling.SettleAsync(Parts(), ["avx10-vnni-int"], _ => "Toy-v1", Tied, notes, TestContext.Current.CancellationToken);
        Assert.Equal([("avx10", "avx10-vnni-int")], parts.Dependencies.Select(d => (Name(d.From, d.FromMask), Name(d.To, d.ToMask))));
        Assert.Equal("dependencies settled by expanding a model with each of its features off (added after the table): avx10 -> avx10-vnni-int (in Toy-v1; interchangeable with avx10-128)", Assert.Single(notes));
    }

    /// <summary>QEMU 11.1's chain: <c>avx10-128</c> off clears <c>avx10-256</c>, that clears <c>avx10-512</c>, and with no length <c>avx10</c> goes.</summary>
    private static Task<ImmutableHashSet<string>> Tied(string model, IReadOnlyDictionary<string, bool> switches, CancellationToken cancellationToken)
    {
        var on = Features.Select(f => f.Name).Where(n => !switches.TryGetValue(n, out var v) || v).ToHashSet(StringComparer.Ordinal);
        foreach (var (from, to) in new[] { ("xsave", "avx10"), ("avx10-128", "avx10-256"), ("avx10-256", "avx10-512") })
        {
            if (!on.Contains(from))
            {
                on.Remove(to);
            }
        }

        return Expand(model, Features.ToDictionary(f => f.Name, f => on.Contains(f.Name)), cancellationToken);
    }

    private static string Name(QemuFeatureWord word, ulong mask) => Features.Single(f => f.Word == word && f.Mask == mask).Name;
}
