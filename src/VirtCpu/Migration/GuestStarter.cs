using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Engine;
using VirtCpu.Qemu;

namespace VirtCpu.Migration;

/// <summary>
/// Starts a guest on a node, exactly as migration-abi.md "Starting a guest on a node" steps 1-5:
/// host-model expansion, name check against M, the check=partial host comparison, the hypervisor
/// build, and libvirt's live update.
/// </summary>
public static class GuestStarter
{
    /// <summary>Features libvirt never passes to QEMU (libvirt-cpu-driver.md 6.6).</summary>
    private static readonly FrozenNames NeverPassed = new(["cmt", "mbm_total", "mbm_local", "osxsave", "ospke", "vmx-ept-uc", "vmx-ept-wb", "vmx-invvpid-single-context"]);

    /// <summary>Starts a guest.</summary>
    /// <param name="guest">The guest definition (as written by the user, or a migrated live definition).</param>
    /// <param name="node">The node.</param>
    /// <param name="machine">The machine type; null for the node's (a migration passes the source's).</param>
    /// <returns>The outcome.</returns>
    public static GuestStart Start(CpuDefinition guest, Node node, string? machine = null)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(node);
        var mt = machine ?? node.Machine;
        var m = node.Catalog;
        var start = new GuestStart { Node = node, Machine = mt, Step = StartStep.None };

        if (guest.Mode is CpuMode.HostPassthrough or CpuMode.Maximum)
        {
            return StartPassthrough(guest, node, start);
        }

        // Names: canonical spelling, aliases accepted and reported.
        var resolved = ImmutableArray.CreateBuilder<string>();
        var unknown = new List<string>();
        var features = ImmutableArray.CreateBuilder<CpuFeature>(guest.Features.Length);
        foreach (var f in guest.Features)
        {
            var feature = CatalogNames.FindFeature(m, f.Name);
            if (feature is null)
            {
                unknown.Add(f.Name);
                features.Add(f);
            }
            else
            {
                if (!string.Equals(feature.Name, f.Name, StringComparison.Ordinal))
                {
                    resolved.Add($"{f.Name} → {feature.Name}");
                }

                features.Add(f with { Name = feature.Name });
            }
        }

        var def = guest with { Type = CpuType.Guest, Features = features.ToImmutable() };
        var modelUnknown = def.Mode != CpuMode.HostModel && (def.Model is null || m.FindModel(def.Model) is null);
        if (modelUnknown || unknown.Count > 0)
        {
            var names = (modelUnknown ? [def.Model ?? "(none)"] : Array.Empty<string>()).Concat(unknown).ToImmutableArray();
            var what = new List<string>();
            if (modelUnknown)
            {
                what.Add(def.Model is null ? "no CPU model is given" : $"unknown CPU model '{def.Model}'");
            }

            if (unknown.Count > 0)
            {
                what.Add($"unknown feature{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown)}");
            }

            return start with { Step = StartStep.Parse, Unknown = names, Resolved = resolved.ToImmutable(), Reason = $"{m.Name} cannot read the definition: {string.Join("; ", what)}." };
        }

        start = start with { Resolved = resolved.ToImmutable() };
        var check = def.Check != CpuCheck.Default ? def.Check
            : def.Mode == CpuMode.HostModel || node.Accelerator == QemuAccelerator.Kvm ? CpuCheck.Partial : CpuCheck.None;
        def = def with { Check = check };

        // Step 1: host-model → custom; optional features → require/disable by what H offers.
        try
        {
            if (def.Mode == CpuMode.HostModel)
            {
                var models = HypervisorModels.FromNames(node.Hypervisor.ModelNames);
                var decoded = MigratableCopy.Create(m, new CpuDecoder(m).DecodeGuest(node.Host.ManagementData, models));
                def = new GuestCpuUpdater(m).Update(def, decoded);
            }
            else if (def.Features.Any(f => f.Policy == FeaturePolicy.Optional))
            {
                def = def with
                {
                    Features = [.. def.Features.Select(f => f.Policy == FeaturePolicy.Optional
                        ? f with { Policy = node.Host.Management.Contains(m.FindFeature(f.Name)!.Index) ? FeaturePolicy.Require : FeaturePolicy.Disable }
                        : f)],
                };
            }
        }
        catch (CpuEngineException e)
        {
            return start with { Step = StartStep.Parse, Reason = $"host-model cannot be expanded on this host: {e.Message}." };
        }

