using System.Collections.Immutable;

namespace VirtCpu.Qemu;

/// <summary>One behaviour of a libvirt or QEMU release that decides what a guest CPU becomes, with where it is known from.</summary>
/// <param name="Key">The behaviour (see <see cref="ReleaseBehaviour"/> for the keys).</param>
/// <param name="Values">Its values.</param>
/// <param name="Source">Where it comes from: the release's source, or the lab observing its daemon.</param>
public sealed record BehaviourEntry(string Key, ImmutableArray<string> Values, string Source);

/// <summary>
/// How one libvirt or QEMU release behaves where releases differ, as data (<c>catalogs/behaviour/*.behaviour</c>):
/// what differs between releases in how libvirt builds <c>-cpu</c>, checks a guest and writes its live
/// definition, and what QEMU adds to a vCPU from the guest's topology. A release without such a file
/// is not modelled and is refused by name, never answered as if it were another.
/// </summary>
/// <remarks>
/// Keys of a libvirt release: <c>check-partial</c> (<c>whole-definition</c>: the whole definition is
/// compared with the host CPU; <c>compat-marks</c>: models marked <c>check partial='compat'</c> are
/// compared whole, others accepted by QEMU's blockers); <c>tcg-disable-unnamed</c> (features libvirt
/// disables in a TCG guest's definition when the definition does not name them: it passes
/// <c>NAME=off</c> to QEMU and records <c>disable</c>); <c>qemu-spelling LIBVIRT QEMU</c> (one line per
/// feature libvirt spells differently from QEMU: translated on <c>-cpu</c> and back when libvirt reads
/// QEMU's replies); <c>never-passed</c> (features libvirt leaves out of <c>-cpu</c> whatever their
/// policy); <c>sync-omits</c> (features the release's model sync leaves out of the models it writes from
/// QEMU's table; <c>NAME*</c> is a prefix). Keys of a QEMU release: <c>multi-cpu-package</c> (features QEMU sets in every vCPU when a
/// package holds more than one logical CPU, i.e. cores x threads &gt; 1), <c>multi-cpu-package-non-intel</c>
/// (the same, in addition, for guests whose vendor is neither Intel nor Zhaoxin), <c>kvm-synthesized</c>
/// (features QEMU offers under KVM whatever the host CPU has), <c>cpuid-multi-cpu-package</c> and
/// <c>cpuid-multi-cpu-package-non-intel</c> (bits set only while answering CPUID, not in the feature words,
/// so the guest sees them and libvirt does not; the second unless the vendor is Intel); libvirt's
/// <c>live-unrecorded</c> (features libvirt leaves out of the live definition and out of its check of
/// the vCPU, also when an incoming definition names them). <c>qemu-spelling</c> and
/// <c>never-passed</c> may take several lines, each with its own source; every other key one line.
/// </remarks>
public sealed record ReleaseBehaviour
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ReleaseBehaviour, FeatureSpelling> SpellingCache = [];

    /// <summary>The product: <c>libvirt</c> or <c>qemu</c>.</summary>
    public required string Product { get; init; }

    /// <summary>The release (major.minor).</summary>
    public required Version Release { get; init; }

    /// <summary>The entries, in file order.</summary>
    public required ImmutableArray<BehaviourEntry> Entries { get; init; }

    /// <summary>The name, e.g. <c>libvirt-9.0</c>.</summary>
    public string Name => $"{Product}-{Release.ToString(2)}";

    /// <summary>
    /// How this libvirt release spells features towards QEMU (its <c>qemu-spelling</c> lines; empty for
    /// a release without any, and for a QEMU release).
    /// </summary>
    public FeatureSpelling Spelling => SpellingCache.GetValue(this, static b => new FeatureSpelling(SpellingPairs(b.Entries)));

    /// <summary>The features QEMU offers under KVM whatever the host CPU has (QEMU names; <c>kvm-synthesized</c>).</summary>
    public ImmutableArray<string> KvmSynthesized => AllValues("kvm-synthesized");

    /// <summary>The keys a behaviour file may hold, with the product whose files hold them.</summary>
    public static ImmutableDictionary<string, string> KeyProducts { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["check-partial"] = "libvirt",
        ["tcg-disable-unnamed"] = "libvirt",
        ["qemu-spelling"] = "libvirt",
        ["never-passed"] = "libvirt",
        ["sync-omits"] = "libvirt",
        ["live-unrecorded"] = "libvirt",
        ["multi-cpu-package"] = "qemu",
        ["multi-cpu-package-non-intel"] = "qemu",
        ["kvm-synthesized"] = "qemu",
        ["cpuid-multi-cpu-package"] = "qemu",
        ["cpuid-multi-cpu-package-non-intel"] = "qemu",
    }.ToImmutableDictionary(StringComparer.Ordinal);

    /// <summary>The keys a behaviour file may hold.</summary>
    public static ImmutableArray<string> Keys { get; } = ["check-partial", "tcg-disable-unnamed", "live-unrecorded", "qemu-spelling", "never-passed", "sync-omits", "multi-cpu-package", "multi-cpu-package-non-intel", "cpuid-multi-cpu-package", "cpuid-multi-cpu-package-non-intel", "kvm-synthesized"];

    /// <summary>The keys that may take several lines (their values add up).</summary>
    public static ImmutableArray<string> RepeatableKeys { get; } = ["qemu-spelling", "never-passed"];

    /// <summary>The values of a key (empty when the release does not have the behaviour).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The values.</returns>
    public ImmutableArray<string> Values(string key) => Entries.FirstOrDefault(e => e.Key == key)?.Values ?? [];

    /// <summary>The values of every line of a key, in file order (for the keys that may take several lines).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The values.</returns>
    public ImmutableArray<string> AllValues(string key) => [.. Entries.Where(e => e.Key == key).SelectMany(e => e.Values)];

    /// <summary>The entry of a key, or null.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The entry.</returns>
    public BehaviourEntry? Entry(string key) => Entries.FirstOrDefault(e => e.Key == key);

    /// <summary>The entry that holds a value of a key (a <c>qemu-spelling</c> or <c>never-passed</c> line naming a feature), or null.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns>The entry.</returns>
    public BehaviourEntry? EntryWith(string key, string value) => Entries.FirstOrDefault(e => e.Key == key && e.Values.Contains(value));

    /// <summary>Whether this libvirt release never passes a feature to QEMU (leaves it out of <c>-cpu</c> whatever its policy: <c>never-passed</c>).</summary>
    /// <param name="libvirtName">The feature's libvirt name.</param>
    /// <returns>True when one of the release's <c>never-passed</c> lines names it.</returns>
    public bool NeverPassed(string libvirtName) => EntryWith("never-passed", libvirtName) is not null;

    /// <summary>
    /// Whether the release's model sync (<c>src/cpu_map/sync_qemu_models_i386.py</c>) leaves a feature out of the
    /// models it writes from QEMU's table (<c>sync-omits</c>; a value ending in <c>*</c> is a name prefix).
    /// </summary>
    /// <param name="libvirtName">The feature's libvirt name.</param>
    /// <returns>True when the release's sync never lists it in a model.</returns>
    public bool SyncOmits(string libvirtName)
    {
        ArgumentNullException.ThrowIfNull(libvirtName);
        return Values("sync-omits").Any(v => v.EndsWith('*') ? libvirtName.StartsWith(v[..^1], StringComparison.Ordinal) : v == libvirtName);
    }

    /// <summary>The spelling pairs of a file's entries (each <c>qemu-spelling</c> line holds one pair).</summary>
    /// <param name="entries">The entries.</param>
    /// <returns>The pairs.</returns>
    public static IEnumerable<(string Libvirt, string Qemu)> SpellingPairs(IEnumerable<BehaviourEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Where(e => e.Key == "qemu-spelling" && e.Values.Length == 2).Select(e => (e.Values[0], e.Values[1]));
    }
}
