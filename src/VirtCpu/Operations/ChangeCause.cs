using System.Collections.Immutable;
using VirtCpu.Migration;
using VirtCpu.Qemu;

namespace VirtCpu.Operations;

/// <summary>
/// Names what causes a BLOCKED or UNSAFE verdict in the terms an operator can act on: a release
/// behaviour (as <c>catalogs/behaviour/*.behaviour</c> names it, with its source), a catalog change (a
/// model that holds a feature in one management catalog and not in the other, a name one catalog does
/// not know), the destination host's CPU, or a vendor or signature difference.
/// </summary>
public static class ChangeCause
{
    /// <summary>Explains a verdict.</summary>
    /// <param name="verdict">The CPU verdict.</param>
    /// <param name="sourceName">The source node's name (verdicts are shared between nodes that behave the same), or null for the verdict's.</param>
    /// <param name="targetName">The destination node's name, or null for the verdict's.</param>
    /// <returns>The causes, one sentence each (empty for SAFE).</returns>
    public static ImmutableArray<string> Explain(MigrationVerdict verdict, string? sourceName = null, string? targetName = null)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        var s = verdict.Source.Node;
        s = sourceName is null ? s : s with { Name = sourceName };
        if (verdict.Verdict == Verdict.Safe)
        {
            return [];
        }

        if (verdict.Verdict == Verdict.SourceFails || verdict.Destination is null)
        {
            return [$"source start: the definition does not start on {s.Name} ({Releases(s)}) at {GuestStart.StepName(verdict.Step)}"];
        }

        var t = targetName is null ? verdict.Destination.Node : verdict.Destination.Node with { Name = targetName };
        var causes = new List<string>();
        var names = verdict.Names.Concat(verdict.Lost).Concat(verdict.Gained).Distinct(StringComparer.Ordinal).ToList();
        var model = verdict.Migrated?.Model ?? verdict.Source.LiveDefinition?.Model;
        foreach (var name in names)
        {
            var before = causes.Count;
            Behaviour(name, s.QemuBehaviour, t.QemuBehaviour, causes);
            Behaviour(name, s.LibvirtBehaviour, t.LibvirtBehaviour, causes);
            CatalogChange(name, model, s, t, causes);
            if (causes.Count == before && t.Hypervisor.Feature(Qemu(name)) is { } qf && !t.Host.Qemu.Contains(qf.Index))
            {
                causes.Add($"host CPU: {t.Name}'s host does not offer {name} (it offers what {(t.Accelerator == QemuAccelerator.Tcg ? "QEMU's TCG" : "KVM on its processor")} gives)");
            }
            else if (causes.Count == before && s.Hypervisor.Feature(Qemu(name)) is { } sf && !s.Host.Qemu.Contains(sf.Index))
            {
                causes.Add($"host CPU: {s.Name}'s host does not offer {name}, so the guest's definition there left it out");
            }
        }

        if (verdict.Step == StartStep.Hypervisor)
        {
            causes.Add($"hypervisor: QEMU {t.Hypervisor.QemuVersion.ToString(2)} on {t.Name} cannot build the CPU with machine type {verdict.Destination.Machine}: {verdict.Destination.Reason}");
        }

        if (verdict.VendorChange is { } v)
        {
            causes.Add($"host CPU: the vendor the guest sees follows the host ({v.From} on {s.Name}, {v.To} on {t.Name})");
        }

        if (verdict.SignatureChange is not null)
        {
            causes.Add($"host CPU or hypervisor: the family/model/stepping the guest sees differs between {s.Name} ({Releases(s)}) and {t.Name} ({Releases(t)})");
        }

        if (causes.Count == 0)
        {
            causes.Add($"{(s.Libvirt == t.Libvirt && s.Hypervisor.QemuVersion == t.Hypervisor.QemuVersion ? "same releases" : $"releases {Releases(s)} → {Releases(t)}")}: {verdict.Reason}");
        }

        return [.. causes.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The releases of a node in words.</summary>
    /// <param name="node">The node.</param>
    /// <returns><c>libvirt X.Y, QEMU X.Y</c>.</returns>
    public static string Releases(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return $"libvirt {node.Libvirt.ToString(2)}, QEMU {node.Hypervisor.QemuVersion.ToString(2)}";
    }

    private static void Behaviour(string name, ReleaseBehaviour source, ReleaseBehaviour target, List<string> causes)
    {
        foreach (var (mine, other) in new[] { (source, target), (target, source) })
        {
            foreach (var e in mine.Entries.Where(e => e.Values.Any(v => Same(v, name))))
            {
                if (!other.Values(e.Key).Any(v => Same(v, name)))
                {
                    causes.Add($"release behaviour: {mine.Name} '{e.Key} {string.Join(" ", e.Values)}' ({e.Source}); {other.Name} has no such behaviour");
                }
            }
        }
    }

    private static void CatalogChange(string name, string? model, Node s, Node t, List<string> causes)
    {
        if (ReferenceEquals(s.Catalog, t.Catalog) || model is null)
        {
            return;
        }

        var ms = s.Catalog.FindModel(model);
        var mt = t.Catalog.FindModel(model);
        var fs = CatalogNames.FindFeature(s.Catalog, name);
        var ft = CatalogNames.FindFeature(t.Catalog, name);
        if (ms is not null && mt is null)
        {
            causes.Add($"catalog change: {t.Catalog.Name} has no model {model} ({s.Catalog.Name} has)");
        }
        else if (fs is not null && ft is null)
        {
            causes.Add($"catalog change: {t.Catalog.Name} does not know the feature {name} ({s.Catalog.Name} does)");
        }
        else if (ms is not null && mt is not null && fs is not null && ft is not null && ms.Features.Contains(fs.Index) != mt.Features.Contains(ft.Index))
        {
            var inSource = ms.Features.Contains(fs.Index);
            causes.Add($"catalog change: model {model} {(inSource ? "holds" : "lacks")} {name} in {s.Catalog.Name} but {(inSource ? "lacks" : "holds")} it in {t.Catalog.Name}");
        }
    }

    private static string Qemu(string name) => name.Replace('_', '-');

    private static bool Same(string a, string b) => string.Equals(Qemu(a), Qemu(b), StringComparison.Ordinal);
}
