using System.CommandLine;
using VirtCpu.Cpu;
using VirtCpu.Engine;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu decode FILE... [--for host|guest] [--qemu-models FILE.json] [--output-dir DIR]</c>: libvirt's host or guest decode of CPU data.</summary>
internal static class DecodeCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("decode", "Decode CPU data (cpudata XML, cpuid -r text, QEMU replies) into a libvirt <cpu>: the host CPU (--for host, default) or the guest CPU (--for guest).");
        var files = new Argument<string[]>("FILE") { Description = "CPU data files.", Arity = ArgumentArity.OneOrMore };
        var forOption = new Option<string>("--for") { Description = "host (libvirt's capabilities view, default) or guest (match exact, fallback forbid).", HelpName = "host|guest" };
        forOption.AcceptOnlyFromAmong("host", "guest");
        var qemuModels = new Option<string>("--qemu-models") { Description = "A QEMU reply file whose query-cpu-definitions list (with unavailable-features) restricts guest candidates.", HelpName = "FILE.json" };
        var outputDir = new Option<string>("--output-dir") { Description = "Write DIR/<stem>-host.xml or DIR/<stem>-guest.xml per input instead of printing.", HelpName = "DIR" };
        command.Arguments.Add(files);
        command.Options.Add(forOption);
        command.Options.Add(qemuModels);
        command.Options.Add(outputDir);
        var catalogOptions = CatalogOptions.AddTo(command);
        var json = JsonOption.AddTo(command);
        command.SetAction(parseResult =>
        {
            var catalog = catalogOptions.Resolve(parseResult);
            var guest = parseResult.GetValue(forOption) == "guest";
            var modelsFile = parseResult.GetValue(qemuModels);
            var listed = modelsFile is null ? null : CpuFiles.ReadModels(modelsFile);
            var decoder = new CpuDecoder(catalog);
            var style = CpuFiles.StyleOf(catalog);
            var dir = parseResult.GetValue(outputDir);
            var results = new List<CpuDefinition>();
            foreach (var file in parseResult.GetValue(files)!)
            {
                var (data, models) = CpuFiles.ReadData(file, catalog);
                var cpu = CpuFiles.OnFiles([file], () => guest ? decoder.DecodeGuest(data, listed ?? models) : decoder.DecodeHost(data));
                if (dir is not null)
                {
                    var stem = Path.GetFileNameWithoutExtension(file);
                    AtomicFile.WriteAllText(Path.Combine(dir, $"{stem}-{(guest ? "guest" : "host")}.xml"), CpuXml.Format(cpu, style));
                }
                else
                {
                    results.Add(cpu);
                }
            }

            if (parseResult.GetValue(json))
            {
                if (results.Count > 0)
                {
                    JsonOption.WriteToStdout(w =>
                    {
                        if (results.Count == 1)
                        {
                            CpuFiles.WriteJson(w, results[0]);
                            return;
                        }

                        w.WriteStartArray();
                        results.ForEach(r => CpuFiles.WriteJson(w, r));
                        w.WriteEndArray();
                    });
                }
            }
            else
            {
                results.ForEach(r => Console.Out.Write(CpuXml.Format(r, style)));
            }

            return Cli.Ok;
        });
        return command;
    }
}
