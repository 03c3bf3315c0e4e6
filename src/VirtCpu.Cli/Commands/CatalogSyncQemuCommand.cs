using System.CommandLine;
using VirtCpu.Evolution;
using VirtCpu.Formats;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu catalog sync-qemu --from QEMU --into CATALOG [--out DIR]</c>: proposes new versioned models from QEMU's table.</summary>
internal static class CatalogSyncQemuCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = $"The QEMU catalog to take model versions from (default {BuiltInHypervisors.Default}).", HelpName = "QEMU" };
        var into = new Option<string>("--into") { Description = "The catalog to extend. " + CatalogArgument.Help, Required = true, HelpName = "CATALOG" };
        var output = new Option<string>("--out") { Description = "Also write the extended catalog as a libvirt cpu_map directory.", HelpName = "DIR" };
        var command = new Command("sync-qemu", "Propose a new versioned model for every QEMU model version a catalog lacks (existing models are never edited).");
        command.Options.Add(from);
        command.Options.Add(into);
        command.Options.Add(output);
        command.SetAction(parseResult =>
        {
            var q = BuiltInHypervisors.Get(parseResult.GetValue(from));
            var catalog = CatalogArgument.Resolve(parseResult.GetValue(into)!);
            var result = QemuSync.Propose(q, catalog);
            Console.Out.Write(QemuSync.Write(result, q.Name));
            if (parseResult.GetValue(output) is { } dir)
            {
                var count = LibvirtMapWriter.Write(result.Catalog, dir);
                Console.Out.WriteLine($"{dir}: {count} files written");
            }

            return Cli.Ok;
        });
        return command;
    }
}
