namespace VirtCpu.Lab;

/// <summary>The lab's stacks and nodes, through <c>lab/stacks.sh</c>.</summary>
internal static class Stacks
{
    /// <summary>The lab's state root.</summary>
    public static string Root { get; } = Environment.GetEnvironmentVariable("VIRTCPU_LAB_ROOT") ?? "/var/cache/virtcpu-lab";

    /// <summary>The stacks script.</summary>
    public static string Script { get; set; } = "lab/stacks.sh";

    /// <summary>A node's state folder.</summary>
    /// <param name="node">The node.</param>
    /// <returns>The folder.</returns>
    public static string NodeDirectory(string node) => Path.Combine(Root, "nodes", node);

    /// <summary>The root of a stack's file system ("/" for the machine's own).</summary>
    /// <param name="stack">The stack.</param>
    /// <returns>The folder.</returns>
    public static string FileSystem(string stack) => stack == "bookworm" ? "/" : Path.Combine(Root, stack);

    /// <summary>The libvirt/QEMU releases of a stack.</summary>
    /// <param name="stack">The stack.</param>
    /// <returns>For example <c>9.0/7.2</c>.</returns>
    public static string Release(string stack) => stack switch
    {
        "bookworm" => "9.0/7.2",
        "trixie" => "11.3/10.0",
        "forky" => "12.8/11.1",
        _ => stack,
    };

    /// <summary>Whether a stack is installed.</summary>
    /// <param name="stack">The stack.</param>
    /// <returns>True when its libvirtd and QEMU are there.</returns>
    public static bool Installed(string stack) =>
        File.Exists(Path.Combine(FileSystem(stack), "usr/sbin/libvirtd")) && File.Exists(Path.Combine(FileSystem(stack), "usr/bin/qemu-system-x86_64"));

    /// <summary>Installs stacks (packages, chroots).</summary>
    /// <param name="stacks">The stacks.</param>
    public static void Install(IEnumerable<string> stacks) => Check(Shell.Run(Script, ["install", .. stacks], TimeSpan.FromMinutes(30)), "install");

    /// <summary>Starts a node.</summary>
    /// <param name="node">The node.</param>
    public static void Up(LabNode node)
    {
        string[] args = ["up", node.Name, node.Stack];
        if (node.MapEdit is { } edit)
        {
            var map = Path.Combine(Root, "maps", $"{node.Stack}-{edit.Name}");
            if (Directory.Exists(map))
            {
                Directory.Delete(map, recursive: true);
            }

            edit.Apply(Path.Combine(FileSystem(node.Stack), "usr/share/libvirt/cpu_map"), map);
            args = [.. args, map];
        }

        Check(Shell.Run(Script, args, TimeSpan.FromSeconds(60)), "up " + node.Name);
    }

    /// <summary>Stops a node (its guests, QEMUs and daemon, by PID).</summary>
    /// <param name="node">The node.</param>
    public static void Down(LabNode node) => Shell.Run(Script, ["down", node.Name], TimeSpan.FromSeconds(90));

    private static void Check(ProcessResult r, string what)
    {
        if (!r.Ok)
        {
            throw new LabException($"stacks.sh {what} failed: {r.Error.Trim()}");
        }
    }
}

/// <summary>The lab cannot go on (a stack or a daemon failed, not a case).</summary>
/// <param name="message">What failed.</param>
internal sealed class LabException(string message) : Exception(message);
