using System.CommandLine;
using VirtCpu.Conformance;

namespace VirtCpu.Cli.Commands;

/// <summary>
/// <c>virtcpu conformance --libvirt DIR [--allow-missing]</c>: runs the x86_64 cases of a libvirt
/// test tree's <c>cputest.c</c> on its <c>cputestdata/</c> against the selected catalog.
/// </summary>
internal static class ConformanceCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command(
            "conformance",
            "Run the x86_64 CPU test cases of a libvirt test tree (the DO_TEST_... calls of DIR/cputest.c, on the files of DIR/cputestdata/) against the selected catalog.");
        var libvirt = new Option<string>("--libvirt") { Description = "A libvirt tests folder holding cputest.c and cputestdata/.", HelpName = "DIR", Required = true };
        var allowMissing = new Option<bool>("--allow-missing") { Description = "Accept cases whose files are absent from cputestdata/ (they are listed as SKIP with the absent files)." };
        command.Options.Add(libvirt);
        command.Options.Add(allowMissing);
        var catalogOptions = CatalogOptions.AddTo(command);
        command.SetAction(parseResult =>
        {
            var tree = LibvirtTestTree.Open(parseResult.GetValue(libvirt)!);
            var catalog = catalogOptions.Resolve(parseResult);
            int passed = 0, failed = 0, skipped = 0;
            foreach (var r in new ConformanceSuite(catalog, CpuFiles.StyleOf(catalog)).Run(tree.DataDirectory, tree.Cases))
            {
                Console.Out.WriteLine(r.ToString());
                switch (r.Outcome)
                {
                    case ConformanceOutcome.Pass:
                        passed++;
                        break;
                    case ConformanceOutcome.Fail:
                        failed++;
                        break;
                    default:
                        skipped++;
                        break;
                }
            }

            Console.Out.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped of {tree.Cases.Length} cases");
            if (passed == 0)
            {
                Console.Out.WriteLine("no case ran");
                return Cli.Negative;
            }

            if (skipped > 0 && !parseResult.GetValue(allowMissing))
            {
                Console.Out.WriteLine($"{skipped} cases lack files (--allow-missing accepts this)");
                return Cli.Negative;
            }

            return failed == 0 ? Cli.Ok : Cli.Negative;
        });
        return command;
    }
}
