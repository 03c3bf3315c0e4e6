using System.Collections.Immutable;
using VirtCpu.Cpu;
using VirtCpu.Qemu;

namespace VirtCpu.Migration;

/// <summary>
/// What an operator knows about a guest beyond one verdict: the names the nodes have in the fleet
/// (verdicts are shared between nodes that behave alike, so the verdict's own nodes may carry another
/// node's name), and where the guest's live definition came from.
/// </summary>
public sealed record CauseContext
{
    /// <summary>The source node's name, or null for the verdict's.</summary>
    public string? SourceName { get; init; }

    /// <summary>The destination node's name, or null for the verdict's.</summary>
    public string? TargetName { get; init; }

    /// <summary>The guest's inactive (persistent) definition as recorded, or null when none was recorded.</summary>
    public CpuDefinition? Inactive { get; init; }

    /// <summary>The node the guest was recorded running on (where libvirt wrote its live definition), or null.</summary>
    public Node? Origin { get; init; }
}

/// <summary>
/// The one vocabulary of causes (<c>docs/design.md#13-verdicts</c>), used by <c>migrate-check</c>,
/// <c>evacuate</c> and <c>upgrade-check</c> alike. Every BLOCKED or UNSAFE verdict has an operator's step
/// (<see cref="Step"/>: source start, destination start, libvirt check, vCPU change) and causes, one
/// sentence each, led by their kind:
/// <c>release behaviour</c> (an entry of <c>catalogs/behaviour/*.behaviour</c> one release has and the
/// other has not, with its source), <c>catalog change</c> (a model holding a feature in one management
/// catalog and not in the other, a model or feature one catalog does not know), <c>QEMU release</c> (a
/// feature one QEMU release dropped), <c>host CPU</c> (what a node's host offers, TCG's CPU of a QEMU
/// release included), <c>host-model</c> (a feature that entered the guest through host-model on a
/// node under its releases), <c>hypervisor</c> (a machine type or CPU QEMU cannot build), <c>vendor</c>,
/// <c>signature</c>, and <c>source start</c>.
/// </summary>
public static class VerdictCauses
{
    /// <summary>The operator's step of a verdict: empty for SAFE; <c>source start</c>, <c>libvirt check</c> (check='partial' compare or the live check), <c>destination start</c> or <c>vCPU change</c>.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <returns>The step.</returns>
    public static string Step(MigrationVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return verdict.Verdict switch
        {
            Verdict.SourceFails => "source start",
            Verdict.Blocked when verdict.Step is StartStep.Compare or StartStep.LiveCheck => "libvirt check",
            Verdict.Blocked => "destination start",
            Verdict.Unsafe => "vCPU change",
            _ => "",
        };
    }

    /// <summary>The releases of a node in words.</summary>
    /// <param name="node">The node.</param>
    /// <returns><c>libvirt X.Y, QEMU X.Y</c>.</returns>
    public static string Releases(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return $"libvirt {node.Libvirt.ToString(2)}, QEMU {node.Hypervisor.QemuVersion.ToString(2)}";
    }

    /// <summary>The causes of a verdict (empty for SAFE).</summary>
    /// <param name="verdict">The verdict.</param>
    /// <param name="context">Node names and the guest's history, or null.</param>
    /// <returns>One sentence per cause, led by its kind; at least one for a verdict that is not SAFE.</returns>
    public static ImmutableArray<string> Explain(MigrationVerdict verdict, CauseContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        context ??= new CauseContext();
        var source = new Side(verdict.Source.Node, context.SourceName ?? verdict.Source.Node.Name);
        if (verdict.Verdict == Verdict.Safe)
        {
            return [];
        }

        if (verdict.Verdict == Verdict.SourceFails || verdict.Destination is not { } destination)
        {
            return [$"source start: the definition does not start on {source.Name} ({Releases(source.Node)}) at {GuestStart.StepName(verdict.Step)}: {verdict.Source.Reason}"];
        }

        var target = new Side(destination.Node, context.TargetName ?? destination.Node.Name);
        var causes = new List<string>();
        var model = verdict.Migrated?.Model ?? verdict.Source.LiveDefinition?.Model;
        foreach (var name in verdict.Names.Concat(verdict.Lost).Concat(verdict.Gained).Distinct(StringComparer.Ordinal))
        {
            var before = causes.Count;
            Behaviours(name, verdict.Source.Vendor, source, target, causes);
            CatalogChange(name, model, source.Node, target.Node, causes);
            if (causes.Count == before)
            {
                HostOrRelease(name, source, target, causes);
            }

            HostModelOrigin(name, verdict.Source, context, causes);
        }

        StepCauses(verdict, destination, source, target, causes);
        if (causes.Count == 0)
        {
            causes.Add($"{(source.Node.Libvirt == target.Node.Libvirt && source.Node.Hypervisor.QemuVersion == target.Node.Hypervisor.QemuVersion ? "same releases" : $"releases {Releases(source.Node)} → {Releases(target.Node)}")}: {verdict.Reason}");
        }

        return [.. causes.Distinct(StringComparer.Ordinal)];
    }

