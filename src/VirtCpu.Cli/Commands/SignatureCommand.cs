using System.CommandLine;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu signature FILE</c>: the CPU signature text of libvirt's <c>.sig</c> files.</summary>
internal static class SignatureCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("signature", "Print the CPU signature (family, model, stepping) of a CPU data file as libvirt's .sig files do.");
        var file = new Argument<string>("FILE") { Description = "A CPU data file (cpudata XML, cpuid -r text, QEMU replies)." };
        command.Arguments.Add(file);
        command.SetAction(parseResult =>
        {
            Console.Out.Write(SignatureText.Format(CpuFiles.ReadLeaf1Eax(parseResult.GetValue(file)!)));
            return Cli.Ok;
        });
        return command;
    }
}
