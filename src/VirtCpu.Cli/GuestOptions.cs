using System.CommandLine;
using System.Globalization;
using VirtCpu.Cpu;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Cli;

/// <summary>
/// The guest options shared by <c>start</c> and <c>migrate-check</c>: <c>--guest FILE</c> (a bare
/// <c>&lt;cpu&gt;</c> or a whole domain XML as <c>virsh dumpxml</c> writes it), and for a bare
/// <c>&lt;cpu&gt;</c> the shape of the guest: <c>--vcpus N</c>, <c>--topology S:D:C:T</c>.
/// </summary>
internal sealed class GuestOptions
{
    private readonly Option<string?> _guest;
    private readonly Option<int?> _vcpus = new("--vcpus") { Description = "The guest's vCPU count (for a bare <cpu>; a domain XML gives its own).", HelpName = "N" };
    private readonly Option<string?> _topology = new("--topology") { Description = "The guest's topology as SOCKETS:DIES:CORES:THREADS (for a bare <cpu>).", HelpName = "S:D:C:T" };

    private GuestOptions(Option<string?> guest) => _guest = guest;

    /// <summary>Adds the options to a command.</summary>
    /// <param name="command">The command.</param>
    /// <param name="required">Whether <c>--guest</c> is required.</param>
    /// <returns>The options.</returns>
    public static GuestOptions AddTo(Command command, bool required)
    {
        var options = new GuestOptions(new Option<string?>("--guest") { Description = "The guest: a <cpu> definition or a domain XML (virsh dumpxml, inactive, --migratable or live).", Required = required });
        command.Options.Add(options._guest);
        command.Options.Add(options._vcpus);
        command.Options.Add(options._topology);
        return options;
    }

    /// <summary>The guest file given, or null.</summary>
    /// <param name="parseResult">The parse result.</param>
    /// <returns>The path.</returns>
    public string? File(ParseResult parseResult) => parseResult.GetValue(_guest);

    /// <summary>Reads the guest.</summary>
    /// <param name="parseResult">The parse result.</param>
    /// <returns>The CPU definition (with its topology) and the machine type (null: the node's).</returns>
    /// <exception cref="InputException">Bad file or option values.</exception>
    public (CpuDefinition Cpu, string? Machine) Read(ParseResult parseResult)
    {
        var file = File(parseResult) ?? throw new InputException("--guest is required");
        var (cpu, domain) = GuestFiles.ReadGuest(file);
        if (parseResult.GetValue(_topology) is { } text)
        {
            var parts = text.Split(':');
            var numbers = parts.Select(p => uint.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : 0u).ToArray();
            if (numbers.Length != 4 || numbers.Contains(0u))
            {
                throw new InputException($"--topology: expected SOCKETS:DIES:CORES:THREADS (positive numbers), not '{text}'");
            }

            cpu = cpu with { Topology = new CpuTopology(numbers[0], numbers[1], 1, numbers[2], numbers[3]) };
        }

        if (parseResult.GetValue(_vcpus) is { } vcpus)
        {
            var t = cpu.Topology;
            if (vcpus < 1 || (t is { } shape && shape.Sockets * shape.Dies * shape.Clusters * shape.Cores * shape.Threads != vcpus))
            {
                throw new InputException($"--vcpus {vcpus} does not match the topology");
            }

            cpu = t is null && vcpus > 1 ? cpu with { Topology = new CpuTopology((uint)vcpus, 1, 1, 1, 1) } : cpu;
        }

        return (cpu, domain is { MachineIsAlias: false } d ? d.Machine : null);
    }
}
