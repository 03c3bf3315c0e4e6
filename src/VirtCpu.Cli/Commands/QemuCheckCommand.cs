using System.CommandLine;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Qemu;
using VirtCpu.Qemu.Qmp;

namespace VirtCpu.Cli.Commands;

/// <summary>
/// <c>virtcpu qemu check --binary QEMU [--qemu CATALOG] [--machine TYPE ...]</c>: VirtCpu's expansion of
/// every model name against the binary's own, under TCG, per machine type.
/// </summary>
internal static class QemuCheckCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var binary = new Option<string>("--binary") { Description = "The qemu-system-x86_64 of the catalog's release (a path or a wrapper).", Required = true };
        var qemu = QemuCommand.QemuOption();
        var machines = new Option<string[]>("--machine") { Description = "A machine type to check (repeatable; 'all' for every versioned machine type of the catalog; default: the oldest, a middle and the newest pc-i440fx type and the newest pc-q35 type)." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for each QEMU start and reply (default 60).", DefaultValueFactory = _ => 60 };
        var command = new Command("check", "Compare VirtCpu's expansion of every model name with a QEMU binary's own full expansion under TCG, per machine type; exit 1 on any difference.");
        foreach (var o in new Option[] { binary, qemu, machines, timeout })
        {
            command.Options.Add(o);
        }

        command.SetAction(parseResult =>
        {
            var catalog = BuiltInHypervisors.Get(parseResult.GetValue(qemu));
            var path = parseResult.GetValue(binary)!;
            var list = parseResult.GetValue(machines) switch
            {
                ["all"] => [.. catalog.MachineTypes],
                { Length: > 0 } given => given,
                _ => [.. QemuLiveCheck.DefaultMachines(catalog)],
            };
            var agrees = true;
            using var interrupt = new InterruptScope();
            foreach (var machine in list)
            {
                QemuMachineCheck check;
                try
                {
                    check = QemuLiveCheck.CheckAsync(catalog, path, machine, TimeSpan.FromSeconds(parseResult.GetValue(timeout)), interrupt.Token).GetAwaiter().GetResult();
                }
                catch (Exception e) when (e is QmpException or OperationCanceledException)
                {
                    throw new InputException(path, interrupt.Token.IsCancellationRequested ? "interrupted; QEMU has been stopped" : e.Message, e);
                }

                agrees &= check.Agrees;
                Print(catalog, check);
            }

            return agrees ? Cli.Ok : Cli.Negative;
        });
        return command;
    }

    private static void Print(QemuHypervisorCatalog catalog, QemuMachineCheck check)
    {
        var differing = check.Differing.ToList();
        Console.Out.WriteLine($"{catalog.Name} {check.Machine}: {check.Results.Length} model names compared, {check.Results.Length - differing.Count} match, {differing.Count} differ");
        foreach (var d in differing)
        {
            Console.Out.WriteLine($"  {d.Name}: {string.Join("; ", d.Differences)}");
        }

        if (!check.OnlyInBinary.IsEmpty)
        {
            Console.Out.WriteLine($"  only in the binary: {string.Join(' ', check.OnlyInBinary)}");
        }

        if (!check.OnlyInCatalog.IsEmpty)
        {
            Console.Out.WriteLine($"  only in the catalog: {string.Join(' ', check.OnlyInCatalog)}");
        }
    }
}
