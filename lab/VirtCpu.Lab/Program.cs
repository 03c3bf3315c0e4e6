using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using VirtCpu.Lab;
using VirtCpu.Live;

var core = new Option<bool>("--core") { Description = "Run CI's core subset only." };
var stacksOption = new Option<string>("--stacks") { Description = "Comma-separated stacks: bookworm, trixie, forky.", DefaultValueFactory = _ => "bookworm,trixie,forky" };
var output = new Option<string>("--out") { Description = "The results folder.", DefaultValueFactory = _ => "lab/results" };
var report = new Option<string?>("--report") { Description = "The report to write (default: docs/live-validation.md for a full run, RESULTS/live-validation.md for --core)." };
var judgeOnly = new Option<bool>("--judge-only") { Description = "Judge the recorded reality of RESULTS again (no daemons)." };
var filter = new Option<string?>("--only") { Description = "Run only cases whose id, guest or node names contain this text." };
var fixtures = new Option<string?>("--export-fixtures") { Description = "Also write the real outcomes and profiles as test fixtures into this folder." };
var root = new RootCommand("virtcpu-lab: real libvirt + QEMU stacks, real starts and live migrations, every VirtCpu prediction held against them.");
foreach (var o in new Option[] { core, stacksOption, output, report, judgeOnly, filter, fixtures })
{
    root.Options.Add(o);
}

root.Subcommands.Add(OpsCommand.Create());
root.SetAction(parse =>
{
    var stacks = parse.GetValue(stacksOption)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
    var results = Path.GetFullPath(parse.GetValue(output)!);
    var isCore = parse.GetValue(core);
    var reportPath = parse.GetValue(report) ?? (isCore ? Path.Combine(results, "live-validation.md") : "docs/live-validation.md");
    try
    {
        return new LabRun(stacks, results, isCore, parse.GetValue(filter)).Execute(reportPath, parse.GetValue(judgeOnly), parse.GetValue(fixtures));
    }
    catch (Exception e) when (e is LabException or VirtCpu.InputException)
    {
        Console.Error.WriteLine("virtcpu-lab: " + e.Message);
        return 2;
    }
});
return root.Parse(args).Invoke();

