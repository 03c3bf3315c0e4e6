using System.CommandLine;
using VirtCpu.Cpu;
using VirtCpu.Engine;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu update HOST GUEST [--models LIST]</c>: libvirt's guest CPU update and translation.</summary>
internal static class UpdateCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("update", "Update a guest CPU for a host as libvirt does before starting a domain (host-model, minimum match, optional features, removed features), then translate it to the hypervisor's models.");
        var host = new Argument<string>("HOST") { Description = "The host <cpu>." };
        var guest = new Argument<string>("GUEST") { Description = "The guest <cpu>." };
        var models = new Option<string>("--models") { Description = "The hypervisor's models: comma-separated names, or a QEMU reply file with query-cpu-definitions.", HelpName = "LIST" };
        var incoming = new Option<bool>("--incoming") { Description = "Keep features removed from the model enabled (libvirt's policy for incoming migration and restore)." };
        command.Arguments.Add(host);
        command.Arguments.Add(guest);
        command.Options.Add(models);
        command.Options.Add(incoming);
        var catalogOptions = CatalogOptions.AddTo(command);
        var json = JsonOption.AddTo(command);
        command.SetAction(parseResult =>
        {
            var catalog = catalogOptions.Resolve(parseResult);
            var (hostFile, guestFile) = (parseResult.GetValue(host)!, parseResult.GetValue(guest)!);
            var hostCpu = CpuFiles.ReadCpu(hostFile);
            var cpu = CpuFiles.ReadCpu(guestFile);
            var list = parseResult.GetValue(models) is { } m
                ? File.Exists(m) ? CpuFiles.ReadModels(m) : HypervisorModels.FromNames(m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                : null;
            var removedPolicy = parseResult.GetValue(incoming) ? FeaturePolicy.Require : FeaturePolicy.Disable;
            cpu = CpuFiles.OnFiles([guestFile, hostFile], () => new CpuTranslator(catalog).Translate(new GuestCpuUpdater(catalog).Update(cpu, hostCpu, removedPolicy), list));
            if (parseResult.GetValue(json))
            {
                JsonOption.WriteToStdout(w => CpuFiles.WriteJson(w, cpu));
            }
            else
            {
                Console.Out.Write(CpuXml.Format(cpu, CpuFiles.StyleOf(catalog)));
            }

            return Cli.Ok;
        });
        return command;
    }
}
