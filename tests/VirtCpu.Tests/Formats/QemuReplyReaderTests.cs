using VirtCpu.Formats.QemuData;
using VirtCpu.Qemu;

namespace VirtCpu.Tests.Formats;

public sealed class QemuReplyReaderTests(ITestOutputHelper output)
{
    private const string Expansion = """
        {
          "return": {
            "model": {
              "name": "base",
              "props": {
                "sse4.2": true,
                "vmx": false,
                "vendor": "GenuineIntel",
                "family": 6,
                "model-id": "Hand-made CPU",
                "tsc-frequency": 2.5e9,
                "level": 13,
                "list": [1, 2]
              }
            }
          },
          "id": "model-expansion"
        }
        """;

    private const string Definitions = """
        {
          "return": [
            {
              "name": "Haswell",
              "typename": "Haswell-x86_64-cpu",
              "unavailable-features": ["hle", "rtm"],
              "static": false,
              "migration-safe": true
            },
            {
              "name": "max",
              "typename": "max-x86_64-cpu",
              "unavailable-features": [],
              "static": false,
              "migration-safe": false
            },
            {
              "name": "EPYC",
              "typename": "EPYC-x86_64-cpu",
              "alias-of": "EPYC-v1",
              "static": false,
              "migration-safe": true,
              "deprecated": true
            }
          ],
          "id": "definitions"
        }
        """;

    [Fact]
    public void Reads_the_expansion_with_props_in_file_order()
    {
        var file = QemuReplyReader.Parse(Expansion, "one.json");
        Assert.Null(file.Definitions);
        Assert.Equal("base", file.Expansion.Name);
        Assert.Equal(["sse4.2", "vmx", "vendor", "family", "model-id", "tsc-frequency", "level", "list"], file.Expansion.Props.Select(p => p.Key));
        var props = file.Expansion.Props.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(new QemuValue(QemuValueKind.Boolean, Boolean: true), props["sse4.2"]);
        Assert.False(props["vmx"].Boolean);
        Assert.Equal("GenuineIntel", props["vendor"].Text);
        Assert.Equal(6, props["family"].Number);
        Assert.Equal("6", props["family"].Text);
        Assert.True(props["family"].IsInteger);
        Assert.Equal("2.5e9", props["tsc-frequency"].Text);
        Assert.False(props["tsc-frequency"].IsInteger);
        Assert.Equal(QemuValueKind.Other, props["list"].Kind);
    }

    [Fact]
    public void Reads_both_replies_separated_by_a_blank_line()
    {
        var file = QemuReplyReader.Parse(Expansion + "\n\n" + Definitions + "\n", "two.json");
        var defs = file.Definitions!.Value;
        Assert.Equal(["Haswell", "max", "EPYC"], defs.Select(d => d.Name));
        Assert.Equal(["hle", "rtm"], defs[0].UnavailableFeatures!.Value);
        Assert.Empty(defs[1].UnavailableFeatures!.Value);
        Assert.Null(defs[2].UnavailableFeatures);
        Assert.Equal("EPYC-v1", defs[2].AliasOf);
        Assert.True(defs[2].Deprecated);
        Assert.True(defs[0].MigrationSafe);
        Assert.Equal("Haswell-x86_64-cpu", defs[0].Typename);
    }

    [Theory]
    [InlineData("", "empty file")]
    [InlineData("  \n\n", "empty file")]
    [InlineData("{\"return\": {\"model\": {\"name\": \"base\", \"props\": {\"a\": tru", "malformed JSON")]
    [InlineData("{\"return\": {\"model\": {\"name\": \"base\"}}", "malformed JSON")]
    [InlineData("[1, 2]", "expected a JSON object")]
    [InlineData("{\"return\": [] }", "not a query-cpu-model-expansion reply")]
    [InlineData("{\"id\": 1}", "has no \"return\" member")]
    [InlineData("{\"error\": {\"class\": \"GenericError\", \"desc\": \"CPU model 'x' not found\"}}", "QMP reply 1 is an error: CPU model 'x' not found")]
    [InlineData("{\"return\": {\"model\": {\"props\": {}}}}", "no string \"name\"")]
    [InlineData("{\"return\": {\"model\": {\"name\": \"base\", \"props\": 3}}}", "\"props\" of the expanded model is not an object")]
    [InlineData("{\"return\": {\"model\": {\"name\": \"base\"}}}\n{\"return\": {}}", "not a query-cpu-definitions reply")]
    [InlineData("{\"return\": {\"model\": {\"name\": \"base\"}}}\n{\"return\": [{\"typename\": \"x\"}]}", "CPU definition 1 has no \"name\"")]
    [InlineData("{\"return\": {\"model\": {\"name\": \"base\"}}}\n{\"return\": [{\"name\": \"x\", \"unavailable-features\": \"a\"}]}", "is not an array")]
    [InlineData("{\"return\": {\"model\": {\"name\": \"base\"}}}\n{\"return\": [{\"name\": \"x\", \"static\": 1}]}", "\"static\" of x is not a boolean")]
    [InlineData("{\"return\": {\"model\": {\"name\": \"base\"}}}\n{\"return\": []}\n{\"return\": []}", "found 3")]
    [InlineData("{\"return\": {\"model\": {\"name\": \"base\"}}} // comment", "malformed JSON")]
    public void Rejects_bad_input_with_file_and_problem(string json, string problem)
    {
        var e = Assert.Throws<InputException>(() => QemuReplyReader.Parse(json, "bad.json"));
        Assert.Equal("bad.json", e.File);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_names_the_line()
    {
        var e = Assert.Throws<InputException>(() => QemuReplyReader.Parse("{\n  \"return\": {\n    \"model\": ,\n", "bad.json"));
        Assert.StartsWith("bad.json: line 3: malformed JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_reference_json_file_parses()
    {
        var dir = SharedData.Require("libvirt-11.3/cputestdata");
        var files = Directory.GetFiles(dir, "x86_64-cpuid-*.json").Order(StringComparer.Ordinal).ToList();
        var withDefinitions = 0;
        foreach (var f in files)
        {
            var reply = QemuReplyReader.Parse(File.ReadAllBytes(f), Path.GetFileName(f));
            Assert.NotEmpty(reply.Expansion.Props);
            Assert.Contains(reply.Expansion.Props, p => p.Key == "vendor" && p.Value.Kind == QemuValueKind.Text);
            if (reply.Definitions is { } defs)
            {
                Assert.NotEmpty(defs);
                withDefinitions++;
            }
        }

        output.WriteLine($"{files.Count} QEMU reply files parsed, {withDefinitions} with query-cpu-definitions");
        // ../shared/reference/libvirt-11.3 holds 35 reply files, 16 of them with the model list.
        Assert.Equal((35, 16), (files.Count, withDefinitions));
    }
}
