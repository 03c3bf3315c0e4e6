using System.CommandLine;
using VirtCpu.Conformance;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu conformance --tests DIR</c>: runs libvirt's CPU test matrix against the selected catalog.</summary>
internal static class ConformanceCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("conformance", "Run every libvirt CPU test case (tests/cputest.c, x86_64) whose files exist in DIR against the selected catalog.");
        var tests = new Option<string>("--tests") { Description = "A libvirt cputestdata directory.", HelpName = "DIR", Required = true };
        command.Options.Add(tests);
        var catalogOptions = CatalogOptions.AddTo(command);
        command.SetAction(parseResult =>
        {
            var catalog = catalogOptions.Resolve(parseResult);
            var dir = parseResult.GetValue(tests)!;
            if (!Directory.Exists(dir))
            {
                throw new InputException(dir, "no such directory");
            }

            int passed = 0, failed = 0, skipped = 0;
            foreach (var r in new ConformanceSuite(catalog, CpuFiles.StyleOf(catalog)).Run(dir))
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

            Console.Out.WriteLine(skipped > 0 ? $"{passed} passed, {failed} failed, {skipped} skipped" : $"{passed} passed, {failed} failed");
            return failed == 0 ? Cli.Ok : Cli.Negative;
        });
        return command;
    }
}
