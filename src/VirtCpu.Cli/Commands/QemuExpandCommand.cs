using System.CommandLine;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Formats.QemuData;
using VirtCpu.Qemu;

namespace VirtCpu.Cli.Commands;

/// <summary>
/// <c>virtcpu qemu expand NAME|--all [--qemu V] [--machine TYPE] [--accel tcg|kvm] [--feature +f|-f ...]
/// [--host-vendor V] [--offer FILE] [--json]</c>: the CPU QEMU builds for a model.
/// </summary>
internal static class QemuExpandCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var name = new Argument<string?>("NAME") { Description = "The model name: X-vN, an alias or an unversioned name.", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Expand every model name of the table (every X-vN, unversioned name and alias)." };
        var qemu = QemuCommand.QemuOption();
        var machine = QemuCommand.MachineOption();
        var accel = QemuCommand.AccelOption();
        var feature = new Option<string[]>("--feature") { Description = "A user feature option: +f or -f (write --feature=-f), or f=on / f=off. Repeatable.", AllowMultipleArgumentsPerToken = false };
        var hostVendor = new Option<string>("--host-vendor") { Description = "Under KVM, the host's 12-character vendor string, which replaces the model's." };
        var offer = new Option<string>("--offer") { Description = "A host offer: QEMU reply file, QMP probe, libvirt <cpudata> or cpuid -r text; filters what the host lacks and reports it as \"filtered\"." };
        var json = QemuCommand.JsonOption();
        var command = new Command("expand", "Expand QEMU CPU models exactly as QEMU builds them: definition, hypervisor, version props, accelerator defaults, machine compat properties, user options, dependency pruning, KVM word, host filter.");
        command.Arguments.Add(name);
        foreach (var o in new Option[] { all, qemu, machine, accel, feature, hostVendor, offer, json })
        {
            command.Options.Add(o);
        }

        command.SetAction(parseResult =>
        {
            var catalog = BuiltInHypervisors.Get(parseResult.GetValue(qemu));
            var model = parseResult.GetValue(name);
            var everything = parseResult.GetValue(all);
            if (everything == (model is not null))
            {
                throw new InputException(null, "give either a model NAME or --all");
            }

            var accelerator = QemuCommand.ParseAccel(parseResult.GetValue(accel));
            var machineType = QemuMachineTypes.Find(catalog, parseResult.GetValue(machine)!);
            HostOffer? host = parseResult.GetValue(offer) is { } path ? HostOfferFile.Read(path, catalog, accelerator) : null;
            var config = new QemuCpuConfig(model ?? "")
            {
                Machine = machineType.Name,
                Accelerator = accelerator,
                Features = [.. (parseResult.GetValue(feature) ?? []).Select(QemuFeatureSwitch.Parse)],
                HostOffer = host?.Features,
                HostVendor = parseResult.GetValue(hostVendor) ?? host?.Vendor,
            };
            var names = everything ? catalog.ModelNames.ToList() : [model!];
            var cpus = names.Select(n => QemuExpander.Expand(catalog, QemuModelResolution.Resolve(catalog, n, machineType), config)).ToList();
            if (parseResult.GetValue(json))
            {
                Console.Out.Write(QemuCpuJson.Write(cpus, host is not null));
                return Cli.Ok;
            }

            if (host is not null)
            {
                Console.Out.WriteLine($"# host offer: {host.Source}{(host.Approximate ? " (approximation)" : "")}");
            }

            foreach (var cpu in cpus.OrderBy(c => c.Resolution.Given, StringComparer.Ordinal))
            {
                Console.Out.WriteLine($"{cpu.Resolution.Given} -> {cpu.Resolution.Resolved} ({catalog.Name}, {machineType.Name}, {accelerator.ToString().ToLowerInvariant()})");
                Console.Out.WriteLine($"  vendor {cpu.Vendor}  family {cpu.Family}  model {cpu.Model}  stepping {cpu.Stepping}");
                Console.Out.WriteLine($"  model-id {cpu.ModelId}");
                Console.Out.WriteLine($"  enabled ({cpu.Enabled.Count}): {string.Join(' ', cpu.EnabledNames)}");
                if (host is not null || !cpu.Filtered.IsEmpty)
                {
                    Console.Out.WriteLine($"  filtered ({cpu.Filtered.Count}): {string.Join(' ', cpu.FilteredNames)}");
                }
            }

            return Cli.Ok;
        });
        return command;
    }
}
