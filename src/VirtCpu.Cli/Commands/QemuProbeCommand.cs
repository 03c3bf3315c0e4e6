using System.CommandLine;
using System.Globalization;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.QemuData;
using VirtCpu.Qemu;
using VirtCpu.Qemu.Qmp;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu qemu probe [--binary PATH | --socket PATH] [--accel tcg|kvm] --out FILE</c>: records a QEMU's CPU models over QMP.</summary>
internal static class QemuProbeCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var binary = new Option<string>("--binary") { Description = "The QEMU binary to start (default qemu-system-x86_64 on PATH).", DefaultValueFactory = _ => "qemu-system-x86_64" };
        var socket = new Option<string>("--socket") { Description = "Attach to a running QEMU's QMP UNIX socket instead of starting one." };
        var accel = new Option<string>("--accel") { Description = "The accelerator to start QEMU with: tcg (default) or kvm.", DefaultValueFactory = _ => "tcg" };
        var output = new Option<string>("--out") { Description = "The probe file to write (JSON, written atomically).", Required = true };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for QEMU's start and for each reply (default 30).", DefaultValueFactory = _ => 30 };
        var command = new Command("probe", "Probe a QEMU binary over QMP: query-cpu-definitions, the full expansion of every model, the static expansion of max; written as a probe file.");
        foreach (var o in new Option[] { binary, socket, accel, output, timeout })
        {
            command.Options.Add(o);
        }

        command.SetAction(parseResult =>
        {
            var wait = TimeSpan.FromSeconds(parseResult.GetValue(timeout));
            QemuProbeResult result;
            try
            {
                result = parseResult.GetValue(socket) is { } path
                    ? QemuProber.ProbeSocketAsync(path, wait).GetAwaiter().GetResult()
                    : QemuProber.ProbeBinaryAsync(parseResult.GetValue(binary)!, QemuCommand.ParseAccel(parseResult.GetValue(accel)), wait).GetAwaiter().GetResult();
            }
            catch (QmpException e)
            {
                throw new InputException(parseResult.GetValue(socket) ?? parseResult.GetValue(binary), e.Message, e);
            }

            var file = parseResult.GetValue(output)!;
            AtomicFile.WriteAllText(file, QemuProbeFile.Write(result.Probe));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"virtcpu: wrote {file}: {result.Probe.Definitions.Length} definitions, {result.Probe.Expansions.Count} expansions in {result.Elapsed.TotalSeconds:0.00} s"));
            return Cli.Ok;
        });
        return command;
    }
}