        start = start with { Definition = def };
        var model = m.FindModel(def.Model!)!;
        var require = SetOf(m, def, FeaturePolicy.Require) | SetOf(m, def, FeaturePolicy.Force);
        var disable = SetOf(m, def, FeaturePolicy.Disable) | SetOf(m, def, FeaturePolicy.Forbid);

        // Step 4 preparation: machine type and model in Q (needed by the non-compat check too).
        var q = node.Hypervisor;
        QemuModelResolution? resolution = null;
        string? hypervisorProblem = null;
        try
        {
            var machineType = QemuMachineTypes.Find(q, mt);
            resolution = QemuModelResolution.Resolve(q, def.Model!, machineType);
        }
        catch (InputException e)
        {
            hypervisorProblem = e.Problem ?? e.Message;
        }

        // Step 3: check=partial only.
        if (check == CpuCheck.Partial)
        {
            var forbidden = SetOf(m, def, FeaturePolicy.Forbid) & node.Host.Management;
            if (!forbidden.IsEmpty)
            {
                var names = m.NamesOf(forbidden).ToImmutableArray();
                return start with { Step = StartStep.Compare, Extra = names, Reason = $"The host CPU provides forbidden feature{Plural(names)} {string.Join(", ", names)}." };
            }

            ImmutableArray<string> missing;
            if (model.CompatCheck || resolution is null)
            {
                var wanted = (model.Features | require) - disable - SetOf(m, def, FeaturePolicy.Force);
                missing = [.. m.NamesOf(wanted - node.Host.Management)];
            }
            else
            {
                var plain = QemuExpander.Expand(q, resolution, Config(node, def.Model!, []));
                var blockers = new List<string>();
                foreach (var i in plain.Filtered)
                {
                    var mi = node.Bridge.ManagementOf(i);
                    if (mi < 0)
                    {
                        blockers.Add(QemuHostData.ToLibvirtName(q.Features[i].Name));
                    }
                    else if (!disable.Contains(mi))
                    {
                        blockers.Add(m.Features[mi].Name);
                    }
                }

                foreach (var i in require - node.Host.Management)
                {
                    if (!blockers.Contains(m.Features[i].Name))
                    {
                        blockers.Add(m.Features[i].Name);
                    }
                }

                missing = [.. blockers];
            }

            if (!missing.IsEmpty)
            {
                return start with { Step = StartStep.Compare, Missing = missing, Reason = $"The host CPU does not provide required feature{Plural(missing)} {string.Join(", ", missing)}." };
            }
        }

        // Step 4: the hypervisor builds the CPU.
        if (resolution is null)
        {
            return start with { Step = StartStep.Hypervisor, Unknown = [def.Model!], Reason = $"{q.Name} cannot build the CPU: {hypervisorProblem}." };
        }

        var switches = new List<QemuFeatureSwitch>();
        var noQemu = new List<string>();
        foreach (var f in def.Features)
        {
            if (f.Policy is not { } policy || NeverPassed.Contains(f.Name))
            {
                continue;
            }

            var qi = node.Bridge.QemuOf(m.FindFeature(f.Name)!.Index);
            if (qi < 0)
            {
                noQemu.Add(f.Name);
                continue;
            }

            switches.Add(new QemuFeatureSwitch(q.Features[qi].Name, policy is FeaturePolicy.Require or FeaturePolicy.Force or FeaturePolicy.Optional));
        }

        if (noQemu.Count > 0)
        {
            return start with { Step = StartStep.Hypervisor, Unknown = [.. noQemu], Reason = $"{q.Name} has no CPU feature{Plural(noQemu)} {string.Join(", ", noQemu)}." };
        }

        var cpu = QemuExpander.Expand(q, resolution, Config(node, def.Model!, switches));
        start = start with { Cpu = cpu };

