using System.CommandLine;
using VirtCpu.Cli.Commands;

namespace VirtCpu.Cli;

/// <summary>
/// Every top-level command of <c>virtcpu</c>, each in its own file under <c>Commands/</c>, built
/// only when needed: a command line naming a command builds that command alone, so start-up does
/// not pay for the options, descriptions and validators of the fifteen others.
/// </summary>
internal static class CommandRegistry
{
    private static readonly (string Name, Func<Command> Create)[] Factories =
    [
        ("host", HostCommand.Create),
        ("models", ModelsCommand.Create),
        ("cpuid", CpuidCommand.Create),
        ("decode", DecodeCommand.Create),
        ("signature", SignatureCommand.Create),
        ("compare", CompareCommand.Create),
        ("baseline", BaselineCommand.Create),
        ("update", UpdateCommand.Create),
        ("qemu", QemuCommand.Create),
        ("node", NodeCommand.Create),
        ("start", StartCommand.Create),
        ("migrate-check", MigrateCheckCommand.Create),
        ("translate", TranslateCommand.Create),
        ("fleet", FleetCommand.Create),
        ("evacuate", EvacuateCommand.Create),
        ("upgrade-check", UpgradeCheckCommand.Create),
        ("catalog", CatalogCommand.Create),
        ("conformance", ConformanceCommand.Create),
        ("version", VersionCommand.Create),
    ];

    /// <summary>Creates every command.</summary>
    /// <returns>The top-level commands, in help order.</returns>
    public static IEnumerable<Command> All() => Factories.Select(f => f.Create());

    /// <summary>Creates the commands a command line needs: the one it names, or every one (help, errors).</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The commands to add to the root.</returns>
    public static IEnumerable<Command> For(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0)
        {
            foreach (var (name, create) in Factories)
            {
                if (string.Equals(name, args[0], StringComparison.Ordinal))
                {
                    return [create()];
                }
            }
        }

        return All();
    }
}
