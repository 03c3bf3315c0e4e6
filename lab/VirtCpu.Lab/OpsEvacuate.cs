using VirtCpu.Migration;
using VirtCpu.Operations;

namespace VirtCpu.Lab;

/// <summary>
/// The evacuation check: persistent guests on a Debian 12 node, the fleet captured, <c>evacuate</c>'s plan
/// run command by command (each guest's vCPUs read before and after), every guest the plan says no
/// node takes tried on every node it names, and every cold restart it predicts tried from the captured
/// inactive definition.
/// </summary>
internal static class OpsEvacuate
{
    /// <summary>The node drained.</summary>
    public static readonly LabNode Host = new("ops-e1", "bookworm");

    /// <summary>The nodes: the host (Debian 12) and Debian 13 nodes (one in the core subset).</summary>
    /// <param name="core">The core subset.</param>
    /// <returns>The nodes.</returns>
    public static List<LabNode> Nodes(bool core) => core ? [Host, new("ops-e2", "trixie")] : [Host, new("ops-e2", "trixie"), new("ops-e3", "trixie")];

    /// <summary>The guests on the host: 1, 2 and 4 vCPUs, host-model and named models of both vendors, each check mode that starts under TCG.</summary>
    /// <param name="core">The core subset.</param>
    /// <returns>The guests.</returns>
    public static List<OpsGuest> Guests(bool core)
    {
        List<OpsGuest> guests =
        [
            new("e-one", 1, OpsGuest.Named("qemu64", "none")),
            new("e-two", 2, OpsGuest.Named("qemu64", "partial", cores: 2)),
            new("e-hm", 1, OpsGuest.HostModel()),
        ];
        if (!core)
        {
            guests.Add(new("e-westmere", 1, OpsGuest.Named("Westmere", "partial")));
            guests.Add(new("e-opteron", 1, OpsGuest.Named("Opteron_G3", "none")));
            guests.Add(new("e-epyc", 2, OpsGuest.Named("EPYC", "none", threads: 2)));
            guests.Add(new("e-hm4", 4, OpsGuest.HostModel(cores: 2, threads: 2)));
        }

        return guests;
    }

    /// <summary>Runs the check on nodes that are up.</summary>
    /// <param name="lab">The lab.</param>
    /// <param name="core">The core subset.</param>
    public static void Run(OpsLab lab, bool core)
    {
        var nodes = Nodes(core).ToDictionary(n => n.Name, StringComparer.Ordinal);
        foreach (var g in Guests(core))
        {
            if (lab.Define(Host, g) is { } refused)
            {
                Console.Error.WriteLine($"ops: {g.Name} does not start on {Host.Name}: {refused}");
            }
        }

        var capture = lab.Capture("evacuate", nodes.Values.Select(n => (n, 16)));
        var fleet = RunningFleet.Load(capture);
        var plan = Evacuation.Plan(fleet, Host.Name);
        using (var report = new StreamWriter(Path.Combine(lab.Work, "evacuate.txt")))
        {
            EvacuationReport.Write(plan, report);
        }

        var before = plan.Guests.ToDictionary(g => g.Domain.Name, g => Virsh.ReadVcpus(Host.Uri, g.Domain.Name), StringComparer.Ordinal);
        foreach (var command in plan.Commands)
        {
            var g = plan.Guests.First(x => x.PlacedOn is { } at && Evacuation.MigrateCommand(plan.Host, x.Domain.Name, fleet.Find(at)) == command);
            var (cls, text) = OpsLab.Outcome(lab.RunPlanCommand(command), before[g.Domain.Name], g.Domain.Name, nodes[g.PlacedOn!]);
            lab.Judge("evacuate", $"plan: {g.Domain.Name} {Host.Name} → {g.PlacedOn}", "SAFE", text, cls == "SAFE");
        }

        foreach (var g in plan.Guests.Where(g => g.ValidTargets.IsEmpty))
        {
            Refusals(lab, g, nodes, before[g.Domain.Name]);
            ColdRestarts(lab, g, nodes, capture);
        }
    }

    /// <summary>A guest with no valid target: tried on every node that refuses it.</summary>
    private static void Refusals(OpsLab lab, EvacuationGuest g, Dictionary<string, LabNode> nodes, List<Vcpu> before)
    {
        foreach (var r in g.Refused)
        {
            foreach (var name in r.Nodes)
            {
                var to = nodes[name];
                var result = lab.Migrate(g.Domain.Name, Host, to);
                var (cls, text) = OpsLab.Outcome(result, before, g.Domain.Name, to);
                var predicted = MigrationVerdict.Name(r.Move.Verdict);
                var agrees = cls == predicted && (cls != "BLOCKED" || OpsLab.SameNames(result.Message, r.Move.Cpu.Names));
                lab.Judge("evacuate", $"no target: {g.Domain.Name} {Host.Name} → {name}", $"{predicted} at {r.Move.Step} ({string.Join(",", r.Move.Cpu.Names)})", text, agrees);
                if (result.Ok)
                {
                    lab.Migrate(g.Domain.Name, to, Host);
                }
            }
        }
    }

    /// <summary>A guest with no valid target: its inactive definition, as captured, started where evacuate says it starts or is refused.</summary>
    private static void ColdRestarts(OpsLab lab, EvacuationGuest g, Dictionary<string, LabNode> nodes, string capture)
    {
        var file = Path.Combine(capture, "domains", Host.Name, FleetDomain.InactiveFolder, FleetCapture.FileNameOf(g.Domain.Name));
        foreach (var o in g.ColdRestarts)
        {
            foreach (var name in o.Nodes)
            {
                var refused = OpsLab.TryStart(nodes[name], file, g.Domain.Name);
                lab.Judge("evacuate", $"cold restart: {g.Domain.Name} on {name}{(o.FromInactive ? "" : " (no inactive definition captured)")}", o.Starts ? "starts" : $"refused at {o.Step}", refused is null ? "started" : "refused: " + refused, o.Starts == (refused is null));
            }
        }
    }
}