/// <summary>One run of the lab.</summary>
/// <param name="stacks">The stacks to use.</param>
/// <param name="results">The results folder.</param>
/// <param name="core">Core subset only.</param>
/// <param name="only">A case filter, or null.</param>
internal sealed class LabRun(HashSet<string> stacks, string results, bool core, string? only)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Runs the lab (or judges recorded reality) and writes the report.</summary>
    /// <param name="reportPath">The report file.</param>
    /// <param name="judgeOnly">Only judge recorded reality.</param>
    /// <param name="fixtures">A folder to export test fixtures into, or null.</param>
    /// <returns>0 when every prediction agrees, 1 otherwise.</returns>
    public int Execute(string reportPath, bool judgeOnly, string? fixtures)
    {
        var clock = Stopwatch.StartNew();
        var cases = LabCases.All(stacks).Where(c => !core || c.Core)
            .Where(c => only is null || c.Id.Contains(only, StringComparison.Ordinal) || c.Guest.Name.Contains(only, StringComparison.Ordinal) || c.Source.Name == only || c.Hops.Any(h => h.Name == only)).ToList();
        var profiles = Path.Combine(results, "profiles");
        var realityFile = Path.Combine(results, "reality.json");
        Dictionary<string, CaseReality> reality;
        if (judgeOnly)
        {
            if (!File.Exists(realityFile))
            {
                throw new LabException($"{realityFile}: no recorded run to judge (run lab/run --out {results} first)");
            }

            reality = JsonSerializer.Deserialize<List<CaseReality>>(File.ReadAllText(realityFile), Json)!.ToDictionary(r => r.Id, StringComparer.Ordinal);
            cases = [.. cases.Where(c => reality.ContainsKey(c.Id))];
        }
        else
        {
            reality = Record(cases, profiles, realityFile);
        }

        var judged = cases.Select(c => (Case: c, Real: reality[c.Id], Judgements: new Prediction(profiles).Judge(c, reality[c.Id]))).ToList();
        var versions = File.Exists(Path.Combine(results, "versions.txt")) ? File.ReadAllText(Path.Combine(results, "versions.txt")) : "";
        var wallFile = Path.Combine(results, "wall-seconds.txt");
        if (!judgeOnly)
        {
            File.WriteAllText(wallFile, clock.Elapsed.TotalSeconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture));
        }

        var wall = File.Exists(wallFile) ? TimeSpan.FromSeconds(double.Parse(File.ReadAllText(wallFile), System.Globalization.CultureInfo.InvariantCulture)) : clock.Elapsed;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(reportPath))!);
        File.WriteAllText(reportPath, LabReport.Write(judged, versions, wall, core));
        if (fixtures is not null)
        {
            FixtureExport.Write(judged.Select(j => (j.Case, j.Real)), profiles, fixtures);
        }

        var all = judged.SelectMany(j => j.Judgements).ToList();
        foreach (var (c, _, js) in judged)
        {
            foreach (var j in js.Where(j => !j.Agrees))
            {
                Console.Error.WriteLine($"virtcpu-lab: DISAGREE {c.Id} {c.Guest.Name} {c.Topology.Label} {c.Source.Name}->{string.Join("->", c.Hops.Select(h => h.Name))} {j.Step}: real {j.Real} | predicted {j.Predicted} | {j.Note}");
            }
        }

        var starts = all.Count(j => j.Step == "start");
        var hops = judged.Sum(j => j.Real.Hops.Count);
        Console.WriteLine($"virtcpu-lab: {judged.Count} cases, {starts} real starts, {hops} real hops, {clock.Elapsed.TotalSeconds:0} s; report {reportPath}");
        Console.WriteLine($"lab: {all.Count(j => j.Agrees)} passed, {all.Count(j => !j.Agrees)} failed, 0 skipped");
        return all.All(j => j.Agrees) ? 0 : 1;
    }

    private Dictionary<string, CaseReality> Record(List<LabCase> cases, string profiles, string realityFile)
    {
        Stacks.Install(stacks);
        Directory.CreateDirectory(profiles);
        var work = Path.Combine(results, "domains");
        Directory.CreateDirectory(work);
        var nodes = cases.SelectMany(c => c.Hops.Prepend(c.Source)).Distinct().ToList();
        using var cancel = new CancelOnSignal(() => nodes.ForEach(Stacks.Down));
        var versions = new List<string>();
        var qemuOf = new Dictionary<string, Version>(StringComparer.Ordinal);
        var recorded = new Dictionary<string, CaseReality>(StringComparer.Ordinal);
        try
        {
            foreach (var node in nodes)
            {
                Stacks.Up(node);
                var capture = NodeCapture.Read(new VirtCpu.Live.Virsh(node.Uri), "qemu"); // the lab's guests are TCG guests
                qemuOf[node.Name] = capture.Qemu;
                var map = node.MapEdit is null ? null : Path.Combine(Stacks.Root, "maps", $"{node.Stack}-{node.MapEdit.Name}");
                capture.WriteProfile(Path.Combine(profiles, node.Name + ".json"), map);
                versions.Add($"{node.Name}: {node.Stack}, libvirt {capture.Libvirt.ToString(3)}, QEMU {capture.Qemu.ToString(3)}, {capture.Accelerator}, pc = {capture.Machine}{(node.MapEdit is { } e ? ", cpu_map edited: " + e.Name : "")}");
                Console.Error.WriteLine($"virtcpu-lab: node {versions[^1]}");
            }

            File.WriteAllLines(Path.Combine(results, "versions.txt"), versions);
            var runner = new CaseRunner(work, qemuOf);
            var i = 0;
            foreach (var c in cases)
            {
                var real = runner.Run(c);
                recorded[c.Id] = real;
                Console.Error.WriteLine($"virtcpu-lab: [{++i}/{cases.Count}] {c.Id} {c.Guest.Name} x{c.Topology.Label} {c.Source.Name}->{string.Join("->", c.Hops.Select(h => h.Name))}: {(real.Start.Ok ? "started" : "refused")}, {string.Join(", ", real.Hops.Select(h => h.Ok ? (h.Changes.Count == 0 ? "same" : "CHANGED") : "refused"))} ({real.Seconds:0.0} s)");
                if (i % 10 == 0 || i == cases.Count)
                {
                    File.WriteAllText(realityFile, JsonSerializer.Serialize(recorded.Values.ToList(), Json));
                }
            }
        }
        finally
        {
            nodes.ForEach(Stacks.Down);
        }

        File.WriteAllText(realityFile, JsonSerializer.Serialize(recorded.Values.ToList(), Json));
        return recorded;
    }
}
