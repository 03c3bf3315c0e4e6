using System.CommandLine;
using VirtCpu.Cli.Commands;

namespace VirtCpu.Cli;

/// <summary>Every top-level command of <c>virtcpu</c>. Each lives in its own file under <c>Commands/</c>.</summary>
internal static class CommandRegistry
{
    /// <summary>Creates the commands.</summary>
    /// <returns>The top-level commands, in help order.</returns>
    public static IEnumerable<Command> All() =>
    [
        HostCommand.Create(),
        ModelsCommand.Create(),
        CpuidCommand.Create(),
        DecodeCommand.Create(),
        SignatureCommand.Create(),
        CompareCommand.Create(),
        BaselineCommand.Create(),
        UpdateCommand.Create(),
        QemuCommand.Create(),
        NodeCommand.Create(),
        StartCommand.Create(),
        MigrateCheckCommand.Create(),
        TranslateCommand.Create(),
        FleetCommand.Create(),
        EvacuateCommand.Create(),
        UpgradeCheckCommand.Create(),
        CatalogCommand.Create(),
        ConformanceCommand.Create(),
        VersionCommand.Create(),
    ];
}
