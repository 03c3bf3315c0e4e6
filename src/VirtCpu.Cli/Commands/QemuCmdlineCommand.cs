using System.CommandLine;
using VirtCpu.Cpu;
using VirtCpu.Formats;
using VirtCpu.Qemu;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu qemu cmdline CPU.xml</c>: the <c>-cpu</c> argument libvirt passes for a guest CPU.</summary>
internal static class QemuCmdlineCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var file = new Argument<string>("CPU.xml") { Description = "A guest <cpu> definition (or a domain XML holding one)." };
        var command = new Command("cmdline", "Render the -cpu argument libvirt would pass to QEMU for a guest CPU definition.");
        command.Arguments.Add(file);
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetValue(file)!;
            var cpu = CpuXml.ReadFile(path, CpuType.Guest);
            try
            {
                Console.Out.WriteLine("-cpu " + QemuCommandLine.Render(cpu));
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
