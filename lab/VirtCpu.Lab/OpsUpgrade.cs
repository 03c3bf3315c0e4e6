using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Migration;
using VirtCpu.Operations;

namespace VirtCpu.Lab;

/// <summary>
/// The rolling upgrade check: persistent guests on two Debian 12 nodes and a Debian 13 node, the fleet
/// captured, <c>upgrade-check</c>'s plan to Debian 13 (the captured Debian 13 node's profile) carried out
/// step by step: every guest leaves as planned (vCPUs read before and after), a guest that must be
/// cold-restarted is tried on every other node, the node is upgraded (its daemon stopped and started
/// again on the Debian 13 stack, same URI), the guests come back, and the cold restarts the plan
/// predicts on the upgraded node are done from the captured inactive definitions.
/// </summary>
internal sealed class OpsUpgrade
{
    private readonly OpsLab _lab;
    private readonly Dictionary<string, LabNode> _nodes;
    private readonly RunningFleet _fleet;
    private readonly NodeProfile _profile;
    private readonly string _capture;
    private readonly GuestMoves _moves = new();
    private readonly Dictionary<string, FleetMember> _current;
    private readonly Dictionary<string, List<FleetMember>> _routes;

    private OpsUpgrade(OpsLab lab, List<LabNode> nodes, string capture)
    {
        _lab = lab;
        _nodes = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        _capture = capture;
        _fleet = RunningFleet.Load(capture);
        _profile = NodeProfileReader.Read(Path.Combine(capture, "nodes", "ops-u3.json"));
        _current = _fleet.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        _routes = _fleet.Domains.ToDictionary(d => d.Name, d => new List<FleetMember> { _fleet.Find(d.NodeName) }, StringComparer.Ordinal);
    }

    /// <summary>The nodes: two Debian 12 nodes to upgrade and a Debian 13 node.</summary>
    public static List<LabNode> Nodes => [new("ops-u1", "bookworm"), new("ops-u2", "bookworm"), new("ops-u3", "trixie")];

    /// <summary>The guests (node, guest): 1, 2 and 4 vCPUs, host-model and named models of both vendors, every check mode.</summary>
    /// <param name="core">The core subset.</param>
    /// <returns>The guests.</returns>
    public static List<(string Node, OpsGuest Guest)> Guests(bool core)
    {
        List<(string, OpsGuest)> guests =
        [
            ("ops-u1", new("u1", 1, OpsGuest.Named("qemu64", "none"))),
            ("ops-u1", new("u2", 2, OpsGuest.Named("qemu64", "partial", cores: 2))),
            ("ops-u1", new("u3", 1, OpsGuest.HostModel())),
            ("ops-u2", new("u4", 1, OpsGuest.Named("qemu64", "partial"))),
        ];
        if (!core)
        {
            guests.Add(("ops-u1", new("u5", 4, OpsGuest.HostModel(cores: 2, threads: 2))));
            guests.Add(("ops-u2", new("u6", 2, OpsGuest.Named("EPYC", "none", threads: 2))));
            guests.Add(("ops-u2", new("u7", 1, OpsGuest.Named("qemu64", "full"))));
            guests.Add(("ops-u2", new("u8", 4, OpsGuest.Named("Westmere", "partial", cores: 2, threads: 2))));
            guests.Add(("ops-u1", new("u9", 2, OpsGuest.Named("Opteron_G3", "none", cores: 2))));
        }

        return guests;
    }

    /// <summary>Runs the check on nodes that are up; the upgraded nodes end on the Debian 13 stack.</summary>
    /// <param name="lab">The lab.</param>
    /// <param name="core">The core subset: only ops-u1 is upgraded.</param>
    public static void Run(OpsLab lab, bool core)
    {
        var nodes = Nodes;
        foreach (var (node, g) in Guests(core))
        {
            if (lab.Define(nodes.Single(n => n.Name == node), g) is { } refused)
            {
                Console.Error.WriteLine($"ops: {g.Name} does not start on {node}: {refused}");
            }
        }

        var capture = lab.Capture("upgrade", nodes.Select(n => (n, 16)));
        new OpsUpgrade(lab, nodes, capture).CarryOut(core ? ["ops-u1"] : ["ops-u1", "ops-u2"]);
    }

