using System.Text.Json;
using System.Text.Json.Nodes;

namespace VirtCpu.Lab;

/// <summary>
/// Writes what the lab saw as test fixtures (<c>tests/VirtCpu.Tests/Fixtures/lab/</c>): the captured
/// node profiles with their domain capabilities, and per case the domain XML, the route and the real
/// outcome of the start and of every hop, so the test suite holds the model against reality without daemons.
/// </summary>
internal static class FixtureExport
{
    /// <summary>Writes the fixtures.</summary>
    /// <param name="judged">The judged cases.</param>
    /// <param name="profiles">The folder of captured profiles.</param>
    /// <param name="target">The fixture folder.</param>
    public static void Write(IEnumerable<(LabCase Case, CaseReality Real)> judged, string profiles, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var f in Directory.GetFiles(profiles).Order(StringComparer.Ordinal))
        {
            if (f.EndsWith("-domcaps.xml", StringComparison.Ordinal) && IsEditedMap(Path.Combine(profiles, Path.GetFileName(f)[..^"-domcaps.xml".Length] + ".json")))
            {
                continue;
            }

            var text = File.ReadAllText(f);
            if (f.EndsWith(".json", StringComparison.Ordinal))
            {
                var o = JsonNode.Parse(text)!.AsObject();
                o.Remove("captured-from");
                if (o["catalog"] is JsonObject)
                {
                    continue; // edited maps live outside the repository
                }

                text = o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
            }

            File.WriteAllText(Path.Combine(target, Path.GetFileName(f)), text);
        }

        var cases = new JsonArray();
        foreach (var (c, real) in judged)
        {
            if (c.Source.MapEdit is not null || c.Hops.Any(h => h.MapEdit is not null))
            {
                continue;
            }

            var hops = new JsonArray();
            foreach (var h in real.Hops)
            {
                hops.Add(new JsonObject
                {
                    ["to"] = h.To,
                    ["outcome"] = !h.Ok ? "BLOCKED" : h.Changes.Count == 0 ? "SAFE" : "UNSAFE",
                    ["error"] = h.Error,
                    ["live"] = h.LiveCpu,
                });
            }

            cases.Add(new JsonObject
            {
                ["id"] = c.Id,
                ["guest"] = c.Guest.Name,
                ["topology"] = c.Topology.Label,
                ["route"] = new JsonArray([.. c.Hops.Prepend(c.Source).Select(n => (JsonNode)JsonValue.Create(n.Name)!)]),
                ["domain"] = real.DomainXml,
                ["started"] = real.Start.Ok,
                ["error"] = real.Start.Error,
                ["live"] = real.Start.LiveCpu,
                ["hops"] = hops,
            });
        }

        WriteOutcomes(cases, target);
    }

    private static bool IsEditedMap(string profile) => File.Exists(profile) && JsonNode.Parse(File.ReadAllText(profile))!["catalog"] is JsonObject;

    private static void WriteOutcomes(JsonArray cases, string target)
    {
        File.WriteAllText(Path.Combine(target, "outcomes.json"), cases.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
