using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Engine;
using VirtCpu.Qemu;

namespace VirtCpu.Migration;

/// <summary>
/// Starts a guest on a node, exactly as docs/design.md#11-starting-a-guest describes it:
/// host-model expansion, name check against M, the check=partial host comparison, the hypervisor
/// build, and libvirt's live update.
/// </summary>
public static class GuestStarter
{
    /// <summary>Starts a guest.</summary>
    /// <param name="guest">The guest definition (as written by the user, or a migrated live definition).</param>
    /// <param name="node">The node.</param>
    /// <param name="machine">The machine type; null for the node's (a migration passes the source's).</param>
    /// <returns>The outcome.</returns>
    public static GuestStart Start(CpuDefinition guest, Node node, string? machine = null)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(node);
        var run = new StartRun(node, machine ?? node.Machine);
        return run.CheckMachineType()
            ?? (guest.Mode is CpuMode.HostPassthrough or CpuMode.Maximum ? StartPassthrough(guest, node, run.Outcome) : null)
            ?? run.ReadNames(guest)
            ?? run.ExpandHostModel()
            ?? run.ComparePartial()
            ?? run.BuildCpu()
            ?? run.LiveUpdate();
    }

    /// <summary>
    /// One start, step by step (docs/design.md, "Starting a guest"): each step returns the outcome
    /// when it ends the start (a refusal, or the live update's result) and null to go on.
    /// </summary>
    private sealed class StartRun(Node node, string machine)
    {
        private readonly CpuCatalog _m = node.Catalog;
        private CpuDefinition _def = null!;
        private QemuModelResolution? _resolution;
        private string? _hypervisorProblem;
        private QemuCpu? _cpu;

        public GuestStart Outcome { get; private set; } = new() { Node = node, Machine = machine, Step = StartStep.None };

        private FeatureSet Required => SetOf(_m, _def, FeaturePolicy.Require) | SetOf(_m, _def, FeaturePolicy.Force);

        private FeatureSet Disabled => SetOf(_m, _def, FeaturePolicy.Disable) | SetOf(_m, _def, FeaturePolicy.Forbid);

        // libvirt validates the machine type against the node's QEMU before it looks at the CPU.
        public GuestStart? CheckMachineType()
        {
            try
            {
                QemuMachineTypes.Find(node.Hypervisor, machine);
                return null;
            }
            catch (InputException e)
            {
                return Outcome with { Step = StartStep.Hypervisor, Unknown = [machine], Reason = $"{node.Hypervisor.Name} does not support machine type '{machine}': {e.Problem ?? e.Message}." };
            }
        }

        // Parse: M must know the model and every feature; aliases are accepted and reported.
        public GuestStart? ReadNames(CpuDefinition guest)
        {
            var resolved = ImmutableArray.CreateBuilder<string>();
            var unknown = new List<string>();
            var features = ImmutableArray.CreateBuilder<CpuFeature>(guest.Features.Length);
            foreach (var f in guest.Features)
            {
                var feature = CatalogNames.FindFeature(_m, f.Name);
                if (feature is null)
                {
                    unknown.Add(f.Name);
                    features.Add(f);
                    continue;
                }

                if (!string.Equals(feature.Name, f.Name, StringComparison.Ordinal))
                {
                    resolved.Add($"{f.Name} → {feature.Name}");
                }

                features.Add(f with { Name = feature.Name });
            }

            _def = guest with { Type = CpuType.Guest, Features = features.ToImmutable() };
            Outcome = Outcome with { Resolved = resolved.ToImmutable() };
            var modelUnknown = _def.Mode != CpuMode.HostModel && (_def.Model is null || _m.FindModel(_def.Model) is null);
            if (modelUnknown || unknown.Count > 0)
            {
                var what = new List<string>();
                if (modelUnknown)
                {
                    what.Add(_def.Model is null ? "no CPU model is given" : $"unknown CPU model '{_def.Model}'");
                }

                if (unknown.Count > 0)
                {
                    what.Add($"unknown feature{Plural(unknown.Count)} {string.Join(", ", unknown)}");
                }

                var names = (modelUnknown ? [_def.Model ?? "(none)"] : Array.Empty<string>()).Concat(unknown).ToImmutableArray();
                return Outcome with { Step = StartStep.Parse, Unknown = names, Reason = $"{_m.Name} cannot read the definition: {string.Join("; ", what)}." };
            }

            var check = _def.Check != CpuCheck.Default ? _def.Check
                : _def.Mode == CpuMode.HostModel || node.Accelerator == QemuAccelerator.Kvm ? CpuCheck.Partial : CpuCheck.None;
            _def = _def with { Check = check };
            return null;
        }

        // Step 1: host-model becomes custom; optional features become require or disable by what H offers.
        public GuestStart? ExpandHostModel()
        {
            try
            {
                if (_def.Mode == CpuMode.HostModel && node.Host.HostModel is { } hostModel)
                {
                    // libvirt's own host-model CPU for this node (domain capabilities).
                    _def = _def with
                    {
                        Mode = CpuMode.Custom,
                        Match = CpuMatch.Exact,
                        Model = hostModel.Model,
                        Vendor = hostModel.Vendor,
                        Fallback = CpuFallback.Forbid,
                        Features = [.. hostModel.Features, .. _def.Features.Where(f => hostModel.FindFeature(f.Name) is null)],
                    };
                }
                else if (_def.Mode == CpuMode.HostModel)
                {
                    var models = HypervisorModels.FromNames(node.Hypervisor.ModelNames);
                    var decoded = MigratableCopy.Create(_m, new CpuDecoder(_m).DecodeGuest(node.Host.ManagementData, models));
                    _def = new GuestCpuUpdater(_m).Update(_def, decoded);
                }
                else if (_def.Features.Any(f => f.Policy == FeaturePolicy.Optional))
                {
                    _def = _def with
                    {
                        Features = [.. _def.Features.Select(f => f.Policy == FeaturePolicy.Optional
                            ? f with { Policy = node.Host.Management.Contains(_m.FindFeature(f.Name)!.Index) ? FeaturePolicy.Require : FeaturePolicy.Disable }
                            : f)],
                    };
                }
            }
            catch (CpuEngineException e)
            {
                return Outcome with { Step = StartStep.Parse, Reason = $"host-model cannot be expanded on this host: {e.Message}." };
            }

            Outcome = Outcome with { Definition = _def };
            try
            {
                _resolution = QemuModelResolution.Resolve(node.Hypervisor, _def.Model!, QemuMachineTypes.Find(node.Hypervisor, machine));
            }
            catch (InputException e)
            {
                _hypervisorProblem = e.Problem ?? e.Message;
            }

            return null;
        }

        // Step 3, check='partial' only: forbidden features the host has, then required ones it lacks,
        // compared as the node's libvirt release does (docs/design.md, "Releases as data").
        public GuestStart? ComparePartial()
        {
            if (_def.Check != CpuCheck.Partial)
            {
                return null;
            }

            var forbidden = SetOf(_m, _def, FeaturePolicy.Forbid) & node.Host.Management;
            if (!forbidden.IsEmpty)
            {
                var names = _m.NamesOf(forbidden).ToImmutableArray();
                return Outcome with { Step = StartStep.Compare, Extra = names, Reason = $"The host CPU provides forbidden feature{Plural(names.Length)} {string.Join(", ", names)}." };
            }

            var model = _m.FindModel(_def.Model!)!;
            var wholeDefinition = node.LibvirtBehaviour.Values("check-partial") is ["whole-definition"];
            ImmutableArray<string> missing = wholeDefinition || model.CompatCheck || _resolution is null
                ? [.. _m.NamesOf(((model.Features | Required) - Disabled - SetOf(_m, _def, FeaturePolicy.Force)) - node.Host.Management)]
                : Blockers();
            return missing.IsEmpty ? null
                : Outcome with { Step = StartStep.Compare, Missing = missing, Reason = $"The host CPU does not provide required feature{Plural(missing.Length)} {string.Join(", ", missing)}." };
        }

        // What QEMU filters from the plain model, less what the definition disables, plus required features H lacks.
        private ImmutableArray<string> Blockers()
        {
            var q = node.Hypervisor;
            var plain = QemuExpander.Expand(q, _resolution!, Config(node, _def.Model!, []));
            var disabled = Disabled;
            var blockers = new List<string>();
            foreach (var i in plain.Filtered)
            {
                var mi = node.Bridge.ManagementOf(i);
                if (mi < 0)
                {
                    blockers.Add(node.LibvirtBehaviour.Spelling.ToLibvirt(q.Features[i].Name));
                }
                else if (!disabled.Contains(mi))
                {
                    blockers.Add(_m.Features[mi].Name);
                }
            }

            blockers.AddRange(_m.NamesOf(Required - node.Host.Management).Where(n => !blockers.Contains(n)));
            return [.. blockers];
        }

        // Step 4: the hypervisor builds the CPU from the model, the release's TCG switches, the
        // explicit features, and the topology.
        public GuestStart? BuildCpu()
        {
            var q = node.Hypervisor;
            if (_resolution is null)
            {
                return Outcome with { Step = StartStep.Hypervisor, Unknown = [_def.Model!], Reason = $"{q.Name} cannot build the CPU: {_hypervisorProblem}." };
            }

            DisableUnnamedUnderTcg();
            DropUnrecorded();
            var switches = new List<QemuFeatureSwitch>();
            var noQemu = new List<string>();
            foreach (var f in _def.Features)
            {
                if (f.Policy is not { } policy || node.LibvirtBehaviour.NeverPassed(f.Name))
                {
                    continue;
                }

                var qi = node.Bridge.QemuOf(_m.FindFeature(f.Name)!.Index);
                if (qi < 0)
                {
                    noQemu.Add(f.Name);
                    continue;
                }

                switches.Add(new QemuFeatureSwitch(q.Features[qi].Name, policy is FeaturePolicy.Require or FeaturePolicy.Force or FeaturePolicy.Optional));
            }

            if (noQemu.Count > 0)
            {
                return Outcome with { Step = StartStep.Hypervisor, Unknown = [.. noQemu], Reason = $"{q.Name} has no CPU feature{Plural(noQemu.Count)} {string.Join(", ", noQemu)}." };
            }

            var expanded = QemuExpander.Expand(q, _resolution, Config(node, _def.Model!, switches));
            var derived = TopologyFeatures(expanded, node, _def, "multi-cpu-package");
            _cpu = expanded with { Enabled = expanded.Enabled | derived, Filtered = expanded.Filtered - derived };
            Outcome = Outcome with { Cpu = _cpu, CpuidOnly = TopologyFeatures(_cpu, node, _def, "cpuid-multi-cpu-package") - _cpu.Enabled };
            return null;
        }

        // The features this libvirt release leaves to QEMU's topology rules (release behaviour
        // 'live-unrecorded'): the lab saw 12.8 drop them from the definition before it builds -cpu,
        // on a start (host-model's cmp_legacy) and on an incoming migration alike.
        private void DropUnrecorded()
        {
            var unrecorded = node.LibvirtBehaviour.Values("live-unrecorded");
            if (!unrecorded.IsEmpty && _def.Features.Any(f => unrecorded.Contains(f.Name)))
            {
                _def = _def with { Features = [.. _def.Features.Where(f => !unrecorded.Contains(f.Name))] };
                Outcome = Outcome with { Definition = _def };
            }
        }

        // Under TCG, libvirt switches off (and records as disabled) the features its release
        // disables for TCG guests when QEMU's model holds them and the definition does not name them.
        private void DisableUnnamedUnderTcg()
        {
            if (node.Accelerator != QemuAccelerator.Tcg)
            {
                return;
            }

            var unnamed = node.LibvirtBehaviour.Values("tcg-disable-unnamed")
                .Where(name => _def.FindFeature(name) is null && _m.FindFeature(name) is not null && InQemuModel(node, _resolution!, name))
                .Select(name => new CpuFeature(name, FeaturePolicy.Disable)).ToList();
            if (unnamed.Count > 0)
            {
                _def = _def with { Features = [.. unnamed, .. _def.Features] };
                Outcome = Outcome with { Definition = _def };
            }
        }

        // Step 5: the live update, in M's vocabulary (names M does not know are not seen).
        public GuestStart LiveUpdate()
        {
            var enabled = node.Bridge.ToManagement(_cpu!.Enabled);
            var filtered = node.Bridge.ToManagement(_cpu.Filtered);

            // Features this libvirt release neither records nor checks (release behaviour
            // 'live-unrecorded'; DropUnrecorded took them out of the definition already).
            var unrecorded = FeatureSet.Of(node.LibvirtBehaviour.Values("live-unrecorded").Select(n => _m.FindFeature(n)?.Index ?? -1).Where(i => i >= 0));
            enabled -= unrecorded;
            filtered -= unrecorded;
            try
            {
                var live = new LiveCpuUpdater(_m).Update(_def, enabled, filtered);
                return Outcome with { LiveDefinition = live with { Check = CpuCheck.Full } };
            }
            catch (CpuEngineException e)
            {
                return Outcome with { Step = StartStep.LiveCheck, Extra = e.Extra, Missing = e.Missing, Reason = $"The CPU {node.Hypervisor.Name} built differs from the definition: {e.Message}." };
            }
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
            return start with { Step = StartStep.Parse, Unknown = unknown, Reason = $"{m.Name} cannot read the definition: unknown feature{Plural(unknown.Length)} {string.Join(", ", unknown)}." };
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

    // What the QEMU release derives from the guest's topology (release behaviour data, key KEY in
    // the vCPU's feature words, cpuid-KEY only while answering CPUID): features for a package of
    // more than one logical CPU, and more of them unless the vendor is exempt (10.0 and later:
    // Intel and Zhaoxin; before, while answering CPUID: Intel only).
    private static FeatureSet TopologyFeatures(QemuCpu cpu, Node node, CpuDefinition def, string key)
    {
        if (def.Topology is not { } t || (long)t.Cores * t.Threads <= 1)
        {
            return FeatureSet.Empty;
        }

        var names = node.QemuBehaviour.Values(key).AsEnumerable();
        var exempt = key.StartsWith("cpuid-", StringComparison.Ordinal) ? cpu.Vendor is "GenuineIntel" : cpu.Vendor is "GenuineIntel" or "CentaurHauls" or "  Shanghai  ";
        if (!exempt)
        {
            names = names.Concat(node.QemuBehaviour.Values(key + "-non-intel"));
        }

        return FeatureSet.Of(names.Select(n => node.Hypervisor.Feature(n)?.Index ?? -1).Where(i => i >= 0));
    }

    private static bool InQemuModel(Node node, QemuModelResolution resolution, string libvirtName)
    {
        var qi = node.Bridge.QemuOf(node.Catalog.FindFeature(libvirtName)!.Index);
        if (qi < 0)
        {
            return false;
        }

        var plain = QemuExpander.Expand(node.Hypervisor, resolution, Config(node, resolution.Given, []));
        return plain.Enabled.Contains(qi) || plain.Filtered.Contains(qi);
    }

    private static QemuCpuConfig Config(Node node, string model, IEnumerable<QemuFeatureSwitch> switches) => new(model)
    {
        Machine = node.Machine,
        Accelerator = node.Accelerator,
        Features = [.. switches],
        HostOffer = node.Accelerator == QemuAccelerator.Kvm ? node.Host.Qemu : node.Host.TcgCpu ?? node.Hypervisor.Tcg,
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

    private static string Plural(int count) => count > 1 ? "s" : "";
}
