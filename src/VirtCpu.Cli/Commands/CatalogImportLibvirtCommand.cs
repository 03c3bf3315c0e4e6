using System.CommandLine;
using VirtCpu.Catalog;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.ProjectFiles;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu catalog import-libvirt DIR --name NAME [--out FILE]</c>: converts a libvirt cpu_map into a <c>.vcat</c> file.</summary>
internal static class CatalogImportLibvirtCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var directory = new Argument<string>("DIR") { Description = "The libvirt cpu_map directory (holding index.xml)." };
        var name = new Option<string>("--name") { Description = "The catalog name (libvirt-11.3).", Required = true, HelpName = "NAME" };
        var output = new Option<string>("--out") { Description = "The file to write (default: catalogs/NAME.vcat in the repository).", HelpName = "FILE" };
        var command = new Command("import-libvirt", "Import a libvirt cpu_map directory as a VirtCpu catalog file.");
        command.Arguments.Add(directory);
        command.Options.Add(name);
        command.Options.Add(output);
        command.SetAction(parseResult =>
        {
            var catalogName = parseResult.GetValue(name)!;
            var catalog = LibvirtMapReader.Load(parseResult.GetValue(directory)!, catalogName);
            var path = parseResult.GetValue(output) ?? Path.Combine(RepoPaths.Catalogs(), catalogName + CatalogFile.Extension);
            string text;
            try
            {
                text = CatalogFile.WriteToString(catalog);
            }
            catch (CatalogException e)
            {
                // A map the .vcat format cannot express (a name with a double quote or a control character): bad input, not a crash.
                throw new InputException(parseResult.GetValue(directory)!, e.Message, e);
            }

            AtomicFile.WriteAllText(path, text);
            Console.Out.WriteLine($"{path}: {catalog.Vendors.Length} vendors, {catalog.Features.Length} features, {catalog.Models.Length} models");
            return Cli.Ok;
        });
        return command;
    }
}
