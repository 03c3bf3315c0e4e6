using System.CommandLine;
using VirtCpu.Engine;
using VirtCpu.Formats.Input;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu compare HOST GUEST</c>: libvirt's CPU compare.</summary>
internal static class CompareCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("compare", "Compare a CPU definition against a host CPU as libvirt does: identical, superset (exit 0) or incompatible (exit 1, reason on stderr).");
        var host = new Argument<string>("HOST") { Description = "The host <cpu> (bare, capabilities XML, ...)." };
        var guest = new Argument<string>("GUEST") { Description = "The <cpu> to check (guest or host definition)." };
        command.Arguments.Add(host);
        command.Arguments.Add(guest);
        var catalogOptions = CatalogOptions.AddTo(command);
        var json = JsonOption.AddTo(command);
        command.SetAction(parseResult =>
        {
            var catalog = catalogOptions.Resolve(parseResult);
            var (hostFile, guestFile) = (parseResult.GetValue(host)!, parseResult.GetValue(guest)!);
            var hostCpu = CpuFiles.ReadCpu(hostFile);
            var cpu = CpuFiles.ReadCpu(guestFile);
            var r = CpuFiles.OnFiles([hostFile, guestFile], () => new CpuComparer(catalog).Compare(hostCpu, cpu));
            var word = r.Result switch
            {
                CpuCompareResult.Identical => "identical",
                CpuCompareResult.Superset => "superset",
                _ => "incompatible",
            };
            if (parseResult.GetValue(json))
            {
                JsonOption.WriteToStdout(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("result", word);
                    w.WriteStringOrNull("message", r.Message);
                    w.WriteEndObject();
                });
            }
            else
            {
                Console.Out.WriteLine(word);
                if (r.Message is not null)
                {
                    Console.Error.WriteLine(r.Message);
                }
            }

            return r.IsCompatible ? Cli.Ok : Cli.Negative;
        });
        return command;
    }
}