    private void CarryOut(IReadOnlyList<string> upgrade)
    {
        var plan = UpgradeCheck.Check(_fleet, upgrade, _profile, _moves);
        using (var report = new StreamWriter(Path.Combine(_lab.Work, "upgrade-check.txt")))
        {
            UpgradeReport.Write(plan, report);
        }

        foreach (var step in plan.Steps)
        {
            var node = _nodes[step.Node];
            var away = new List<(UpgradeGuest Guest, List<Vcpu> Before)>();
            foreach (var g in step.Guests)
            {
                var before = Virsh.ReadVcpus(node.Uri, g.Domain.Name);
                if (g.Outcome == UpgradeOutcome.ColdRestart)
                {
                    CannotLeave(g, node, before);
                }
                else if (Leave(g, node, before))
                {
                    away.Add((g, before));
                }
            }

            Stacks.Down(node);
            node = node with { Stack = "trixie" };
            Stacks.Up(node);
            _nodes[step.Node] = node;
            _current[step.Node] = UpgradeCheck.Upgraded(_fleet.Find(step.Node), _profile);
            foreach (var (g, before) in away)
            {
                ComeBack(g, node, before);
            }

            foreach (var g in step.Guests.Where(g => g.Outcome == UpgradeOutcome.ColdRestart))
            {
                ColdRestart(g, node);
            }
        }
    }

    private bool Leave(UpgradeGuest g, LabNode node, List<Vcpu> before)
    {
        var to = _nodes[g.Target!];
        var (cls, text) = OpsLab.Outcome(_lab.Migrate(g.Domain.Name, node, to), before, g.Domain.Name, to);
        _lab.Judge("upgrade", $"{g.Domain.Name} leaves {node.Name} → {to.Name}", "SAFE", text, cls == "SAFE");
        _routes[g.Domain.Name].Add(_current[to.Name]);
        return cls != "BLOCKED";
    }

    private void ComeBack(UpgradeGuest g, LabNode node, List<Vcpu> before)
    {
        var from = _nodes[g.Target!];
        var result = _lab.Migrate(g.Domain.Name, from, node);
        var (cls, text) = OpsLab.Outcome(result, before, g.Domain.Name, node);
        var back = g.Back!;
        var predicted = MigrationVerdict.Name(back.Verdict);
        _lab.Judge("upgrade", $"{g.Domain.Name} comes back {from.Name} → upgraded {node.Name}", back.IsSafe ? "SAFE" : $"{predicted} at {back.Step} ({string.Join(",", back.Cpu.Names)})", text, Agrees(back, cls, result));
        if (g.Outcome == UpgradeOutcome.Returns)
        {
            _routes[g.Domain.Name].Add(_current[node.Name]);
        }
        else if (result.Ok)
        {
            _lab.Migrate(g.Domain.Name, node, from);
        }
    }

    private void CannotLeave(UpgradeGuest g, LabNode node, List<Vcpu> before)
    {
        foreach (var other in _fleet.Nodes.Select(n => n.Name).Where(n => n != node.Name))
        {
            var predicted = _moves.Route(g.Domain, [.. _routes[g.Domain.Name], _current[other]]);
            var to = _nodes[other];
            var result = _lab.Migrate(g.Domain.Name, node, to);
            var (cls, text) = OpsLab.Outcome(result, before, g.Domain.Name, to);
            var word = predicted.IsSafe ? "SAFE (but no room)" : $"{MigrationVerdict.Name(predicted.Verdict)} at {predicted.Step} ({string.Join(",", predicted.Cpu.Names)})";
            _lab.Judge("upgrade", $"{g.Domain.Name} cannot leave {node.Name} → {other}", word, text, Agrees(predicted, cls, result));
            if (result.Ok)
            {
                _lab.Migrate(g.Domain.Name, to, node);
            }
        }

        Virsh.Run(node.Uri, "destroy", g.Domain.Name);
    }

    private void ColdRestart(UpgradeGuest g, LabNode node)
    {
        var file = Path.Combine(_capture, "domains", g.Domain.NodeName, FleetDomain.InactiveFolder, FleetCapture.FileNameOf(g.Domain.Name));
        foreach (var o in g.ColdRestarts)
        {
            foreach (var name in o.Nodes)
            {
                string? refused;
                if (name == node.Name)
                {
                    var defined = Virsh.Run(node.Uri, "define", file);
                    var started = defined.Ok ? Virsh.Run(node.Uri, "start", g.Domain.Name) : defined;
                    refused = started.Ok ? null : started.Message;
                }
                else
                {
                    refused = OpsLab.TryStart(_nodes[name], file, g.Domain.Name);
                }

                var where = name == node.Name ? $"upgraded {name}" : name;
                _lab.Judge("upgrade", $"cold restart: {g.Domain.Name} on {where}", o.Starts ? "starts" : $"refused at {o.Step}", refused is null ? "started" : "refused: " + refused, o.Starts == (refused is null));
            }
        }
    }

    private static bool Agrees(GuestMove predicted, string cls, ProcessResult result) =>
        cls == MigrationVerdict.Name(predicted.Verdict) && (cls != "BLOCKED" || OpsLab.SameNames(result.Message, predicted.Cpu.Names));
}
