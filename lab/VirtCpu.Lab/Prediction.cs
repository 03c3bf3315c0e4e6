using System.Text.RegularExpressions;
using VirtCpu.Cpu;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Migration;

namespace VirtCpu.Lab;

/// <summary>How a prediction compares with what really happened.</summary>
/// <param name="Step">The step: <c>start</c> or <c>hop N</c>.</param>
/// <param name="Real">What happened, in a few words.</param>
/// <param name="Predicted">What VirtCpu said, in a few words.</param>
/// <param name="Agrees">Whether they agree.</param>
/// <param name="Note">Why not, when they do not.</param>
internal sealed record Judgement(string Step, string Real, string Predicted, bool Agrees, string Note = "");

/// <summary>Predicts a case from the captured node profiles and compares it with reality.</summary>
/// <param name="profiles">The folder of captured node profiles (<c>NODE.json</c>).</param>
internal sealed partial class Prediction(string profiles)
{
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);

    /// <summary>Judges one case: the start, then every hop.</summary>
    /// <param name="c">The case.</param>
    /// <param name="real">What happened.</param>
    /// <returns>One judgement per step.</returns>
    public List<Judgement> Judge(LabCase c, CaseReality real)
    {
        var domain = LibvirtDomain.Parse(real.DomainXml, c.Id + ".xml");
        var source = NodeOf(c.Source);
        var machine = domain.MachineIsAlias ? null : domain.Machine;
        var start = GuestStarter.Start(domain.Cpu, source, machine);
        var list = new List<Judgement> { JudgeStart(real.Start, start) };
        if (!real.Start.Ok || !start.Succeeded)
        {
            return list;
        }

        var verdicts = MigrationCheck.CheckRoute(domain.Cpu, [source, .. c.Hops.Select(NodeOf)], machine);
        for (var i = 0; i < Math.Max(real.Hops.Count, verdicts.Count); i++)
        {
            var hop = i < real.Hops.Count ? real.Hops[i] : null;
            var verdict = i < verdicts.Count ? verdicts[i] : null;
            list.Add(JudgeHop(i + 1, hop, verdict));
        }

        return list;
    }

    private Node NodeOf(LabNode node)
    {
        if (!_nodes.TryGetValue(node.Name, out var n))
        {
            n = Node.Resolve(NodeProfileReader.Read(Path.Combine(profiles, node.Name + ".json")));
            _nodes[node.Name] = n;
        }

        return n;
    }

    private static Judgement JudgeStart(StartReality real, GuestStart predicted)
    {
        var realText = real.Ok ? "started" : "refused: " + real.Error;
        var predictedText = predicted.Succeeded ? "started" : $"refused at {GuestStart.StepName(predicted.Step)}: {predicted.Reason}";
        if (real.Ok != predicted.Succeeded)
        {
            return new Judgement("start", realText, predictedText, false, "outcome differs");
        }

        if (!real.Ok)
        {
            var realNames = FeaturesNamed(real.Error ?? "");
            var predictedNames = new SortedSet<string>([.. predicted.Missing, .. predicted.Extra, .. predicted.Unknown], StringComparer.Ordinal);
            var agrees = realNames.Count == 0 || realNames.SetEquals(predictedNames);
            return new Judgement("start", realText, predictedText, agrees, agrees ? "" : $"features named differ: real {string.Join(",", realNames)}, predicted {string.Join(",", predictedNames)}");
        }

        var realLive = CpuXml.Parse(real.LiveCpu!, "live", CpuType.Guest);
        var diff = LiveDifference(realLive, predicted.LiveDefinition!);
        return new Judgement("start", realText, predictedText + " " + Describe(predicted.LiveDefinition!), diff.Length == 0, diff);
    }

    private static Judgement JudgeHop(int n, HopReality? real, MigrationVerdict? verdict)
    {
        var step = $"hop {n}";
        if (real is null || verdict is null)
        {
            return new Judgement(step, real is null ? "not tried" : HopText(real), verdict is null ? "not predicted" : VerdictText(verdict), false, "the route ended at different hops");
        }

        var realClass = !real.Ok ? "BLOCKED" : real.Changes.Count == 0 ? "SAFE" : "UNSAFE";
        var predictedClass = verdict.Verdict switch { Verdict.Safe => "SAFE", Verdict.Blocked => "BLOCKED", Verdict.Unsafe => "UNSAFE", _ => "SOURCE-FAILS" };
        if (realClass != predictedClass)
        {
            return new Judgement(step, HopText(real), VerdictText(verdict), false, "verdict differs");
        }

        if (real.DomainCheck is { } live && live != realClass)
        {
            return new Judgement(step, HopText(real), VerdictText(verdict), false, $"virtcpu migrate-check --domain said {live}");
        }

        if (realClass == "BLOCKED" && (real.Error ?? "").Contains("machine type", StringComparison.Ordinal)
            && (verdict.Step != StartStep.Hypervisor || verdict.Destination?.Unknown.Contains(verdict.Source.Machine) != true))
        {
            return new Judgement(step, HopText(real), VerdictText(verdict), false, "real refusal is the machine type; predicted another step");
        }

        if (realClass == "BLOCKED")
        {
            var realNames = FeaturesNamed(real.Error ?? "");
            var predictedNames = new SortedSet<string>(verdict.Names, StringComparer.Ordinal);
            if (realNames.Count > 0 && !realNames.SetEquals(predictedNames))
            {
                return new Judgement(step, HopText(real), VerdictText(verdict), false, $"features named differ: real {string.Join(",", realNames)}, predicted {string.Join(",", predictedNames)}");
            }
        }

        if (realClass == "SAFE" && real.LiveCpu is { } liveText && verdict.Destination?.LiveDefinition is { } predictedLive)
        {
            var diff = LiveDifference(CpuXml.Parse(liveText, "live", CpuType.Guest), predictedLive);
            if (diff.Length > 0)
            {
                return new Judgement(step, HopText(real), VerdictText(verdict), false, "destination live definition: " + diff);
            }
        }

        return new Judgement(step, HopText(real), VerdictText(verdict), true);
    }

    /// <summary>The differences between a real and a predicted live definition (model, check, explicit features), or empty.</summary>
    private static string LiveDifference(CpuDefinition real, CpuDefinition predicted)
    {
        var parts = new List<string>();
        if (real.Model != predicted.Model)
        {
            parts.Add($"model {real.Model} vs {predicted.Model}");
        }

        if (real.Check != predicted.Check)
        {
            parts.Add($"check {real.Check} vs {predicted.Check}");
        }

        var r = real.Features.Select(f => $"{f.Policy?.ToString().ToLowerInvariant()} {f.Name}").ToHashSet(StringComparer.Ordinal);
        var p = predicted.Features.Select(f => $"{f.Policy?.ToString().ToLowerInvariant()} {f.Name}").ToHashSet(StringComparer.Ordinal);
        var onlyReal = r.Except(p).Order(StringComparer.Ordinal).ToList();
        var onlyPredicted = p.Except(r).Order(StringComparer.Ordinal).ToList();
        if (onlyReal.Count > 0)
        {
            parts.Add("only real: " + string.Join(", ", onlyReal));
        }

        if (onlyPredicted.Count > 0)
        {
            parts.Add("only predicted: " + string.Join(", ", onlyPredicted));
        }

        return string.Join("; ", parts);
    }

    private static string Describe(CpuDefinition live) =>
        $"({live.Model}{string.Concat(live.Features.Select(f => $" {(f.Policy == FeaturePolicy.Disable ? "-" : "+")}{f.Name}"))})";

    private static string HopText(HopReality real) =>
        !real.Ok ? "refused: " + real.Error : real.Changes.Count == 0 ? "migrated, vCPU unchanged" : "migrated, vCPU changed: " + string.Join("; ", real.Changes);

    private static string VerdictText(MigrationVerdict v) => v.Verdict switch
    {
        Verdict.Safe => "SAFE",
        Verdict.Blocked => $"BLOCKED at {GuestStart.StepName(v.Step)}: {string.Join(", ", v.Names)}",
        Verdict.Unsafe => $"UNSAFE: {v.Reason}",
        _ => "SOURCE-FAILS: " + v.Reason,
    };

    /// <summary>The feature names a libvirt error lists after "features: " (empty when it lists none).</summary>
    internal static SortedSet<string> FeaturesNamed(string error)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match m in FeatureListRegex().Matches(error))
        {
            foreach (var name in m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                set.Add(name);
            }
        }

        var model = UnknownModelRegex().Match(error);
        if (model.Success)
        {
            set.Add(model.Groups[1].Value);
        }

        return set;
    }

    [GeneratedRegex(@"features: ([A-Za-z0-9_.\-]+(?:, ?(?!missing |extra )[A-Za-z0-9_.\-]+)*)")]
    private static partial Regex FeatureListRegex();

    [GeneratedRegex(@"Unknown CPU model ([A-Za-z0-9_.\-]+)")]
    private static partial Regex UnknownModelRegex();
}
