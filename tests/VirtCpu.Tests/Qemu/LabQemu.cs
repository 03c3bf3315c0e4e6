using System.Diagnostics;

namespace VirtCpu.Tests.Qemu;

/// <summary>
/// The QEMU binaries of the lab's stacks (<c>lab/stacks.sh</c>): bookworm's 7.2 installed natively,
/// trixie's 10.0 and forky's 11.1 in debootstrap chroots, run through the wrapper
/// <c>lab/stacks.sh qemu STACK</c> writes (it bind-mounts /proc, /sys, /dev and /tmp into the chroot,
/// so it needs root). A test that needs one skips with the reason when it is absent.
/// </summary>
internal static class LabQemu
{
    /// <summary>The lab's root (<c>VIRTCPU_LAB_ROOT</c>, default <c>/var/cache/virtcpu-lab</c>).</summary>
    public static string Root => Environment.GetEnvironmentVariable("VIRTCPU_LAB_ROOT") is { Length: > 0 } r ? r : "/var/cache/virtcpu-lab";

    /// <summary>The binary of a stack, or skips the test.</summary>
    /// <param name="stack"><c>bookworm</c> (native), <c>trixie</c> or <c>forky</c>.</param>
    /// <returns>A path that runs the stack's qemu-system-x86_64.</returns>
    public static string Require(string stack)
    {
        if (stack == "bookworm")
        {
            const string native = "/usr/bin/qemu-system-x86_64";
            if (!File.Exists(native))
            {
                Assert.Skip($"{native} is not installed (apt-get install qemu-system-x86): the bookworm (QEMU 7.2) stack is absent");
            }

            return native;
        }

        var inside = Path.Combine(Root, stack, "usr", "bin", "qemu-system-x86_64");
        if (!File.Exists(inside))
        {
            Assert.Skip($"{inside} is absent: the lab's {stack} chroot is not installed (lab/stacks.sh install {stack})");
        }

        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Skip($"the {stack} QEMU runs in a chroot, which needs root");
        }

        var start = new ProcessStartInfo(Path.Combine(SharedData.RepoRoot, "lab", "stacks.sh")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("qemu");
        start.ArgumentList.Add(stack);
        using var process = Process.Start(start)!;
        var path = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(path))
        {
            Assert.Skip($"lab/stacks.sh qemu {stack} gave no wrapper: {process.StandardError.ReadToEnd().Trim()}");
        }

        return path;
    }
}
