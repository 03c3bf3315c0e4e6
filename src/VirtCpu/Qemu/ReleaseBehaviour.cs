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
/// <c>NAME=off</c> to QEMU and records <c>disable</c>); <c>live-unrecorded</c> (features libvirt
/// leaves out of the live definition and out of its check of the vCPU, also when an incoming
/// definition names them). Keys of a QEMU release:
/// <c>multi-cpu-package</c> (features QEMU sets in every vCPU when a package holds more than one
/// logical CPU, i.e. cores x threads &gt; 1), <c>multi-cpu-package-non-intel</c> (the same, in
/// addition, for guests whose vendor is neither Intel nor Zhaoxin); <c>cpuid-multi-cpu-package</c>
/// and <c>cpuid-multi-cpu-package-non-intel</c> (the same bits set only while answering CPUID, not
/// in the feature words, so the guest sees them and libvirt does not; the second unless the vendor
/// is Intel).
/// </remarks>
public sealed record ReleaseBehaviour
{
    /// <summary>The product: <c>libvirt</c> or <c>qemu</c>.</summary>
    public required string Product { get; init; }

    /// <summary>The release (major.minor).</summary>
    public required Version Release { get; init; }

    /// <summary>The entries, in file order.</summary>
    public required ImmutableArray<BehaviourEntry> Entries { get; init; }

    /// <summary>The name, e.g. <c>libvirt-9.0</c>.</summary>
    public string Name => $"{Product}-{Release.ToString(2)}";

    /// <summary>The values of a key (empty when the release does not have the behaviour).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The values.</returns>
    public ImmutableArray<string> Values(string key) => Entries.FirstOrDefault(e => e.Key == key)?.Values ?? [];

    /// <summary>The entry of a key, or null.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The entry.</returns>
    public BehaviourEntry? Entry(string key) => Entries.FirstOrDefault(e => e.Key == key);

    /// <summary>The keys a behaviour file may hold.</summary>
    public static ImmutableArray<string> Keys { get; } = ["check-partial", "tcg-disable-unnamed", "live-unrecorded", "multi-cpu-package", "multi-cpu-package-non-intel", "cpuid-multi-cpu-package", "cpuid-multi-cpu-package-non-intel"];
}
