using System.CommandLine;
using VirtCpu.Evolution;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.ProjectFiles;

namespace VirtCpu.Cli.Commands;

/// <summary>
/// <c>virtcpu catalog sync-qemu --from QEMU --into CATALOG [--names CATALOG] [--out DIR]</c>: adds QEMU's models a
/// libvirt map lacks as libvirt's maintainers would (model files, features, vendors, index lines).
/// </summary>
internal static class CatalogSyncQemuCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = $"The QEMU catalog to take models from (default {BuiltInHypervisors.Default}).", HelpName = "QEMU" };
        var into = new Option<string>("--into") { Description = "The libvirt map to extend. " + CatalogArgument.Help, Required = true, HelpName = "CATALOG" };
        var names = new Option<string>("--names") { Description = $"libvirt's map that names the bits and vendors the map lacks (default: the newest built-in, {BuiltInCatalogs.Names[0]}).", HelpName = "CATALOG" };
        var output = new Option<string>("--out") { Description = "Write the extended map as a libvirt cpu_map directory (index.xml, x86_vendors.xml, x86_features.xml, one file per model).", HelpName = "DIR" };
        var command = new Command("sync-qemu", "Add the QEMU models a libvirt map lacks, with the features and vendors they need, as libvirt names them (existing models are never edited).");
        command.Options.Add(from);
        command.Options.Add(into);
        command.Options.Add(names);
        command.Options.Add(output);
        command.SetAction(parseResult =>
        {
            var q = BuiltInHypervisors.Get(parseResult.GetValue(from));
            var catalog = CatalogArgument.Resolve(parseResult.GetValue(into)!);
            var reference = CatalogArgument.Resolve(parseResult.GetValue(names) ?? BuiltInCatalogs.Names[0]);
            var libvirt = BehaviourFile.LibvirtOfCatalog(catalog.Name);
            var result = QemuSync.Propose(q, catalog, reference, libvirt);
            Console.Out.WriteLine($"names: {catalog.Name}'s, then {reference.Name}'s, then QEMU's through {libvirt.Name}'s spelling; features {libvirt.Name} never passes to QEMU or whose sync leaves them out of models (never-passed, sync-omits) are not listed");
            Console.Out.Write(QemuSync.Write(result, q.Name));
            if (parseResult.GetValue(output) is { } dir)
            {
                var count = LibvirtMapWriter.Write(result.Catalog, dir);
                Console.Out.WriteLine($"{dir}: {count} files written ({result.Catalog.Models.Length} models, {result.Catalog.Features.Length} features, {result.Catalog.Vendors.Length} vendors)");
            }

            return Cli.Ok;
        });
        return command;
    }
}
