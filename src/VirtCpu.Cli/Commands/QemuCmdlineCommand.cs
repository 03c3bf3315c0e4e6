using System.CommandLine;
using VirtCpu.Cpu;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Qemu;

namespace VirtCpu.Cli.Commands;

/// <summary>
/// <c>virtcpu qemu cmdline CPU.xml [--libvirt X.Y]</c>: the <c>-cpu</c> argument a libvirt release passes for a
/// guest CPU (its spelling table and never-passed features; without <c>--libvirt</c>, the default release's, explicitly).
/// </summary>
internal static class QemuCmdlineCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var file = new Argument<string>("CPU.xml") { Description = "A guest <cpu> definition (or a domain XML holding one)." };
        var release = new Option<string>("--libvirt") { Description = $"The libvirt release whose spelling and never-passed features apply (a modelled release; default {BehaviourFile.DefaultLibvirtRelease.ToString(2)}).", HelpName = "X.Y" };
        var command = new Command("cmdline", "Render the -cpu argument libvirt would pass to QEMU for a guest CPU definition.");
        command.Arguments.Add(file);
        command.Options.Add(release);
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetValue(file)!;
            var cpu = CpuXml.ReadFile(path, CpuType.Guest);
            var libvirt = parseResult.GetValue(release) is { } text
                ? BehaviourFile.For("libvirt", Version.TryParse(text, out var v) ? v : throw new InputException(null, $"--libvirt: '{text}' is not a release X.Y"), null)
                : BehaviourFile.DefaultLibvirt;
            try
            {
                Console.Out.WriteLine("-cpu " + QemuCommandLine.Render(cpu, libvirt));
            }
            catch (InputException e)
            {
                throw e.InFile(path);
            }

            return Cli.Ok;
        });
        return command;
    }
}
