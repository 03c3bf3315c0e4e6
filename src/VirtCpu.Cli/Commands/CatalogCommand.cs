using System.CommandLine;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu catalog ...</c>: import, lock and diff catalogs.</summary>
internal static class CatalogCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("catalog", "Import, lock and diff CPU model catalogs.");
        command.Subcommands.Add(CatalogImportQemuCommand.Create());
        return command;
    }
}
