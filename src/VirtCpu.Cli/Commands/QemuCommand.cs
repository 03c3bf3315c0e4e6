using System.CommandLine;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu qemu ...</c>: QEMU's CPU model table, expansion, command lines and live QMP.</summary>
internal static class QemuCommand
{
    /// <summary>Creates the command and its subcommands.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("qemu", "QEMU CPU models: list, expand, render -cpu, probe a QEMU binary over QMP, usable models and x86-64 levels.");
        command.Subcommands.Add(QemuModelsCommand.Create());
        command.Subcommands.Add(QemuExpandCommand.Create());
        command.Subcommands.Add(QemuCmdlineCommand.Create());
        command.Subcommands.Add(QemuProbeCommand.Create());
        command.Subcommands.Add(QemuUsableCommand.Create());
        return command;
    }

    /// <summary>The <c>--qemu VERSION</c> option (a built-in hypervisor catalog).</summary>
    /// <returns>The option.</returns>
    public static Option<string> QemuOption() => new("--qemu") { Description = "The QEMU release whose model table to use: a built-in catalog (5.2, 7.2, 10.0, 10.2, 11.1; default 10.0) or a .qcat file." };

    /// <summary>The <c>--machine TYPE</c> option.</summary>
    /// <param name="defaultValue">The default machine type.</param>
    /// <returns>The option.</returns>
    public static Option<string> MachineOption(string defaultValue = "pc") => new("--machine")
    {
        Description = $"The machine type, which decides what unversioned names resolve to and which compat properties apply (default {defaultValue}).",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary>The <c>--accel tcg|kvm</c> option.</summary>
    /// <returns>The option.</returns>
    public static Option<string> AccelOption() => new("--accel")
    {
        Description = "The accelerator: kvm (default) or tcg.",
        DefaultValueFactory = _ => "kvm",
    };

    /// <summary>The <c>--json</c> option.</summary>
    /// <returns>The option.</returns>
    public static Option<bool> JsonOption() => new("--json") { Description = "Write JSON instead of a table." };

    /// <summary>Parses an accelerator name.</summary>
    /// <param name="text">kvm or tcg.</param>
    /// <returns>The accelerator.</returns>
    public static VirtCpu.Qemu.QemuAccelerator ParseAccel(string? text) => text switch
    {
        null or "kvm" => VirtCpu.Qemu.QemuAccelerator.Kvm,
        "tcg" => VirtCpu.Qemu.QemuAccelerator.Tcg,
        _ => throw new InputException(null, $"--accel must be kvm or tcg, not '{text}'"),
    };
}
