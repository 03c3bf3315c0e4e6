using System.CommandLine;
using VirtCpu.Cpuid;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu cpuid --dump [--out FILE] [--no-msr]</c>: this machine's raw CPUID/MSR data as libvirt <c>&lt;cpudata&gt;</c> XML.</summary>
internal static class CpuidCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var dump = new Option<bool>("--dump") { Description = "Read this machine's CPUID leaves (and the MSRs that can be read) and write them as libvirt <cpudata> XML." };
        var output = new Option<string>("--out") { Description = "Write to FILE (atomically: temporary file + rename) instead of stdout." };
        var noMsr = new Option<bool>("--no-msr") { Description = "Do not try to read MSRs from /dev/cpu/0/msr." };
        var command = new Command("cpuid", "Capture this machine's raw CPU data (CPUID read directly from the processor) for later analysis.");
        command.Options.Add(dump);
        command.Options.Add(output);
        command.Options.Add(noMsr);
        command.SetAction(parseResult =>
        {
            if (!parseResult.GetValue(dump))
            {
                Console.Error.WriteLine("virtcpu: cpuid: nothing to do; use --dump (see virtcpu cpuid --help)");
                return Cli.BadInput;
            }

            if (!HostCpuid.IsSupported)
            {
                Console.Error.WriteLine($"virtcpu: cpuid: this machine has no x86 processor ({System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}); run it on the x86 host to capture");
                return Cli.BadInput;
            }

            var xml = CpuidXml.Format(HostCpuData.Read(readMsrs: !parseResult.GetValue(noMsr)));
            if (parseResult.GetValue(output) is { Length: > 0 } file)
            {
                AtomicFile.WriteAllText(file, xml);
            }
            else
            {
                Console.Out.Write(xml);
            }

            return Cli.Ok;
        });
        return command;
    }
}
