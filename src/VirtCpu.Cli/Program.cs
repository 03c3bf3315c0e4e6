using System.CommandLine;
using VirtCpu.Cli;

var root = new RootCommand("virtcpu: guest CPU ABI for QEMU/KVM: decode, compare, baseline, QEMU models and migration verdicts.");
foreach (var command in CommandRegistry.All())
{
    root.Subcommands.Add(command);
}

return Cli.Run(root, args);