    private static void StepCauses(MigrationVerdict verdict, GuestStart destination, Side source, Side target, List<string> causes)
    {
        if (verdict.Step == StartStep.Parse && verdict.Migrated?.Model is { } m && target.Node.Catalog.FindModel(m) is null
            && !causes.Any(c => c.StartsWith($"catalog change: {target.Node.Catalog.Name} has no model {m}", StringComparison.Ordinal)))
        {
            causes.Add($"catalog change: {target.Node.Catalog.Name} (libvirt {target.Node.Libvirt.ToString(2)} on {target.Name}) has no model {m}");
        }

        if (verdict.Step == StartStep.Hypervisor)
        {
            var qemu = $"QEMU {target.Node.Hypervisor.QemuVersion.ToString(2)} on {target.Name}";
            causes.Add(destination.Unknown.Contains(verdict.Source.Machine)
                ? $"hypervisor: {qemu} has no machine type {verdict.Source.Machine} (a guest keeps its machine type when it migrates; start it with one both QEMU releases know)"
                : $"hypervisor: {qemu} cannot build the CPU with machine type {destination.Machine}: {destination.Reason}");
        }

        if (verdict.VendorChange is { } v)
        {
            causes.Add($"vendor: the vendor the guest sees follows the host ({v.From} on {source.Name}, {v.To} on {target.Name})");
        }

        if (verdict.SignatureChange is not null)
        {
            causes.Add($"signature: the family/model/stepping the guest sees differs between {source.Name} ({Releases(source.Node)}) and {target.Name} ({Releases(target.Node)})");
        }
    }

    /// <summary>A behaviour entry naming the feature that one side's release has and the other's has not.</summary>
    private static void Behaviours(string name, string? vendor, Side source, Side target, List<string> causes)
    {
        foreach (var (mine, other, product) in new[] { (target, source, "qemu"), (source, target, "qemu"), (target, source, "libvirt"), (source, target, "libvirt") })
        {
            var behaviour = product == "qemu" ? mine.Node.QemuBehaviour : mine.Node.LibvirtBehaviour;
            var otherBehaviour = product == "qemu" ? other.Node.QemuBehaviour : other.Node.LibvirtBehaviour;
            foreach (var e in behaviour.Entries.Where(e => e.Values.Any(v => Same(v, name)) && Applies(e.Key, vendor)))
            {
                if (otherBehaviour.Values(e.Key).Any(v => Same(v, name)))
                {
                    continue;
                }

                var release = $"{(product == "qemu" ? "QEMU" : "libvirt")} {behaviour.Release.ToString(2)} on {mine.Name}";
                var otherRelease = $"{(product == "qemu" ? "QEMU" : "libvirt")} {otherBehaviour.Release.ToString(2)} on {other.Name}";
                causes.Add($"release behaviour: {behaviour.Name} '{e.Key} {string.Join(" ", e.Values)}' ({e.Source}): {release} {Meaning(e.Key, name)}; {otherRelease} does not{(ReferenceEquals(mine, target) && product == "qemu" ? $", so libvirt {source.Node.Libvirt.ToString(2)} never recorded it" : "")}");
            }
        }
    }

    private static bool Applies(string key, string? vendor) => key switch
    {
        "multi-cpu-package-non-intel" => vendor is not ("GenuineIntel" or "CentaurHauls" or "  Shanghai  "),
        "cpuid-multi-cpu-package-non-intel" => vendor is not "GenuineIntel",
        _ => true,
    };

    private static string Meaning(string key, string name) => key switch
    {
        "multi-cpu-package" => $"sets {name} in every vCPU of a guest with more than one CPU per package",
        "multi-cpu-package-non-intel" => $"sets {name} in every vCPU of a guest with more than one CPU per package unless its vendor is Intel or Zhaoxin",
        "tcg-disable-unnamed" => $"switches {name} off for TCG guests whose definition does not name it",
        "cpuid-multi-cpu-package" => $"sets {name} only while answering the CPUID of a guest with more than one CPU per package (the guest sees it, libvirt never records it)",
        "cpuid-multi-cpu-package-non-intel" => $"sets {name} only while answering the CPUID of a non-Intel guest with more than one CPU per package (the guest sees it, libvirt never records it)",
        "live-unrecorded" => $"drops {name} from the guest's definition before it builds -cpu, and from the live definition it checks",
        _ => $"has this behaviour for {name}",
    };

