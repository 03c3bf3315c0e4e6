using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using VirtCpu.Cpu;
using VirtCpu.Cpuid;
using VirtCpu.Engine;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Migration;
using VirtCpu.Qemu;
using VirtCpu.Qemu.Qmp;

namespace VirtCpu.Cli.Commands;

/// <summary>
/// <c>virtcpu host</c>: this machine's CPU decoded against the built-in catalog, the host-model CPU,
/// and every catalog model with usable yes/no and its blockers. Uses QEMU/KVM's own view of the
/// host when a QEMU binary and /dev/kvm are present; otherwise the raw CPUID, and says so.
/// </summary>
internal static class HostCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("host", "Decode this machine's CPU and list which CPU models guests can use here, with blockers.");
        var catalogOptions = CatalogOptions.AddTo(command);
        var json = JsonOption.AddTo(command);
        var qemu = QemuCommand.QemuOption();
        var machine = QemuCommand.MachineOption();
        var binary = new Option<string>("--qemu-binary") { Description = "The QEMU binary to ask for the host view (default qemu-system-x86_64 on PATH).", DefaultValueFactory = _ => QemuHostProbe.DefaultBinary };
        var noQemu = new Option<bool>("--no-qemu") { Description = "Do not start QEMU: use the raw CPUID view even when QEMU/KVM is present." };
        var all = new Option<bool>("--all") { Description = "List every model (default: usable ones, then the closest unusable ones per vendor)." };
        foreach (var o in new Option[] { qemu, machine, binary, noQemu, all })
        {
            command.Options.Add(o);
        }

        command.SetAction(parseResult =>
        {
            var catalog = catalogOptions.Resolve(parseResult);
            var raw = HostCpuData.Read();
            string source;
            var approximate = false;
            var qemuVersion = parseResult.GetValue(qemu);
            QemuHostView? live = null;
            if (!parseResult.GetValue(noQemu) && QemuHostProbe.IsAvailable(parseResult.GetValue(binary)!))
            {
                live = QemuHostProbe.ExpandHostAsync(parseResult.GetValue(binary)!, TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
                qemuVersion ??= live.QemuVersion is { } v && BuiltInHypervisors.Names.Contains("qemu-" + v, StringComparer.Ordinal) ? v : null;
            }

            var hypervisor = BuiltInHypervisors.Get(qemuVersion);
            var bridge = VocabularyBridge.For(catalog, hypervisor);
            Migration.NodeHost offer;
            if (live is not null)
            {
                // This machine names no libvirt release: the default release's spelling, explicitly.
                offer = Migration.NodeHost.FromQemuHost(bridge, live.Expansion, BehaviourFile.DefaultLibvirt.Spelling);
                source = $"QEMU {live.QemuVersion ?? "?"}/KVM expansion of the host model";
            }
            else
            {
                offer = Migration.NodeHost.FromRaw(bridge, raw, QemuAccelerator.Kvm, BehaviourFile.For("qemu", hypervisor.QemuVersion, null));
                approximate = true;
                source = "raw CPUID of this machine, completed with what KVM synthesizes (an approximation: "
                    + (parseResult.GetValue(noQemu) ? "--no-qemu was given" : "no QEMU binary or /dev/kvm to ask") + ")";
            }

            CpuDefinition? hostCpu = null;
            try
            {
                hostCpu = new CpuDecoder(catalog).DecodeHost(CpuData.FromRaw(raw, catalog));
            }
            catch (CpuEngineException)
            {
                // Reported as "no model fits" below.
            }

            var node = Node.FromOffer(Environment.MachineName, catalog, hypervisor, parseResult.GetValue(machine)!, QemuAccelerator.Kvm, offer, null, "this host");
            var report = NodeReport.Create(node, hostCpu, source, approximate);
            if (parseResult.GetValue(json))
            {
                WriteJson(report);
            }
            else
            {
                WriteText(report, parseResult.GetValue(all));
            }

            return Cli.Ok;
        });
        return command;
    }

    private static void WriteText(NodeReport report, bool all)
    {
        var o = Console.Out;
        var node = report.Node;
        var host = report.HostCpu;
        if (host is not null)
        {
            var sig = host.Signature is { } s ? string.Create(CultureInfo.InvariantCulture, $", family {s.Family} model {s.Model} stepping {s.Stepping}") : "";
            o.WriteLine($"Host CPU ({node.Catalog.Name} host decode): {host.Model} ({host.Vendor ?? "no known vendor"}{sig})");
            o.WriteLine($"  plus {host.Features.Length} features: {Wrap(string.Join(' ', host.Features.Select(f => f.Name)), 4)}");
        }
        else
        {
            o.WriteLine($"Host CPU ({node.Catalog.Name} host decode): no model of the catalog fits this CPU");
        }

        if (report.HostModel is { } hm)
        {
            var extra = hm.Features.Count(f => f.Policy == FeaturePolicy.Require);
            var off = hm.Features.Count(f => f.Policy == FeaturePolicy.Disable);
            o.WriteLine($"host-model CPU for guests: {hm.Model} with {extra} extra and {off} disabled features");
        }

        o.WriteLine($"x86-64 level: {X86Level.Name(report.Level)}");
        o.WriteLine($"View: {report.OfferSource}");
        o.WriteLine($"Hypervisor: {node.Hypervisor.Name}, machine {node.Machine}, accel kvm");
        var usable = report.Models.Where(m => m.Usable).ToList();
        var unusable = report.Models.Where(m => m.KnownToHypervisor && !m.Usable).ToList();
        var unknown = report.Models.Where(m => !m.KnownToHypervisor).ToList();
        o.WriteLine($"Models: {usable.Count} usable, {unusable.Count} blocked, {unknown.Count} unknown to {node.Hypervisor.Name} (of {report.Models.Length} in {node.Catalog.Name})");
        o.WriteLine();

        var shown = all
            ? report.Models.ToList()
            : usable.Concat(unusable.GroupBy(m => m.Vendor ?? "").SelectMany(g => g.OrderBy(m => m.Blockers.Length).ThenByDescending(m => m.Name, StringComparer.Ordinal).Take(5))).ToList();
        var width = Math.Max(5, shown.Count == 0 ? 5 : shown.Max(m => m.Name.Length));
        o.WriteLine($"{"MODEL".PadRight(width)}  USABLE  {"RESOLVED",-24}  BLOCKERS");
        foreach (var m in shown)
        {
            var usableText = m.KnownToHypervisor ? (m.Usable ? "yes" : "no") : "n/a";
            var blockers = m.KnownToHypervisor ? string.Join(' ', m.Blockers) : $"(not a {node.Hypervisor.Name} model)";
            o.WriteLine($"{m.Name.PadRight(width)}  {usableText,-6}  {m.Resolved ?? "-",-24}  {blockers}".TrimEnd());
        }

        if (!all)
        {
            o.WriteLine();
            o.WriteLine("(blocked models: the five closest per vendor are shown; --all lists every model, --json everything)");
        }
    }

    private static string Wrap(string text, int indent)
    {
        const int Width = 100;
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > Width - indent)
            {
                lines.Add(line);
                line = word;
            }
            else
            {
                line = line.Length == 0 ? word : line + " " + word;
            }
        }

        lines.Add(line);
        return string.Join(Environment.NewLine + new string(' ', indent), lines);
    }

    private static void WriteJson(NodeReport report)
    {
        JsonOption.WriteToStdout(w =>
        {
            w.WriteStartObject();
            w.WriteString("catalog", report.Node.Catalog.Name);
            w.WriteString("hypervisor", report.Node.Hypervisor.Name);
            w.WriteString("machine", report.Node.Machine);
            w.WriteString("view", report.OfferSource);
            w.WriteBoolean("approximate", report.Approximate);
            w.WriteString("level", X86Level.Name(report.Level));
            if (report.HostCpu is { } host)
            {
                w.WriteString("hostModel", host.Model);
                w.WriteString("hostCpu", CpuXml.Format(host));
            }

            if (report.HostModel is { } hm)
            {
                w.WriteString("hostModelCpu", CpuXml.Format(hm));
            }

            w.WritePropertyName("models");
            w.WriteStartArray();
            foreach (var m in report.Models)
            {
                w.WriteStartObject();
                w.WriteString("name", m.Name);
                w.WriteString("usable", m.KnownToHypervisor ? (m.Usable ? "yes" : "no") : "unknown");
                if (m.Canonical is not null)
                {
                    w.WriteString("canonical", m.Canonical);
                }

                if (m.Resolved is not null)
                {
                    w.WriteString("resolved", m.Resolved);
                }

                w.WritePropertyName("blockers");
                w.WriteStartArray();
                foreach (var b in m.Blockers)
                {
                    w.WriteStringValue(b);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
