using System.CommandLine;
using System.Text.Json;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Qemu;
using VirtCpu.Qemu.Qmp;

namespace VirtCpu.Cli.Commands;

/// <summary>
/// <c>virtcpu qemu usable --offer FILE [--qemu V] [--machine TYPE] [--accel kvm|tcg] [--json]</c>:
/// every QEMU model name, usable or not on a host, with its blockers and x86-64 level.
/// </summary>
internal static class QemuUsableCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var offer = new Option<string>("--offer") { Description = "The host offer: a QMP probe with the host expansion, a QEMU reply file, libvirt <cpudata> or cpuid -r text. Without it under TCG: what TCG can emulate." };
        var qemu = QemuCommand.QemuOption();
        var machine = QemuCommand.MachineOption();
        var accel = QemuCommand.AccelOption();
        var json = QemuCommand.JsonOption();
        var live = new Option<bool>("--live") { Description = "Ask the installed QEMU under KVM for the host model (needs /dev/kvm)." };
        var binary = new Option<string>("--binary") { Description = "The QEMU binary for --live (default qemu-system-x86_64).", DefaultValueFactory = _ => "qemu-system-x86_64" };
        var command = new Command("usable", "List every QEMU model name as usable yes/no on a host, with the blockers (features the host lacks) and x86-64 levels, as libvirt's domain capabilities show them.");
        foreach (var o in new Option[] { offer, live, binary, qemu, machine, accel, json })
        {
            command.Options.Add(o);
        }

        command.SetAction(parseResult =>
        {
            var catalog = BuiltInHypervisors.Get(parseResult.GetValue(qemu));
            var accelerator = QemuCommand.ParseAccel(parseResult.GetValue(accel));
            var host = parseResult.GetValue(live)
                ? LiveOffer(parseResult.GetValue(binary)!, catalog)
                : parseResult.GetValue(offer) is { } path
                ? HostOfferFile.Read(path, catalog, accelerator)
                : accelerator == QemuAccelerator.Tcg ? HostOffer.Tcg(catalog) : throw new InputException(null, "under KVM, give the host offer with --offer FILE");
            var rows = QemuModelUsability.ForAll(catalog, host, parseResult.GetValue(machine)!, accelerator);
            var hostLevel = X86Level.Of(catalog, host.Features);
            if (parseResult.GetValue(json))
            {
                WriteJson(catalog, host, hostLevel, rows);
                return Cli.Ok;
            }

            Console.Out.WriteLine($"# {catalog.Name}, host offer: {host.Source}{(host.Approximate ? " (approximation)" : "")}; host level {X86Level.Name(hostLevel)}");
            var width = rows.Max(r => r.Name.Length);
            foreach (var r in rows)
            {
                var level = X86Level.Name(X86Level.Of(catalog, r.Cpu.Enabled | r.Cpu.Filtered));
                Console.Out.WriteLine($"{r.Name.PadRight(width)}  {(r.Usable ? "yes" : "no "),-3}  {r.Resolved,-24} {level,-10} {string.Join(' ', r.Blockers)}".TrimEnd());
            }

            return Cli.Ok;
        });
        return command;
    }

    private static HostOffer LiveOffer(string binary, QemuHypervisorCatalog catalog)
    {
        try
        {
            return QemuProber.HostOfferAsync(binary, catalog, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        }
        catch (QmpException e)
        {
            throw new InputException(binary, e.Message, e);
        }
    }

    private static void WriteJson(QemuHypervisorCatalog catalog, HostOffer host, int hostLevel, IReadOnlyList<QemuModelUsability> rows)
    {
        JsonOption.WriteToStdout(w =>
        {
            w.WriteStartObject();
            w.WriteString("catalog", catalog.Name);
            w.WritePropertyName("host");
            w.WriteStartObject();
            w.WriteString("source", host.Source);
            w.WriteBoolean("approximate", host.Approximate);
            if (host.Vendor is not null)
            {
                w.WriteString("vendor", host.Vendor);
            }

            w.WriteString("level", X86Level.Name(hostLevel));
            w.WriteEndObject();
            w.WritePropertyName("models");
            w.WriteStartArray();
            foreach (var r in rows)
            {
                w.WriteStartObject();
                w.WriteString("name", r.Name);
                w.WriteString("usable", r.Usable ? "yes" : "no");
                w.WriteString("resolved", r.Resolved);
                if (r.Canonical is not null)
                {
                    w.WriteString("canonical", r.Canonical);
                }

                w.WriteString("level", X86Level.Name(X86Level.Of(catalog, r.Cpu.Enabled | r.Cpu.Filtered)));
                w.WritePropertyName("blockers");
                w.WriteStartArray();
                foreach (var b in r.Blockers)
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
