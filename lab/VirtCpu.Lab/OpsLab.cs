using System.Globalization;
using System.Text.Json;
using VirtCpu.Operations;

namespace VirtCpu.Lab;

/// <summary>One prediction of an operators' command held against what the daemons did.</summary>
/// <param name="Phase">The phase: <c>evacuate</c> or <c>upgrade</c>.</param>
/// <param name="What">What was tried (guest, nodes, step).</param>
/// <param name="Predicted">What the command predicted.</param>
/// <param name="Real">What happened.</param>
/// <param name="Agrees">Whether they agree.</param>
internal sealed record OpsCheck(string Phase, string What, string Predicted, string Real, bool Agrees);

/// <summary>A guest of the operators' checks: its name, vCPUs and <c>&lt;cpu&gt;</c>.</summary>
/// <param name="Name">The domain name.</param>
/// <param name="Vcpus">The vCPU count.</param>
/// <param name="Cpu">The <c>&lt;cpu&gt;</c> element.</param>
/// <param name="Machine">The machine type (the lab pins the oldest stack's, as operators of mixed clusters do).</param>
internal sealed record OpsGuest(string Name, int Vcpus, string Cpu, string Machine = "pc-i440fx-7.2")
{
    /// <summary>The domain XML: 64 MiB, no disk, no balloon.</summary>
    public string DomainXml =>
        string.Create(CultureInfo.InvariantCulture, $"<domain type='qemu'><name>{Name}</name><memory unit='MiB'>64</memory><vcpu placement='static'>{Vcpus}</vcpu><os><type arch='x86_64' machine='{Machine}'>hvm</type></os>{Cpu}<devices><memballoon model='none'/></devices></domain>");

    /// <summary>A custom CPU of a named model.</summary>
    /// <param name="model">The model.</param>
    /// <param name="check">The check mode.</param>
    /// <param name="cores">Cores per package.</param>
    /// <param name="threads">Threads per core.</param>
    /// <returns>The <c>&lt;cpu&gt;</c> element.</returns>
    public static string Named(string model, string check, int cores = 1, int threads = 1) =>
        $"<cpu mode='custom' match='exact' check='{check}'><model fallback='forbid'>{model}</model>{Topology(cores, threads)}</cpu>";

    /// <summary>A host-model CPU.</summary>
    /// <param name="cores">Cores per package.</param>
    /// <param name="threads">Threads per core.</param>
    /// <returns>The <c>&lt;cpu&gt;</c> element.</returns>
    public static string HostModel(int cores = 1, int threads = 1) => $"<cpu mode='host-model' check='partial'>{Topology(cores, threads)}</cpu>";

    private static string Topology(int cores, int threads) =>
        cores * threads == 1 ? "" : string.Create(CultureInfo.InvariantCulture, $"<topology sockets='1' dies='1' cores='{cores}' threads='{threads}'/>");
}

/// <summary>
/// What the operators' checks share: the lab's own nodes (named <c>ops-*</c>), persistent guests,
/// live migrations between daemons on one machine, vCPU reads, fleet capture, and the tally.
/// </summary>
/// <param name="work">The results folder.</param>
internal sealed class OpsLab(string work)
{
    private int _port = 48100;

    /// <summary>The results folder.</summary>
    public string Work => work;

    /// <summary>Every check so far.</summary>
    public List<OpsCheck> Checks { get; } = [];

    /// <summary>Records a check and prints it.</summary>
    /// <param name="phase">The phase.</param>
    /// <param name="what">What was tried.</param>
    /// <param name="predicted">The prediction.</param>
    /// <param name="real">What happened.</param>
    /// <param name="agrees">Whether they agree.</param>
    public void Judge(string phase, string what, string predicted, string real, bool agrees)
    {
        Checks.Add(new OpsCheck(phase, what, predicted, real, agrees));
        Console.Error.WriteLine($"ops: {(agrees ? "AGREE " : "DIFFER")} {phase}: {what}: predicted {predicted}; real {real}");
    }

    /// <summary>Defines a guest on a node (persistent, so it has an inactive definition), starts and suspends it.</summary>
    /// <param name="node">The node.</param>
    /// <param name="guest">The guest.</param>
    /// <returns>Null when it runs, else libvirt's refusal.</returns>
    public string? Define(LabNode node, OpsGuest guest)
    {
        var file = Path.Combine(work, guest.Name + ".xml");
        File.WriteAllText(file, guest.DomainXml);
        var defined = Virsh.Run(node.Uri, "define", file);
        var started = defined.Ok ? Virsh.Run(node.Uri, "start", guest.Name) : defined;
        if (!started.Ok)
        {
            return started.Message;
        }

        Virsh.Run(node.Uri, "suspend", guest.Name);
        return null;
    }

