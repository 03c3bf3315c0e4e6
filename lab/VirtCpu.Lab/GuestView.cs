using System.Globalization;
using VirtCpu.Formats.ProjectFiles;

namespace VirtCpu.Lab;

/// <summary>
/// What the guest sees of a vCPU: its feature words as QEMU reports them, plus the bits the node's
/// QEMU release computes from the topology only while answering CPUID (release behaviour
/// <c>cpuid-multi-cpu-package</c>, read from the release's source: QEMU 5.2 and 7.2 set HTT and
/// CmpLegacy there, later releases keep them in the feature words). Without this, a migration
/// between 7.2 and 10.0 or later would show a change in the words that no guest can see.
/// </summary>
internal static class GuestView
{
    /// <summary>The vCPUs as the guest sees them.</summary>
    /// <param name="vcpus">The vCPUs read from QEMU.</param>
    /// <param name="qemu">The node's QEMU release.</param>
    /// <param name="topology">The guest's topology.</param>
    /// <returns>The vCPUs with the CPUID-time bits set (the same list when the release sets none).</returns>
    public static List<Vcpu> Of(List<Vcpu> vcpus, Version qemu, Topology topology)
    {
        if (topology.Cores * topology.Threads <= 1)
        {
            return vcpus;
        }

        var behaviour = BehaviourFile.For("qemu", qemu, "lab");
        var names = behaviour.Values("cpuid-multi-cpu-package");
        var nonIntel = behaviour.Values("cpuid-multi-cpu-package-non-intel");
        if (names.IsEmpty && nonIntel.IsEmpty)
        {
            return vcpus;
        }

        var catalog = BuiltInHypervisors.Get("qemu-" + qemu.ToString(2));
        return [.. vcpus.Select(v =>
        {
            var words = new SortedDictionary<string, ulong>(v.Words, StringComparer.Ordinal);
            foreach (var name in v.Vendor == "GenuineIntel" ? names : names.AddRange(nonIntel))
            {
                var feature = catalog.Feature(name) ?? throw new LabException($"{catalog.Name} has no feature {name} (release behaviour {behaviour.Name})");
                var word = feature.Word;
                var key = string.Create(CultureInfo.InvariantCulture, $"{word.Index:x}.{(word.Subleaf is { } s ? s.ToString("x", CultureInfo.InvariantCulture) : "-")}.{word.Register.ToString().ToLowerInvariant()}");
                words[key] = words.GetValueOrDefault(key) | feature.Bits.Aggregate(0UL, (mask, bit) => mask | (1UL << bit));
            }

            return v with { Words = words };
        })];
    }
}
