using System.CommandLine;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu catalog ...</c>: maintain the built-in catalogs.</summary>
internal static class CatalogCommand
{
    /// <summary>Creates the command and its subcommands.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("catalog", "Maintain catalogs: import libvirt cpu_maps and QEMU model tables, check and update the catalog lock.");
        command.Subcommands.Add(CatalogImportLibvirtCommand.Create());
        command.Subcommands.Add(CatalogLockCommand.Create());
        command.Subcommands.Add(CatalogImportQemuCommand.Create());
        command.Subcommands.Add(CatalogDiffCommand.Create());
        return command;
    }
}
