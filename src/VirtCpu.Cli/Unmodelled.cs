using VirtCpu.Cpu;
using VirtCpu.Migration;
using VirtCpu.Qemu;

namespace VirtCpu.Cli;

/// <summary>
/// Guest and node combinations the library does not model: reported as unsupported (exit 2, one
/// line) before any start, never as a verdict. A <c>maximum</c> guest is modelled under KVM only
/// (the host's CPU as KVM gives it); under TCG QEMU does start <c>-cpu max</c>, with a CPU the
/// library does not compute, so a start or migration answer there would be made up.
/// </summary>
internal static class Unmodelled
{
    /// <summary>Refuses a guest that one of the nodes cannot model.</summary>
    /// <param name="guest">The guest definition.</param>
    /// <param name="guestFile">The file it came from (named in the message).</param>
    /// <param name="nodes">The nodes it would start on.</param>
    /// <exception cref="InputException">The combination is not modelled.</exception>
    public static void Refuse(CpuDefinition guest, string guestFile, params IEnumerable<Node> nodes)
    {
        if (guest.Mode != CpuMode.Maximum)
        {
            return;
        }

        foreach (var node in nodes)
        {
            if (node.Accelerator != QemuAccelerator.Kvm)
            {
                throw new InputException(
                    guestFile,
                    $"unsupported: a maximum guest on node {node.Name} under TCG ({node.Hypervisor.Name}'s -cpu max) is not modelled; maximum is modelled under KVM only, where it is the host's CPU");
            }
        }
    }
}
