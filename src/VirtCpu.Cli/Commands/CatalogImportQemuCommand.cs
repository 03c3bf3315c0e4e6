using System.CommandLine;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Formats.QemuData;
using VirtCpu.Formats.QemuData.Source;
using VirtCpu.Qemu;
using VirtCpu.Qemu.BinaryImport;
using VirtCpu.Qemu.Qmp;

namespace VirtCpu.Cli.Commands;

/// <summary>
/// <c>virtcpu catalog import-qemu DIR | --source QEMU_TREE | --binary QEMU [--inherit CATALOG] [--name NAME] [--out FILE]</c>:
/// QEMU model tables, a QEMU source tree or a running QEMU binary to a <c>.qcat</c> file.
/// </summary>
internal static class CatalogImportQemuCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var dir = new Argument<string?>("DIR") { Description = "A directory with QEMU's model table as features.tsv and models.tsv.", Arity = ArgumentArity.ZeroOrOne };
        var source = new Option<string>("--source") { Description = "A QEMU source tree (VERSION, target/i386/cpu.c, cpu.h): import from QEMU's own tables." };
        var binary = new Option<string>("--binary") { Description = "A qemu-system-x86_64 to probe over QMP (TCG, paused; every QEMU started is stopped before the command returns)." };
        var inherit = new Option<string>("--inherit") { Description = "With --binary: the catalog (built-in name or .qcat file) to take from what a probe cannot see: dependencies, unmigratable flags, cache-info names." };
        var timeout = new Option<double>("--timeout") { Description = "With --binary: seconds to wait for each QEMU start and reply (default 60).", DefaultValueFactory = _ => 60 };
        var name = new Option<string>("--name") { Description = "The catalog name (default: qemu- plus the directory's version, e.g. qemu-10.0)." };
        var output = new Option<string>("--out") { Description = "Write the .qcat file here (default: standard output)." };
        var command = new Command("import-qemu", "Import a QEMU CPU model table (features.tsv, models.tsv), a QEMU source tree (--source) or a QEMU binary (--binary) into the project's .qcat format.");
        command.Arguments.Add(dir);
        command.Options.Add(source);
        command.Options.Add(binary);
        command.Options.Add(inherit);
        command.Options.Add(timeout);
        command.Options.Add(name);
        command.Options.Add(output);
        command.SetAction(parseResult =>
        {
            var tree = parseResult.GetValue(source);
            var tables = parseResult.GetValue(dir);
            var qemu = parseResult.GetValue(binary);
            if (new[] { tree, tables, qemu }.Count(x => x is not null) != 1)
            {
                throw new InputException("import-qemu", "give one of DIR (features.tsv, models.tsv), --source QEMU_TREE or --binary QEMU");
            }

            if (parseResult.GetValue(inherit) is not null && qemu is null)
            {
                throw new InputException("--inherit", "only --binary imports inherit from another catalog");
            }

            var catalog = qemu is not null
                ? FromBinary(qemu, parseResult.GetValue(inherit), parseResult.GetValue(name), TimeSpan.FromSeconds(parseResult.GetValue(timeout)))
                : tree is not null
                ? QemuSourceImporter.ImportDirectory(tree, parseResult.GetValue(name))
                : QemuTsvImporter.ImportDirectory(tables!, parseResult.GetValue(name));
            var text = QcatWriter.Write(catalog);
            var path = parseResult.GetValue(output);
            if (path is null)
            {
                Console.Out.Write(text);
            }
            else
            {
                AtomicFile.WriteAllText(path, text);
                Console.Error.WriteLine($"virtcpu: wrote {path}: {catalog.Name}, {catalog.Features.Length} features, {catalog.Models.Length} models, {catalog.Models.Sum(m => m.Versions.Length)} versions");
            }

            return Cli.Ok;
        });
        return command;
    }

    /// <summary>Imports a binary; Ctrl-C or SIGTERM cancels the import, and the QEMU it runs is stopped by its PID before the command exits.</summary>
    private static QemuHypervisorCatalog FromBinary(string binary, string? inherit, string? name, TimeSpan timeout)
    {
        var inherited = inherit is null ? null : BuiltInHypervisors.Get(inherit);
        using var interrupt = new InterruptScope();
        try
        {
            var options = new QemuBinaryImportOptions(binary)
            {
                Name = name,
                Inherit = inherited,
                Timeout = timeout,
                Progress = p => Console.Error.WriteLine($"virtcpu: {p}"),
            };
            return QemuBinaryImporter.ImportAsync(options, interrupt.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (interrupt.Token.IsCancellationRequested && e is QmpException or OperationCanceledException)
        {
            throw new InputException(binary, "interrupted; every QEMU the import started has been stopped", e);
        }
        catch (QmpException e)
        {
            throw new InputException(binary, e.Message, e);
        }
        catch (FormatException e)
        {
            throw new InputException(binary, e.Message, e);
        }
    }
}
