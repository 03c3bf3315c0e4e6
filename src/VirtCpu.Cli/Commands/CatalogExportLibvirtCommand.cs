using System.CommandLine;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu catalog export-libvirt CATALOG DIR</c>: writes a catalog as a libvirt cpu_map directory.</summary>
internal static class CatalogExportLibvirtCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var catalogArgument = new Argument<string>("CATALOG") { Description = CatalogArgument.Help };
        var directory = new Argument<string>("DIR") { Description = "The directory to write (index.xml, x86_vendors.xml, x86_features.xml, x86_MODEL.xml)." };
        var command = new Command("export-libvirt", "Write a catalog as a libvirt cpu_map directory (read back identically by import-libvirt and --map).");
        command.Arguments.Add(catalogArgument);
        command.Arguments.Add(directory);
        command.SetAction(parseResult =>
        {
            var catalog = CatalogArgument.Resolve(parseResult.GetValue(catalogArgument)!);
            var dir = parseResult.GetValue(directory)!;
            var count = LibvirtMapWriter.Write(catalog, dir);
            Console.Out.WriteLine($"{dir}: {count} files ({catalog.Vendors.Length} vendors, {catalog.Features.Length} features, {catalog.Models.Length} models)");
            return Cli.Ok;
        });
        return command;
    }
}
