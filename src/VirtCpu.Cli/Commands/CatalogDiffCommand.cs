using System.CommandLine;
using System.Globalization;
using VirtCpu.Evolution;
using VirtCpu.Formats.ProjectFiles;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu catalog diff OLD NEW [--qemu V] [--machine T] [--json]</c>: what a catalog change does to starts and migrations.</summary>
internal static class CatalogDiffCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var oldArgument = new Argument<string>("OLD") { Description = "The old catalog. " + CatalogArgument.Help };
        var newArgument = new Argument<string>("NEW") { Description = "The new catalog. " + CatalogArgument.Help };
        var qemu = new Option<string>("--qemu") { Description = $"The hypervisor catalog of every node (default {BuiltInHypervisors.Default}).", HelpName = "V" };
        var machine = new Option<string>("--machine") { Description = $"The machine type (default {CatalogDiff.DefaultMachine}).", HelpName = "T" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var timing = new Option<bool>("--time") { Description = "Print how long the study took on standard error." };
        var command = new Command("diff", "Compare two catalogs and classify every change by its effect on starts and migrations (exit 1 for a regression, a silent change or a changed versioned model).");
        command.Arguments.Add(oldArgument);
        command.Arguments.Add(newArgument);
        command.Options.Add(qemu);
        command.Options.Add(machine);
        command.Options.Add(json);
        command.Options.Add(timing);
        command.SetAction(parseResult =>
        {
            var old = CatalogArgument.Resolve(parseResult.GetValue(oldArgument)!);
            var @new = CatalogArgument.Resolve(parseResult.GetValue(newArgument)!);
            var q = BuiltInHypervisors.Get(parseResult.GetValue(qemu));
            var report = CatalogDiff.Compute(old, @new, q, parseResult.GetValue(machine));
            Console.Out.Write(parseResult.GetValue(json) ? CatalogDiffText.WriteJson(report) : CatalogDiffText.Write(report));
            if (parseResult.GetValue(timing))
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"catalog diff: {report.Runs} runs in {report.Elapsed.TotalSeconds:F2} s"));
            }

            return report.IsRejected ? Cli.Negative : Cli.Ok;
        });
        return command;
    }
}
