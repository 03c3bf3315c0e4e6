using System.CommandLine;
using VirtCpu.Live;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu node capture [--connect URI] [--out FILE] [--map DIR]</c>: a running node's profile.</summary>
internal static class NodeCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("node", "Running libvirt + QEMU nodes.");
        command.Subcommands.Add(Capture());
        return command;
    }

    private static Command Capture()
    {
        var connect = new Option<string?>("--connect", "-c") { Description = "The libvirt URI (as virsh -c): qemu:///system, qemu+unix:///system?socket=PATH, qemu+ssh://HOST/system. Default: virsh's default." };
        var output = new Option<string>("--out") { Description = "The profile file to write; its host file (NAME-domcaps.xml) is written beside it.", DefaultValueFactory = _ => "node.json" };
        var map = new Option<string?>("--map") { Description = "The cpu_map folder the daemon uses, when it is not its release's own (an edited map)." };
        var virtType = new Option<string?>("--virttype") { Description = "The domain type whose view to capture: kvm, or qemu for TCG guests (host-model is QEMU's TCG CPU). Default: kvm when the node offers it." };
        virtType.AcceptOnlyFromAmong("kvm", "qemu");
        var command = new Command("capture", "Capture a running node as a node profile: its libvirt and QEMU releases, accelerator, machine type and host CPU (libvirt's host-model CPU: QEMU's TCG CPU on a TCG node), through virsh.");
        command.Options.Add(connect);
        command.Options.Add(output);
        command.Options.Add(map);
        command.Options.Add(virtType);
        command.SetAction(parseResult =>
        {
            var capture = NodeCapture.Read(new Virsh(parseResult.GetValue(connect)), parseResult.GetValue(virtType));
            var path = parseResult.GetValue(output)!;
            capture.WriteProfile(path, parseResult.GetValue(map));
            Console.Error.WriteLine($"virtcpu: wrote {path}: libvirt {capture.Libvirt.ToString(3)}, QEMU {capture.Qemu.ToString(3)}, {capture.Accelerator}, machine {capture.Machine}");
            return Cli.Ok;
        });
        return command;
    }
}
