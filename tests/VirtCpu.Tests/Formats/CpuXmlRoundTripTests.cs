using VirtCpu.Cpu;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Tests.Formats;

/// <summary>Every CPU definition that libvirt's tests expect as output round-trips byte for byte.</summary>
public sealed class CpuXmlRoundTripTests(ITestOutputHelper output)
{
    /// <summary>
    /// True for libvirt's expected-output files (decode, guest, update, baseline results); false for
    /// its hand-written inputs, which use attribute orders, comments or shorthand libvirt never prints.
    /// </summary>
    /// <param name="name">The file name.</param>
    /// <returns>Whether libvirt's formatter wrote the file.</returns>
    internal static bool IsExpectedOutput(string name) =>
        name.StartsWith("x86_64-cpuid-", StringComparison.Ordinal)
        || (name.Contains('+', StringComparison.Ordinal) && !name.StartsWith("x86_64-baseline-", StringComparison.Ordinal))
        || name.EndsWith("-result.xml", StringComparison.Ordinal)
        || name.EndsWith("-expanded.xml", StringComparison.Ordinal)
        || name.EndsWith("-migratable.xml", StringComparison.Ordinal);

    /// <summary>The x86_64 files holding CPU definitions (not <c>&lt;cpudata&gt;</c>).</summary>
    /// <param name="dir">The test data folder.</param>
    /// <returns>The paths, sorted.</returns>
    internal static IEnumerable<string> CpuDefinitionFiles(string dir) =>
        Directory.GetFiles(dir, "x86_64-*.xml")
            .Where(f =>
            {
                var text = File.ReadAllText(f);
                return !text.Contains("<cpudata", StringComparison.Ordinal);
            })
            .Order(StringComparer.Ordinal);

    [Fact]
    public void Expected_outputs_round_trip_byte_for_byte()
    {
        var dir = SharedData.Require("libvirt-11.3/cputestdata");
        var passed = 0;
        var failures = new List<string>();
        foreach (var path in CpuDefinitionFiles(dir).Where(p => IsExpectedOutput(Path.GetFileName(p))))
        {
            var name = Path.GetFileName(path);
            var text = File.ReadAllText(path);
            string formatted;
            try
            {
                // Decode creates host CPUs with mode custom, so their <model> prints; libvirt's
                // parser would give them no mode (see CpuXmlParseOptions.HostModelAsCustom).
                var options = name.EndsWith("-host.xml", StringComparison.Ordinal) ? CpuXmlParseOptions.HostModelAsCustom : CpuXmlParseOptions.None;
                formatted = CpuXml.Format(CpuXml.Parse(text, name, null, options));
            }
            catch (InputException e)
            {
                formatted = "ERROR " + e.Message;
            }

            if (formatted == text)
            {
                passed++;
            }
            else
            {
                failures.Add(name + "\n" + formatted);
            }
        }

        output.WriteLine($"{passed} expected-output CPU definition files round-trip byte for byte");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(150, passed);
    }

    [Fact]
    public void Hand_written_inputs_parse_and_their_round_trip_is_reported()
    {
        var dir = SharedData.Require("libvirt-11.3/cputestdata");
        var same = new List<string>();
        var different = new List<string>();
        var guests = 0;
        foreach (var path in CpuDefinitionFiles(dir).Where(p => !IsExpectedOutput(Path.GetFileName(p))))
        {
            var name = Path.GetFileName(path);
            var text = File.ReadAllText(path);

            // cputest loads baseline inputs (<cpuTest> lists) as host CPUs, everything else with type auto.
            var cpus = text.StartsWith("<cpuTest>", StringComparison.Ordinal)
                ? CpuXml.ParseAll(text, name, CpuType.Host)
                : [CpuXml.Parse(text, name)];
            Assert.NotEmpty(cpus);
            var formatted = string.Concat(cpus.Select(c => CpuXml.Format(c)));
            (formatted == text ? same : different).Add(name);

            // A guest definition's formatted text reads back to the same text: formatting is a fixed
            // point. (A host definition read without a mode prints no <model>, as libvirt's does, so
            // its formatted text is not a definition of the same CPU.)
            if (cpus is [{ Type: CpuType.Guest }] && !text.StartsWith("<cpuTest>", StringComparison.Ordinal))
            {
                guests++;
                Assert.Equal(formatted, CpuXml.Format(CpuXml.Parse(formatted, name)));
            }
        }

        output.WriteLine($"hand-written inputs: {same.Count} happen to round-trip ({string.Join(' ', same)}); {different.Count} do not (not expected): {string.Join(' ', different)}");
        Assert.Equal(["x86_64-exact-force-Haswell.xml", "x86_64-host-passthrough-features.xml", "x86_64-host-passthrough.xml"], same);
        Assert.Equal(43, different.Count);
        Assert.Equal(30, guests);
    }
}
