using System.CommandLine;
using VirtCpu.Formats;
using VirtCpu.Formats.QemuSource;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu catalog import-qemu DIR | --source QEMU_TREE [--name NAME] [--out FILE]</c>: QEMU model tables or a QEMU source tree to a <c>.qcat</c> file.</summary>
internal static class CatalogImportQemuCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var dir = new Argument<string?>("DIR") { Description = "A directory with QEMU's model table as features.tsv and models.tsv.", Arity = ArgumentArity.ZeroOrOne };
        var source = new Option<string>("--source") { Description = "A QEMU source tree (VERSION, target/i386/cpu.c, cpu.h): import from QEMU's own tables." };
        var name = new Option<string>("--name") { Description = "The catalog name (default: qemu- plus the directory's version, e.g. qemu-10.0)." };
        var output = new Option<string>("--out") { Description = "Write the .qcat file here (default: standard output)." };
        var command = new Command("import-qemu", "Import a QEMU CPU model table (features.tsv, models.tsv) or a QEMU source tree (--source) into the project's .qcat format.");
        command.Arguments.Add(dir);
        command.Options.Add(source);
        command.Options.Add(name);
        command.Options.Add(output);
        command.SetAction(parseResult =>
        {
            var tree = parseResult.GetValue(source);
            var tables = parseResult.GetValue(dir);
            if ((tree is null) == (tables is null))
            {
                throw new InputException("import-qemu", "give either DIR (features.tsv, models.tsv) or --source QEMU_TREE");
            }

            var catalog = tree is not null
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
}
