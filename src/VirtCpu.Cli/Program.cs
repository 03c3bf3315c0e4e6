using System.CommandLine;
using System.CommandLine.Help;
using VirtCpu.Cli;

// The root is named virtcpu whatever the executable is called (VirtCpu.Cli.dll under `dotnet`,
// the tool shim, the native binary): a RootCommand takes its name from the executable.
var root = new Command("virtcpu", "virtcpu: guest CPU ABI for QEMU/KVM: decode, compare, baseline, QEMU models and migration verdicts.")
{
    new HelpOption(),
    new VersionOption(),
};
foreach (var command in CommandRegistry.For(args))
{
    root.Subcommands.Add(command);
}

return Cli.Run(root, args);
