using VirtCpu.Catalog;

namespace VirtCpu.Qemu;

/// <summary>
/// The x86-64 micro-architecture levels of the x86-64 psABI, as QEMU's
/// <c>scripts/cpu-x86-uarch-abi.py</c> computes them for <c>docs/system/cpu-models-x86-abi.csv</c>.
/// </summary>
/// <remarks>
/// Feature lists, in QEMU's spellings:
/// <list type="bullet">
/// <item>baseline (x86-64-v1): <c>cmov cx8 fpu fxsr mmx syscall sse sse2</c>, plus <c>lm</c> (long mode, implied by the psABI);</item>
/// <item>x86-64-v2: <c>cx16 lahf-lm popcnt pni sse4.1 sse4.2 ssse3</c>;</item>
/// <item>x86-64-v3: <c>avx avx2 bmi1 bmi2 f16c fma abm movbe</c>, plus <c>xsave</c> (the psABI's OSXSAVE);</item>
/// <item>x86-64-v4: <c>avx512f avx512bw avx512cd avx512dq avx512vl</c>.</item>
/// </list>
/// A level counts only when every lower level is met too. QEMU's script lists the psABI features
/// without <c>lm</c> and <c>xsave</c>; for QEMU's own models adding them changes nothing (every
/// model with <c>syscall</c> has <c>lm</c>, every model with <c>avx</c> has <c>xsave</c>; a test checks
/// this), and for arbitrary hosts the psABI's definition is the right one.
/// </remarks>
public static class X86Level
{
    /// <summary>The features of each level, baseline first (index 0 is x86-64-v1).</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Levels { get; } =
    [
        ["cmov", "cx8", "fpu", "fxsr", "mmx", "syscall", "sse", "sse2", "lm"],
        ["cx16", "lahf-lm", "popcnt", "pni", "sse4.1", "sse4.2", "ssse3"],
        ["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"],
        ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"],
    ];

    /// <summary>The highest level a feature set meets.</summary>
    /// <param name="catalog">The hypervisor catalog the set is indexed by.</param>
    /// <param name="features">The features (a model's expansion or a host offer).</param>
    /// <param name="levels">The level lists (default <see cref="Levels"/>).</param>
    /// <returns>0 when not even the baseline is met, else 1 to 4 (x86-64-v1 .. v4).</returns>
    public static int Of(QemuHypervisorCatalog catalog, FeatureSet features, IReadOnlyList<IReadOnlyList<string>>? levels = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var level = 0;
        foreach (var list in levels ?? Levels)
        {
            if (!list.All(n => catalog.Feature(n) is { } f && features.Contains(f.Index)))
            {
                break;
            }

            level++;
        }

        return level;
    }

    /// <summary>The features a set lacks for a level.</summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <param name="features">The features.</param>
    /// <param name="level">The level, 1 to 4.</param>
    /// <returns>The missing features of that level and the levels below it.</returns>
    public static IEnumerable<string> Missing(QemuHypervisorCatalog catalog, FeatureSet features, int level)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Levels.Take(level).SelectMany(l => l).Where(n => catalog.Feature(n) is not { } f || !features.Contains(f.Index));
    }

    /// <summary>The psABI name of a level.</summary>
    /// <param name="level">0 to 4.</param>
    /// <returns><c>x86-64-vN</c>, or <c>none</c>.</returns>
    public static string Name(int level) => level == 0 ? "none" : $"x86-64-v{level}";
}