    private static void CatalogChange(string name, string? model, Node source, Node target, List<string> causes)
    {
        if (ReferenceEquals(source.Catalog, target.Catalog) || model is null)
        {
            return;
        }

        var sourceModel = source.Catalog.FindModel(model);
        var targetModel = target.Catalog.FindModel(model);
        var sourceFeature = CatalogNames.FindFeature(source.Catalog, name);
        var targetFeature = CatalogNames.FindFeature(target.Catalog, name);
        if (sourceModel is not null && targetModel is null)
        {
            causes.Add($"catalog change: {target.Catalog.Name} has no model {model} ({source.Catalog.Name} has)");
        }
        else if (sourceFeature is not null && targetFeature is null)
        {
            causes.Add($"catalog change: {target.Catalog.Name} does not know the feature {name} ({source.Catalog.Name} does)");
        }
        else if (sourceModel is not null && targetModel is not null && sourceFeature is not null && targetFeature is not null
            && sourceModel.Features.Contains(sourceFeature.Index) != targetModel.Features.Contains(targetFeature.Index))
        {
            var inSource = sourceModel.Features.Contains(sourceFeature.Index);
            causes.Add($"catalog change: model {model} {(inSource ? "holds" : "lacks")} {name} in {source.Catalog.Name} but {(inSource ? "lacks" : "holds")} it in {target.Catalog.Name} (a change to a released model)");
        }
    }

    /// <summary>What a host offers (TCG's CPU of each QEMU release included), or a feature one QEMU release dropped.</summary>
    private static void HostOrRelease(string name, Side source, Side target, List<string> causes)
    {
        var s = source.Node.Hypervisor.Feature(name) ?? source.Node.Hypervisor.Feature(QemuName(name));
        var t = target.Node.Hypervisor.Feature(name) ?? target.Node.Hypervisor.Feature(QemuName(name));
        if (t is null && s is not null)
        {
            causes.Add($"QEMU release: QEMU {source.Node.Hypervisor.QemuVersion.ToString(2)} has {name} and QEMU {target.Node.Hypervisor.QemuVersion.ToString(2)} on {target.Name} does not (QEMU dropped it), so the destination cannot give it to the guest");
        }
        else if (t is not null && !target.Node.Host.Qemu.Contains(t.Index))
        {
            causes.Add(source.Node.Host.TcgCpu is { } from && target.Node.Host.TcgCpu is not null && s is not null && from.Contains(s.Index)
                ? $"host CPU: {name}: the TCG CPU of QEMU {source.Node.Hypervisor.QemuVersion.ToString(2)} on {source.Name} offers it and that of QEMU {target.Node.Hypervisor.QemuVersion.ToString(2)} on {target.Name} does not, so the destination cannot give it to the guest"
                : $"host CPU: {target.Name}'s host does not offer {name} (it offers what {(target.Node.Accelerator == QemuAccelerator.Tcg ? "QEMU's TCG" : "KVM on its processor")} gives)");
        }
        else if (s is not null && !source.Node.Host.Qemu.Contains(s.Index))
        {
            causes.Add($"host CPU: {source.Name}'s host does not offer {name}, so the guest's definition there left it out");
        }
    }

    /// <summary>A feature the guest has because its inactive definition is host-model: libvirt wrote a node's host-model CPU into the live definition.</summary>
    private static void HostModelOrigin(string name, GuestStart start, CauseContext context, List<string> causes)
    {
        if (context.Inactive is not { Mode: CpuMode.HostModel } || context.Origin is not { } origin || !start.EnabledNames.Any(n => Same(n, name)))
        {
            return;
        }

        var feature = origin.Hypervisor.Feature(QemuName(name)) ?? origin.Hypervisor.Feature(name);
        var offered = feature is not null && origin.Host.Qemu.Contains(feature.Index);
        var hostModel = origin.Host.HostModel?.Model is { } m ? $" ({m} and its features)" : "";
        causes.Add(offered
            ? $"host-model: {name} entered the guest through host-model on {origin.Name} under {Releases(origin)}: its inactive definition is host-model, and libvirt wrote {origin.Name}'s host-model CPU{hostModel} into the live definition; a cold restart from the inactive definition on the destination takes the destination's host-model CPU instead"
            : $"host-model: {name} entered the guest through host-model on the node it was first started on (not {origin.Name}, whose host does not offer it): its inactive definition is host-model; a cold restart from the inactive definition takes the destination's host-model CPU instead");
    }

    private static string QemuName(string name) => name.Replace('_', '-');

    private static bool Same(string a, string b) => string.Equals(QemuName(a), QemuName(b), StringComparison.Ordinal);

    private sealed record Side(Node Node, string Name);
}
