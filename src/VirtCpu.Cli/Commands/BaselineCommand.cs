using System.CommandLine;
using VirtCpu.Cpu;
using VirtCpu.Engine;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu baseline FILE... [--features] [--migratable]</c>: libvirt's CPU baseline.</summary>
internal static class BaselineCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("baseline", "Compute the guest CPU every given CPU can run, as virsh cpu-baseline does (all <cpu> elements of the files, read as host CPUs).");
        var files = new Argument<string[]>("FILE") { Description = "Files with <cpu> elements (concatenated, cpuTest, capabilities, domain capabilities).", Arity = ArgumentArity.OneOrMore };
        var features = new Option<bool>("--features") { Description = "List every feature of the model explicitly (sorted)." };
        var migratable = new Option<bool>("--migratable") { Description = "Drop features that block migration (invtsc, xsaves)." };
        command.Arguments.Add(files);
        command.Options.Add(features);
        command.Options.Add(migratable);
        var catalogOptions = CatalogOptions.AddTo(command);
        var json = JsonOption.AddTo(command);
        command.SetAction(parseResult =>
        {
            var catalog = catalogOptions.Resolve(parseResult);
            var cpus = new List<CpuDefinition>();
            var inputs = parseResult.GetValue(files)!;
            foreach (var file in inputs)
            {
                cpus.AddRange(CpuFiles.ReadCpus(file, CpuType.Host));
            }

            var result = CpuFiles.OnFiles(inputs, () =>
            {
                var baseline = new CpuBaseline(catalog).Compute(cpus, migratable: parseResult.GetValue(migratable));
                return parseResult.GetValue(features) ? FeatureExpander.Expand(catalog, baseline) : baseline;
            });

            if (parseResult.GetValue(json))
            {
                JsonOption.WriteToStdout(w => CpuFiles.WriteJson(w, result));
            }
            else
            {
                Console.Out.Write(CpuXml.Format(result, CpuFiles.StyleOf(catalog)));
            }

            return Cli.Ok;
        });
        return command;
    }
}
