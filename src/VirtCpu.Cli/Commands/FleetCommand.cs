using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using VirtCpu.Fleet;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.ProjectFiles;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu fleet report|drift</c>: the fleet view (issue 7).</summary>
internal static class FleetCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("fleet", "The fleet view: which CPU models every host of a fleet can run, pools, baselines, drift.");
        command.Subcommands.Add(Report());
        command.Subcommands.Add(Drift());
        command.Subcommands.Add(FleetCaptureCommand.Create());
        command.Subcommands.Add(FleetWhatIfCommand.Create());
        return command;
    }

    private static Command Report()
    {
        var dir = new Argument<string>("DIR") { Description = "A directory (searched recursively) of host captures: CPUID dumps, cpuid -r, QEMU reply files, capabilities or domain capabilities XML, node profiles." };
        var qemu = QemuCommand.QemuOption();
        var machine = QemuCommand.MachineOption("pc-q35-9.2");
        var json = new Option<bool>("--json") { Description = "Write the report as JSON." };
        var html = new Option<string>("--html") { Description = "Also write a self-contained HTML report to FILE.", HelpName = "FILE" };
        var labels = new Option<bool>("--labels") { Description = "Add KubeVirt-style node labels per host." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress on stderr." };
        var pools = new Option<int>("--max-pools") { Description = "The most compatibility pools per vendor (default 4).", DefaultValueFactory = _ => 4 };
        var command = new Command("report", "Hosts × models matrix (usable = virtcpu compare of the model against the host), per-vendor common models and baseline, compatibility pools, x86-64 levels.");
        command.Arguments.Add(dir);
        var catalogOptions = CatalogOptions.AddTo(command);
        foreach (var o in new Option[] { qemu, machine, json, html, labels, quiet, pools })
        {
            command.Options.Add(o);
        }

        command.SetAction(parseResult =>
        {
            var catalog = catalogOptions.Resolve(parseResult);
            var hypervisor = BuiltInHypervisors.Get(parseResult.GetValue(qemu));
            var progress = new Progress(parseResult.GetValue(quiet));
            var input = FleetInput.Load(parseResult.GetValue(dir)!, catalog, hypervisor, parseResult.GetValue(machine)!, progress: progress.Files);
            progress.Say($"{input.Hosts.Length} hosts read, {input.Skipped.Length} skipped; computing");
            var report = FleetReport.Compute(catalog, hypervisor, input.Hosts, input.Skipped, new FleetOptions { MaxPoolsPerVendor = parseResult.GetValue(pools) });
            progress.Say("report computed");
            var style = CpuFiles.StyleOf(catalog);
            if (parseResult.GetValue(html) is { } htmlFile)
            {
                AtomicFile.WriteAllText(htmlFile, FleetHtml.Render(report, style));
            }

            if (parseResult.GetValue(json))
            {
                JsonOption.WriteToStdout(w => FleetJson.Write(w, report, parseResult.GetValue(labels), style));
            }
            else
            {
                Console.Out.Write(FleetText.Format(report, parseResult.GetValue(labels), style));
            }

            return Cli.Ok;
        });
        return command;
    }

    private static Command Drift()
    {
        var oldDir = new Argument<string>("OLD_DIR") { Description = "The captures before the change." };
        var newDir = new Argument<string>("NEW_DIR") { Description = "The captures after the change (same host names)." };
        var guests = new Option<string>("--guests") { Description = "A directory of guest <cpu> definitions: report those that no longer start, or no longer migrate safely between which hosts.", HelpName = "DIR" };
        var qemu = QemuCommand.QemuOption();
        var machine = QemuCommand.MachineOption("pc-q35-9.2");
        var json = new Option<bool>("--json") { Description = "Write the drift as JSON." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress on stderr." };
        var command = new Command("drift", "What changed between two captures of the same hosts: features lost or gained, models that became unusable, guests that no longer start or migrate.");
        command.Arguments.Add(oldDir);
        command.Arguments.Add(newDir);
        var catalogOptions = CatalogOptions.AddTo(command);
        foreach (var o in new Option[] { guests, qemu, machine, json, quiet })
        {
            command.Options.Add(o);
        }

        command.SetAction(parseResult =>
        {
            var catalog = catalogOptions.Resolve(parseResult);
            var hypervisor = BuiltInHypervisors.Get(parseResult.GetValue(qemu));
            var mt = parseResult.GetValue(machine)!;
            var guestDir = parseResult.GetValue(guests);
            var progress = new Progress(parseResult.GetValue(quiet));
            var before = FleetInput.Load(parseResult.GetValue(oldDir)!, catalog, hypervisor, mt, guestDir is not null, progress.Files);
            var after = FleetInput.Load(parseResult.GetValue(newDir)!, catalog, hypervisor, mt, guestDir is not null, progress.Files);
            var options = new FleetOptions { Baselines = false };
            var (guestList, guestSkipped) = guestDir is null ? ([], []) : FleetInput.LoadGuests(guestDir);
            var drift = FleetDrift.Compute(
                FleetReport.Compute(catalog, hypervisor, before.Hosts, before.Skipped, options),
                FleetReport.Compute(catalog, hypervisor, after.Hosts, after.Skipped, options),
                guestList);
            var skipped = before.Skipped.Concat(after.Skipped).Concat(guestSkipped).ToList();
            if (parseResult.GetValue(json))
            {
                JsonOption.WriteToStdout(w => FleetDriftText.WriteJson(w, drift, skipped));
            }
            else
            {
                Console.Out.Write(FleetDriftText.Format(drift, skipped));
            }

            return Cli.Ok;
        });
        return command;
    }

    /// <summary>Progress on stderr, at most every half second, unless quiet.</summary>
    private sealed class Progress(bool quiet)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _last;

        public void Files(int done, int total)
        {
            if (quiet)
            {
                return;
            }

            var now = _clock.ElapsedMilliseconds;
            if (now - Interlocked.Read(ref _last) >= 500 || (done == total && now > 2000))
            {
                Interlocked.Exchange(ref _last, now);
                Console.Error.WriteLine($"virtcpu: fleet: read {done}/{total} files ({now / 1000.0:0.0} s)");
            }
        }

        public void Say(string what)
        {
            if (!quiet && _clock.ElapsedMilliseconds > 2000)
            {
                Console.Error.WriteLine($"virtcpu: fleet: {what} ({_clock.ElapsedMilliseconds / 1000.0:0.0} s)");
            }
        }
    }
}
