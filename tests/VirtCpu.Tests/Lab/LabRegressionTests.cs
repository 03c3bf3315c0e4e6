using System.Text.Json.Nodes;
using VirtCpu.Lab;

namespace VirtCpu.Tests.Lab;

/// <summary>
/// What real libvirt 9.0/QEMU 7.2, 11.3/10.0 and 12.8/11.1 daemons did in the lab (exported by
/// <c>lab/run --export-fixtures</c>), held against the model without daemons: every start and every
/// migration hop must be predicted as it really went.
/// </summary>
public class LabRegressionTests
{
    private static readonly string Fixtures = Path.Combine(SharedData.RepoRoot, "tests", "VirtCpu.Tests", "Fixtures", "lab");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "outcomes.json")))!.AsArray())
        {
            data.Add((string)c!["id"]!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Prediction_agrees_with_the_real_daemons(string id)
    {
        var c = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "outcomes.json")))!.AsArray().Single(x => (string)x!["id"]! == id)!;
        var route = c["route"]!.AsArray().Select(n => new LabNode((string)n!, "recorded")).ToList();
        var labCase = new LabCase(id, new LabGuest((string)c["guest"]!, ""), Topology.One, route[0], route.Skip(1).ToList(), Core: false);
        var real = new CaseReality
        {
            Id = id,
            DomainXml = (string)c["domain"]!,
            Start = new StartReality { Ok = (bool)c["started"]!, Error = (string?)c["error"], LiveCpu = (string?)c["live"] },
            Hops = [.. c["hops"]!.AsArray().Select(h => new HopReality
            {
                To = (string)h!["to"]!,
                Ok = (string)h["outcome"]! != "BLOCKED",
                Error = (string?)h["error"],
                LiveCpu = (string?)h["live"],
                Changes = (string)h["outcome"]! == "UNSAFE" ? ["changed"] : [],
            })],
        };
        var judgements = new Prediction(Fixtures).Judge(labCase, real);
        var wrong = judgements.Where(j => !j.Agrees).Select(j => $"{j.Step}: real {j.Real} | predicted {j.Predicted} | {j.Note}").ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.Equal(1 + real.Hops.Count, judgements.Count);
    }
}
