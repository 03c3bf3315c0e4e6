using System.Text.RegularExpressions;

namespace VirtCpu.Tests.Architecture;

/// <summary>
/// Enforces the floor plan of <c>docs/design.md#2-floors-and-data-flow</c>: a file of the library imports only
/// from its own floor or below, and the two floor-3 neighbours (Formats, Engine) stay apart.
/// </summary>
public partial class FloorPlanTests
{
    private static readonly Dictionary<string, int> Floors = new(StringComparer.Ordinal)
    {
        [""] = 0,
        ["Catalog"] = 1,
        ["Cpuid"] = 2,
        ["Cpu"] = 2,
        ["Qemu"] = 2,
        ["Formats"] = 3,
        ["Engine"] = 3,
        ["Migration"] = 4,
        ["Conformance"] = 4,
        ["Live"] = 4,
        ["Evolution"] = 5,
        ["Fleet"] = 5,
        ["Operations"] = 5,
    };

    [Fact]
    public void Library_imports_only_downward()
    {
        var src = Path.Combine(SharedData.RepoRoot, "src", "VirtCpu");
        var violations = new List<string>();
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(src, file);
            if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal))
            {
                continue;
            }

            var area = relative.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) ? relative[..relative.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal)] : "";
            Assert.True(Floors.ContainsKey(area), $"{relative}: folder '{area}' has no floor in docs/design.md; add it to the plan (and to this test)");
            var floor = Floors[area];
            var code = string.Join('\n', File.ReadLines(file).Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
            foreach (Match m in Reference().Matches(code))
            {
                var target = m.Groups[1].Value;
                if (!Floors.TryGetValue(target, out var targetFloor) || target == area)
                {
                    continue;
                }

                var sideways = (area, target) is ("Engine", "Formats") or ("Formats", "Engine");
                if (targetFloor > floor || sideways)
                {
                    violations.Add($"{relative} (floor {floor}, {area}) uses VirtCpu.{target} (floor {targetFloor})");
                }
            }
        }

        Assert.True(violations.Count == 0, "imports running up the floors:\n" + string.Join('\n', violations.Distinct()));
    }

    [Fact]
    public void Formats_are_grouped_by_ecosystem_with_namespaces_that_match_their_folders()
    {
        // docs/design.md section 2: one folder per ecosystem, nothing loose in Formats/ itself.
        string[] ecosystems = ["HostCaptures", "Input", "LibvirtXml", "NodeProfiles", "ProjectFiles", "QemuData"];
        var formats = Path.Combine(SharedData.RepoRoot, "src", "VirtCpu", "Formats");
        Assert.Empty(Directory.GetFiles(formats, "*.cs").Select(Path.GetFileName));
        Assert.Equal(ecosystems, Directory.GetDirectories(formats).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var misplaced = new List<string>();
        foreach (var file in Directory.EnumerateFiles(formats, "*.cs", SearchOption.AllDirectories))
        {
            var folder = Path.GetRelativePath(formats, Path.GetDirectoryName(file)!).Replace(Path.DirectorySeparatorChar, '.');
            var expected = $"namespace VirtCpu.Formats.{folder};";
            if (!File.ReadLines(file).Any(l => l == expected))
            {
                misplaced.Add($"{Path.GetRelativePath(formats, file)}: expected '{expected}'");
            }
        }

        Assert.True(misplaced.Count == 0, string.Join('\n', misplaced));
    }

    [Fact]
    public void Cli_holds_no_algorithms()
    {
        // The CLI is floor 6: it may use anything, but it must not grow its own engines. A cheap
        // proxy: no command file is longer than a screenful or two.
        var cli = Path.Combine(SharedData.RepoRoot, "src", "VirtCpu.Cli", "Commands");
        var tooLong = Directory.EnumerateFiles(cli, "*.cs")
            .Select(f => (File: Path.GetFileName(f), Lines: File.ReadAllLines(f).Length))
            .Where(f => f.Lines > 300)
            .Select(f => $"{f.File}: {f.Lines} lines")
            .ToList();
        Assert.True(tooLong.Count == 0, "command files that look like they hold logic:\n" + string.Join('\n', tooLong));
    }

    [GeneratedRegex(@"\bVirtCpu\.(Catalog|Cpuid|Cpu|Qemu|Formats|Engine|Migration|Conformance|Live|Evolution|Fleet|Operations)\b")]
    private static partial Regex Reference();
}
