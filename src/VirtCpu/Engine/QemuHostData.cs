using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Cpuid;
using VirtCpu.Qemu;

namespace VirtCpu.Engine;

/// <summary>
/// CPU data built from QEMU replies as libvirt's QEMU driver builds it (<c>docs/design.md#52-cpu-data</c>): the feature
/// bits of a <c>query-cpu-model-expansion</c> and the model list of <c>query-cpu-definitions</c>, with
/// QEMU's feature names read through the libvirt release's spelling table.
/// </summary>
public static class QemuHostData
{
    /// <summary>
    /// Builds CPU data from a model expansion: every boolean property set to true that names a
    /// catalog feature (after translation), the <c>vendor</c> string, and the signature composed
    /// from <c>family</c>, <c>model</c> and <c>stepping</c>. Unknown names are ignored.
    /// </summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="expansion">The expansion.</param>
    /// <param name="spelling">The libvirt release's spelling table (QEMU names into the catalog's).</param>
    /// <returns>The data.</returns>
    public static CpuData FromExpansion(CpuCatalog catalog, QemuModelExpansion expansion, FeatureSpelling spelling)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(expansion);
        ArgumentNullException.ThrowIfNull(spelling);
        var set = FeatureSet.Empty;
        string? vendor = null;
        foreach (var (name, value) in expansion.Props)
        {
            switch (value.Kind)
            {
                case QemuValueKind.Boolean when value.Boolean:
                    if (catalog.FindFeature(spelling.ToLibvirt(name)) is { } f)
                    {
                        set = set.With(f.Index);
                    }

                    break;
                case QemuValueKind.Text when string.Equals(name, "vendor", StringComparison.Ordinal) && value.Text is { Length: 12 } text:
                    vendor = text;
                    break;
                default:
                    break;
            }
        }

        return new CpuData(set, vendor, Leaf1Eax(expansion));
    }

    /// <summary>The leaf-1 EAX composed from an expansion's <c>family</c>, <c>model</c> and <c>stepping</c> (0 when missing).</summary>
    /// <param name="expansion">The expansion.</param>
    /// <returns>The EAX value.</returns>
    public static uint Leaf1Eax(QemuModelExpansion expansion)
    {
        ArgumentNullException.ThrowIfNull(expansion);
        uint family = 0, model = 0, stepping = 0;
        foreach (var (name, value) in expansion.Props)
        {
            if (value.Kind == QemuValueKind.Number && value.IsInteger && value.Number is >= 0 and <= uint.MaxValue)
            {
                switch (name)
                {
                    case "family":
                        family = (uint)value.Number;
                        break;
                    case "model":
                        model = (uint)value.Number;
                        break;
                    case "stepping":
                        stepping = (uint)value.Number;
                        break;
                    default:
                        break;
                }
            }
        }

        return new CpuSignature(family, model, stepping).ToEax();
    }

    /// <summary>
    /// The hypervisor model list of <c>query-cpu-definitions</c>: usable when
    /// <c>unavailable-features</c> is present and empty, blockers translated to libvirt spelling.
    /// </summary>
    /// <param name="definitions">The definitions.</param>
    /// <param name="spelling">The libvirt release's spelling table.</param>
    /// <returns>The list.</returns>
    public static HypervisorModels Models(IEnumerable<QemuCpuDefinitionInfo> definitions, FeatureSpelling spelling)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(spelling);
        return HypervisorModels.Create(definitions.Select(d =>
        {
            var unavailable = d.UnavailableFeatures;
            bool? usable = unavailable is { } u ? u.IsEmpty : null;
            var blockers = unavailable is { } list ? list.Select(spelling.ToLibvirt).ToImmutableArray() : [];
            return new HypervisorModel(d.Name, usable, blockers);
        }));
    }
}