        // Step 5: the live update, in M's vocabulary (names M does not know are not seen).
        var enabled = node.Bridge.ToManagement(cpu.Enabled);
        var filtered = node.Bridge.ToManagement(cpu.Filtered);
        try
        {
            var live = new LiveCpuUpdater(m).Update(def, enabled, filtered);
            return start with { LiveDefinition = live with { Check = CpuCheck.Full } };
        }
        catch (CpuEngineException e)
        {
            var (extra, missing) = ParseLiveCheck(e.Message);
            return start with { Step = StartStep.LiveCheck, Extra = extra, Missing = missing, Reason = $"The CPU {q.Name} built differs from the definition: {e.Message}." };
        }
    }

    // host-passthrough and maximum (QEMU's -cpu host / -cpu max under KVM): no model, no name
    // check beyond the explicit features, no host comparison, no live check (libvirt's default
    // check for these modes is none): the guest gets what KVM offers on this host, less QEMU's
    // unmigratable features unless migratable='off', with explicit features switched on (when the
    // host has them) or off. Vendor and signature are the host's. So a migration is SAFE only
    // between hosts that offer the same CPU, and UNSAFE otherwise: libvirt never checks it.
    private static GuestStart StartPassthrough(CpuDefinition guest, Node node, GuestStart start)
    {
        var mode = guest.Mode == CpuMode.HostPassthrough ? "host-passthrough" : "maximum";
        var q = node.Hypervisor;
        if (node.Accelerator != QemuAccelerator.Kvm)
        {
            return start with
            {
                Step = StartStep.Hypervisor,
                Reason = guest.Mode == CpuMode.HostPassthrough
                    ? $"host-passthrough needs KVM ({q.Name} under TCG has no host CPU to pass through)"
                    : $"maximum under TCG ({q.Name}'s 'max' CPU) is not modelled; only under KVM, where it is the host's CPU",
            };
        }

        var m = node.Catalog;
        var unknown = guest.Features.Where(f => CatalogNames.FindFeature(m, f.Name) is null).Select(f => f.Name).ToImmutableArray();
        if (!unknown.IsEmpty)
        {
            return start with { Step = StartStep.Parse, Unknown = unknown, Reason = $"{m.Name} cannot read the definition: unknown feature{Plural(unknown)} {string.Join(", ", unknown)}." };
        }

        var enabled = node.Host.Qemu;
        if (guest.Migratable != false)
        {
            foreach (var f in q.Features.Where(f => !f.Migratable))
            {
                enabled = enabled.Without(f.Index);
            }
        }

        foreach (var f in guest.Features)
        {
            var qi = node.Bridge.QemuOf(CatalogNames.FindFeature(m, f.Name)!.Index);
            if (qi >= 0)
            {
                enabled = f.Policy is FeaturePolicy.Disable or FeaturePolicy.Forbid ? enabled.Without(qi)
                    : node.Host.Qemu.Contains(qi) ? enabled.With(qi) : enabled;
            }
        }

        var def = guest with { Type = CpuType.Guest, Check = guest.Check == CpuCheck.Default ? CpuCheck.None : guest.Check };
        return start with { Definition = def, LiveDefinition = def, Passthrough = new PassthroughCpu(mode, enabled, node.Host.VendorString, node.Host.Signature) };
    }

    private static QemuCpuConfig Config(Node node, string model, IEnumerable<QemuFeatureSwitch> switches) => new(model)
    {
        Machine = node.Machine,
        Accelerator = node.Accelerator,
        Features = [.. switches],
        HostOffer = node.Accelerator == QemuAccelerator.Kvm ? node.Host.Qemu : node.Hypervisor.Tcg,
        HostVendor = node.Host.VendorString,
    };

    private static FeatureSet SetOf(CpuCatalog m, CpuDefinition def, FeaturePolicy policy)
    {
        var set = FeatureSet.Empty;
        foreach (var f in def.Features)
        {
            if (f.Policy == policy && m.FindFeature(f.Name) is { } feature)
            {
                set = set.With(feature.Index);
            }
        }

        return set;
    }

    private static string Plural<T>(IReadOnlyCollection<T> items) => items.Count > 1 ? "s" : "";

    private static (ImmutableArray<string> Extra, ImmutableArray<string> Missing) ParseLiveCheck(string message)
    {
        ImmutableArray<string> extra = [], missing = [];
        var at = message.IndexOf(": ", StringComparison.Ordinal);
        if (at < 0)
        {
            return (extra, missing);
        }

        foreach (var part in message[(at + 2)..].Split(", ", StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("extra features: ", StringComparison.Ordinal))
            {
                extra = [.. part["extra features: ".Length..].Split(',')];
            }
            else if (part.StartsWith("missing features: ", StringComparison.Ordinal))
            {
                missing = [.. part["missing features: ".Length..].Split(',')];
            }
        }

        return (extra, missing);
    }

    private sealed class FrozenNames(IEnumerable<string> names)
    {
        private readonly HashSet<string> _set = new(names, StringComparer.Ordinal);

        public bool Contains(string name) => _set.Contains(name);
    }
}