    /// <summary>Live-migrates a guest (<c>--migrateuri</c> on a port of its own: the daemons share one machine).</summary>
    /// <param name="guest">The domain.</param>
    /// <param name="from">The source.</param>
    /// <param name="to">The destination.</param>
    /// <returns>virsh's result.</returns>
    public ProcessResult Migrate(string guest, LabNode from, LabNode to) =>
        Virsh.Run(from.Uri, "migrate", "--live", guest, to.Uri, "--migrateuri", MigrateUri());

    /// <summary>Runs one <c>virsh migrate</c> command of a plan as printed, plus <c>--migrateuri</c>.</summary>
    /// <param name="command">The command.</param>
    /// <returns>The result.</returns>
    public ProcessResult RunPlanCommand(string command) => Shell.Run("sh", ["-c", $"{command} --migrateuri {MigrateUri()}"], TimeSpan.FromSeconds(120));

    /// <summary>Starts a definition file on a node without defining it (<c>virsh create</c>), then destroys it again.</summary>
    /// <param name="node">The node.</param>
    /// <param name="file">The domain XML.</param>
    /// <param name="name">The domain's name.</param>
    /// <returns>Null when it started, else libvirt's refusal.</returns>
    public static string? TryStart(LabNode node, string file, string name)
    {
        var r = Virsh.Run(node.Uri, "create", file);
        if (!r.Ok)
        {
            return r.Message;
        }

        Virsh.Run(node.Uri, "destroy", name);
        return null;
    }

    /// <summary>What a migration did: <c>SAFE</c> (vCPUs unchanged), <c>UNSAFE: ...</c> or <c>BLOCKED: libvirt's message</c>.</summary>
    /// <param name="result">virsh migrate's result.</param>
    /// <param name="before">The vCPUs before.</param>
    /// <param name="guest">The domain.</param>
    /// <param name="to">The destination.</param>
    /// <returns>The class and detail.</returns>
    public static (string Class, string Text) Outcome(ProcessResult result, List<Vcpu> before, string guest, LabNode to)
    {
        if (!result.Ok)
        {
            return ("BLOCKED", "BLOCKED: " + result.Message);
        }

        var after = Virsh.ReadVcpus(to.Uri, guest);
        var changes = before.Zip(after).SelectMany((p, i) => p.First.Differences(p.Second).Select(d => $"vCPU {i}: {d}")).ToList();
        if (before.Count != after.Count)
        {
            changes.Add($"vCPU count {before.Count} -> {after.Count}");
        }

        return changes.Count == 0 ? ("SAFE", "migrated, vCPUs unchanged") : ("UNSAFE", "migrated, vCPU changed: " + string.Join("; ", changes));
    }

    /// <summary>Whether a refusal names the features predicted (libvirt's list; agreement when it lists none).</summary>
    /// <param name="real">libvirt's message.</param>
    /// <param name="predicted">The names predicted.</param>
    /// <returns>True when they agree.</returns>
    public static bool SameNames(string real, IEnumerable<string> predicted)
    {
        var named = Prediction.FeaturesNamed(real);
        return named.Count == 0 || named.SetEquals(predicted);
    }

    /// <summary>Writes a fleet file of nodes and captures it with <c>fleet capture</c> (the library the CLI runs).</summary>
    /// <param name="name">The capture's name (a folder under the results).</param>
    /// <param name="nodes">The nodes with extra fleet-file keys (capacity).</param>
    /// <returns>The capture folder.</returns>
    public string Capture(string name, IEnumerable<(LabNode Node, int Vcpus)> nodes)
    {
        var fleet = Path.Combine(work, name + "-fleet.json");
        // The lab's guests are TCG guests (domain type 'qemu'), also where the machine offers KVM.
        var list = nodes.Select(n => new Dictionary<string, object> { ["name"] = n.Node.Name, ["uri"] = n.Node.Uri, ["accel"] = "tcg", ["vcpus"] = n.Vcpus }).ToList();
        File.WriteAllText(fleet, JsonSerializer.Serialize(new Dictionary<string, object> { ["fleet"] = 1, ["nodes"] = list }));
        var folder = Path.Combine(work, name);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        FleetCapture.Capture(fleet, folder, uri => new VirtCpu.Live.Virsh(uri));
        return folder;
    }

    private string MigrateUri()
    {
        _port = _port >= 48900 ? 48100 : _port + 1;
        return string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{_port}");
    }
}
