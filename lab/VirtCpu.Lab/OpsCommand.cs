using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace VirtCpu.Lab;

/// <summary>
/// <c>lab/run-ops</c> (<c>virtcpu-lab ops</c>): the operators' commands against real daemons, on the lab's
/// own nodes named <c>ops-*</c> (never the main runner's): <c>fleet capture</c>, <c>evacuate</c> and its plan
/// carried out (<see cref="OpsEvacuate"/>), then a Debian 12 → 13 rolling upgrade predicted by
/// <c>upgrade-check</c> and carried out (<see cref="OpsUpgrade"/>). Every node is stopped at the end, also
/// on failure or Ctrl-C. Prints <c>ops: N passed, M failed</c>, each disagreement named; exit 0 when all agree.
/// </summary>
internal static class OpsCommand
{
    /// <summary>The report a full run writes (<c>docs/live-validation.md</c> quotes its totals).</summary>
    public const string DefaultReport = "docs/operations-run.md";

    private static readonly string[] StackNames = ["bookworm", "trixie"];
    private static readonly string[] Phases = ["evacuate", "upgrade"];

    /// <summary>Creates the <c>ops</c> command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var core = new Option<bool>("--core") { Description = "CI's subset: 3 guests evacuated to one Debian 13 node, one Debian 12 node of three upgraded (a few minutes)." };
        var output = new Option<string>("--out") { Description = "The results folder (fleet files and captures, the commands' reports).", DefaultValueFactory = _ => "lab/results-ops" };
        var report = new Option<string?>("--report") { Description = $"The report to write (default: {DefaultReport} for a full run, RESULTS/ops.md for --core)." };
        var command = new Command("ops", "The operators' commands (fleet capture, evacuate, upgrade-check) held against real daemons: plans carried out, refusals and cold restarts tried.");
        command.Options.Add(core);
        command.Options.Add(output);
        command.Options.Add(report);
        command.SetAction(parse =>
        {
            try
            {
                var results = Path.GetFullPath(parse.GetValue(output)!);
                var isCore = parse.GetValue(core);
                return Run(results, isCore, parse.GetValue(report) ?? (isCore ? Path.Combine(results, "ops.md") : DefaultReport));
            }
            catch (Exception e) when (e is LabException or VirtCpu.InputException)
            {
                Console.Error.WriteLine("virtcpu-lab: ops: " + e.Message);
                return 2;
            }
        });
        return command;
    }

    private static int Run(string results, bool core, string reportPath)
    {
        foreach (var stack in StackNames.Where(s => !Stacks.Installed(s)))
        {
            throw new LabException($"stack {stack} is not installed (lab/stacks.sh install {stack})");
        }

        if (Directory.Exists(results))
        {
            Directory.Delete(results, recursive: true);
        }

        Directory.CreateDirectory(results);
        var clock = Stopwatch.StartNew();
        var lab = new OpsLab(results);
        var all = OpsEvacuate.Nodes(core).Concat(OpsUpgrade.Nodes).ToList();
        using var cancel = new CancelOnSignal(() => all.ForEach(Stacks.Down));
        try
        {
            Phase(OpsEvacuate.Nodes(core), () => OpsEvacuate.Run(lab, core));
            Phase(OpsUpgrade.Nodes, () => OpsUpgrade.Run(lab, core));
        }
        finally
        {
            all.ForEach(Stacks.Down);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(reportPath))!);
        File.WriteAllText(reportPath, Report(lab, core, clock.Elapsed));
        var failed = lab.Checks.Where(c => !c.Agrees).ToList();
        foreach (var c in failed)
        {
            Console.Error.WriteLine($"virtcpu-lab: DISAGREE {c.Phase}: {c.What}: predicted {c.Predicted}; real {c.Real}");
        }

        Console.WriteLine($"virtcpu-lab: ops: {lab.Checks.Count} checks, {clock.Elapsed.TotalSeconds:0} s; report {reportPath}");
        Console.WriteLine($"ops: {lab.Checks.Count - failed.Count} passed, {failed.Count} failed");
        return failed.Count == 0 ? 0 : 1;
    }

    /// <summary>Starts nodes (stopping any left over from an earlier run first), runs a phase, stops them.</summary>
    private static void Phase(List<LabNode> nodes, Action run)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            foreach (var n in nodes)
            {
                Stacks.Down(n);
                Stacks.Up(n);
            }

            run();
        }
        finally
        {
            nodes.ForEach(Stacks.Down);
            Console.Error.WriteLine($"ops: phase on {string.Join(", ", nodes.Select(n => n.Name))}: {clock.Elapsed.TotalSeconds:0} s");
        }
    }

    private static string Report(OpsLab lab, bool core, TimeSpan wall)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"# Operators' commands against real daemons ({(core ? "core subset" : "full run")})\n\n");
        sb.Append("Generated by `lab/run-ops` (`lab/VirtCpu.Lab/Ops*.cs`; what it does: `docs/operations.md`). Every line is one\n");
        sb.Append("prediction of `evacuate` or `upgrade-check` on a `fleet capture` of the lab's own nodes, held against\n");
        sb.Append("what the daemons did when the plan was carried out.\n\n");
        sb.Append(inv, $"{Summary}`lab/run-ops{(core ? " --core" : "")}`, {DateTime.UtcNow:yyyy-MM-dd}, {wall.TotalSeconds:0} s: **{lab.Checks.Count(c => c.Agrees)} passed, {lab.Checks.Count(c => !c.Agrees)} failed**.\n");
        foreach (var phase in Phases)
        {
            sb.Append(inv, $"\n## {phase}\n\n| tried | predicted | real | agrees |\n|---|---|---|---|\n");
            foreach (var c in lab.Checks.Where(c => c.Phase == phase))
            {
                sb.Append(inv, $"| {Cell(c.What)} | {Cell(c.Predicted)} | {Cell(c.Real)} | {(c.Agrees ? "yes" : "**no**")} |\n");
            }

            var file = Path.Combine(lab.Work, phase == "evacuate" ? "evacuate.txt" : "upgrade-check.txt");
            if (File.Exists(file))
            {
                sb.Append(inv, $"\n`{(phase == "evacuate" ? "virtcpu evacuate" : "virtcpu upgrade-check")}` said:\n\n```\n{File.ReadAllText(file).TrimEnd()}\n```\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>How the report's totals line starts (<c>LabReport</c> quotes that line).</summary>
    public const string Summary = "Last run: ";

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
