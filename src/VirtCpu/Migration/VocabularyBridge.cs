using System.Runtime.CompilerServices;
using VirtCpu.Catalog;
using VirtCpu.Qemu;

namespace VirtCpu.Migration;

/// <summary>
/// The feature vocabulary bridge between a management catalog M (libvirt names) and a hypervisor
/// catalog Q (QEMU names). Features are matched by their CPUID/MSR bit location, not by name, so the
/// bridge holds across catalog versions and spellings (<c>pclmuldq</c> = <c>pclmulqdq</c>); a one-bit
/// feature whose location has no counterpart is matched by name within the same MSR or CPUID leaf
/// (libvirt 12.8's VMX controls sit in the MSR's high half, QEMU's feature word numbers them from 0).
/// A QEMU feature M has no feature for is "not seen" by M (<c>docs/design.md#11-starting-a-guest</c>, step 6).
/// </summary>
public sealed class VocabularyBridge
{
    private static readonly ConditionalWeakTable<CpuCatalog, ConditionalWeakTable<QemuHypervisorCatalog, VocabularyBridge>> Cache = [];

    private readonly int[] _qemuOfManagement;
    private readonly int[] _managementOfQemu;

    private VocabularyBridge(CpuCatalog management, QemuHypervisorCatalog hypervisor)
    {
        Management = management;
        Hypervisor = hypervisor;
        _qemuOfManagement = new int[management.Features.Length];
        _managementOfQemu = new int[hypervisor.Features.Length];
        Array.Fill(_qemuOfManagement, -1);
        Array.Fill(_managementOfQemu, -1);
        var byLocation = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in hypervisor.Features)
        {
            byLocation.TryAdd(LocationKey(f.FeatureBits), f.Index);
        }

        var mapped = FeatureSet.Empty;
        foreach (var f in management.Features)
        {
            if (byLocation.TryGetValue(LocationKey(f.Bits), out var q))
            {
                _qemuOfManagement[f.Index] = q;
                _managementOfQemu[q] = f.Index;
                mapped = mapped.With(f.Index);
            }
        }

        // By name where the locations disagree: libvirt 12.8 keeps the VMX controls of MSRs 0x48b,
        // 0x48d-0x490 in the MSR's high half (allowed-1 settings), QEMU numbers them by its feature
        // word's bit (the low half); libvirt itself talks to QEMU by name. Only a one-bit feature of
        // the same MSR or CPUID leaf that neither side has paired yet is taken.
        foreach (var f in management.Features)
        {
            if (mapped.Contains(f.Index) || f.Bits.Length != 1)
            {
                continue;
            }

            var q = hypervisor.Feature(f.Name) ?? f.Aliases.Where(a => a.Source == "qemu").Select(a => hypervisor.Feature(a.Name)).FirstOrDefault(x => x is not null);
            if (q is not null && _managementOfQemu[q.Index] < 0 && q.FeatureBits is [var only] && only.Key == f.Bits[0].Key)
            {
                _qemuOfManagement[f.Index] = q.Index;
                _managementOfQemu[q.Index] = f.Index;
                mapped = mapped.With(f.Index);
            }
        }

        MappedManagement = mapped;
    }

    /// <summary>The management catalog M.</summary>
    public CpuCatalog Management { get; }

    /// <summary>The hypervisor catalog Q.</summary>
    public QemuHypervisorCatalog Hypervisor { get; }

    /// <summary>The features of M that Q also has.</summary>
    public FeatureSet MappedManagement { get; }

    /// <summary>Returns the (cached) bridge for a catalog pair.</summary>
    /// <param name="management">The management catalog.</param>
    /// <param name="hypervisor">The hypervisor catalog.</param>
    /// <returns>The bridge.</returns>
    public static VocabularyBridge For(CpuCatalog management, QemuHypervisorCatalog hypervisor)
    {
        ArgumentNullException.ThrowIfNull(management);
        ArgumentNullException.ThrowIfNull(hypervisor);
        var inner = Cache.GetValue(management, _ => []);
        return inner.GetValue(hypervisor, hypervisorCatalog => new VocabularyBridge(management, hypervisorCatalog));
    }

    /// <summary>The QEMU feature index for an M feature index, or -1.</summary>
    /// <param name="managementIndex">The M feature index.</param>
    /// <returns>The Q feature index or -1.</returns>
    public int QemuOf(int managementIndex) => _qemuOfManagement[managementIndex];

    /// <summary>The M feature index for a QEMU feature index, or -1.</summary>
    /// <param name="qemuIndex">The Q feature index.</param>
    /// <returns>The M feature index or -1.</returns>
    public int ManagementOf(int qemuIndex) => _managementOfQemu[qemuIndex];

    /// <summary>Translates a set of QEMU features into M's vocabulary (features M does not know are dropped).</summary>
    /// <param name="qemu">A set in Q's index space.</param>
    /// <returns>The set in M's index space.</returns>
    public FeatureSet ToManagement(FeatureSet qemu) => Map(qemu, _managementOfQemu);

    /// <summary>Translates a set of M features into Q's vocabulary (features Q does not know are dropped).</summary>
    /// <param name="management">A set in M's index space.</param>
    /// <returns>The set in Q's index space.</returns>
    public FeatureSet ToHypervisor(FeatureSet management) => Map(management, _qemuOfManagement);

    // Each index of the set through the map (-1: no counterpart, dropped).
    private static FeatureSet Map(FeatureSet set, int[] map)
    {
        var result = FeatureSet.Empty;
        foreach (var i in set)
        {
            if (map[i] >= 0)
            {
                result = result.With(map[i]);
            }
        }

        return result;
    }

    private static string LocationKey(IEnumerable<FeatureBits> bits)
    {
        var parts = bits.OrderBy(b => b.Key).ThenBy(b => b.Register).Select(b => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{b.Key}/{b.Register}/{b.Mask:x}"));
        return string.Join(';', parts);
    }
}
