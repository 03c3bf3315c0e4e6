using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using VirtCpu.Cpu;
using VirtCpu.Engine;
using VirtCpu.Fleet;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Formats.ProjectFiles;
using Xunit;

namespace VirtCpu.Tests.Fleet;

/// <summary>The fleet view on libvirt 11.3's reference hosts (issue 7 proof).</summary>
public sealed partial class FleetTests
{
    private const string Machine = "pc-q35-9.2";

    /// <summary>Copies the reference hosts (<c>x86_64-cpuid-NAME.xml</c>, raw CPUID only) into a new temp directory, one file per host.</summary>
    internal static string ReferenceFleet(Func<string, string, string>? edit = null, string? into = null)
    {
        var data = SharedData.Require("libvirt-11.3/cputestdata");
        var dir = into ?? Directory.CreateTempSubdirectory("virtcpu-fleet-").FullName;
        foreach (var f in Directory.GetFiles(data, "x86_64-cpuid-*.xml"))
        {
            var name = Path.GetFileNameWithoutExtension(f)["x86_64-cpuid-".Length..];
            if (name.StartsWith("baseline-", StringComparison.Ordinal) || name.EndsWith("-host", StringComparison.Ordinal) || name.EndsWith("-guest", StringComparison.Ordinal)
                || name.EndsWith("-enabled", StringComparison.Ordinal) || name.EndsWith("-disabled", StringComparison.Ordinal) || name.EndsWith("-json", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(f);
            File.WriteAllText(Path.Combine(dir, name + ".xml"), edit is null ? text : edit(name, text));
        }

        return dir;
    }

    internal static FleetReport Report(string dir, string catalogName = "libvirt-11.3")
    {
        var catalog = BuiltInCatalogs.Get(catalogName);
        var hypervisor = BuiltInHypervisors.Get("10.0");
        var input = FleetInput.Load(dir, catalog, hypervisor, Machine, withNodes: true);
        return FleetReport.Compute(catalog, hypervisor, input.Hosts, input.Skipped);
    }

    private static CpuDefinition GuestOf(string model) =>
        CpuXml.Parse($"<cpu mode='custom' match='exact'><model>{model}</model></cpu>", "guest", CpuType.Guest);

    [Fact]
    public void EveryCellAgreesWithCompare()
    {
        var report = Report(ReferenceFleet());
        Assert.Equal(41, report.Hosts.Length);
        var comparer = new CpuComparer(report.Catalog);
        var cells = 0;
        for (var i = 0; i < report.Hosts.Length; i++)
        {
            var host = report.Hosts[i].HostCpu;
            for (var m = 0; m < report.Matrix.Models.Length; m++)
            {
                var model = report.Matrix.Models[m];
                var r = comparer.Compare(host, GuestOf(model.Name));
                Assert.True(r.IsCompatible == report.Matrix.IsUsable(i, m), $"{report.Hosts[i].Name} × {model.Name}: compare {r.Result} ({r.Message}), matrix {report.Matrix.IsUsable(i, m)}");
                if (!r.IsCompatible)
                {
                    Assert.Equal("Host CPU does not provide required features: " + string.Join(", ", report.Matrix.BlockerNames(i, m)), r.Message);
                }

                cells++;
            }
        }

        Assert.Equal(41 * 150, cells);
    }

    [Fact]
    public void PoolBaselineIsUsableOnEveryMember()
    {
        var report = Report(ReferenceFleet());
        var comparer = new CpuComparer(report.Catalog);
        Assert.NotEmpty(report.Pools);
        foreach (var pool in report.Pools.Concat(report.Vendors.Select(v => new CompatibilityPool(v.Vendor, v.Hosts, null, v.Baseline, v.BaselineError, v.Level, [], null))))
        {
            Assert.True(pool.Baseline is not null, pool.BaselineError);
            foreach (var i in pool.Hosts)
            {
                var r = comparer.Compare(report.Hosts[i].HostCpu, pool.Baseline!);
                Assert.True(r.Result is CpuCompareResult.Identical or CpuCompareResult.Superset, $"{report.Hosts[i].Name}: {r.Message}");
            }

            if (pool.Model is { } model)
            {
                Assert.All(pool.Hosts, i => Assert.True(report.Matrix.IsUsable(i, model.Index)));
            }

            if (pool.Gain is { } gain)
            {
                Assert.NotEmpty(pool.HeldBackBy);
                Assert.All(pool.Hosts.Except(pool.HeldBackBy), i => Assert.True(report.Matrix.IsUsable(i, gain.Index)));
            }
        }

        // Every host is in exactly one pool.
        Assert.Equal(report.Hosts.Length, report.Pools.Sum(p => p.Hosts.Length));
    }

    [GeneratedRegex("(<cpuid eax_in='0x00000007' ecx_in='0x00' eax='0x[0-9a-f]+' ebx=')(0x[0-9a-f]+)(')")]
    private static partial Regex Leaf7Ebx();

    // TSX disabled by microcode: clear hle (leaf 7 EBX bit 4) and rtm (bit 11).
    private static string WithoutTsx(string name, string text) =>
        name is "Xeon-E7-8890-v3" or "Xeon-E5-2630-v4" or "Xeon-Gold-6130"
            ? Leaf7Ebx().Replace(text, m => m.Groups[1].Value + "0x" + (uint.Parse(m.Groups[2].Value[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) & ~((1u << 4) | (1u << 11))).ToString("x8", CultureInfo.InvariantCulture) + m.Groups[3].Value)
            : text;

    [Fact]
    public void DriftReportsTsxModelsThatBecameUnusable()
    {
        var before = Report(ReferenceFleet());
        var after = Report(ReferenceFleet(WithoutTsx));
        var guests = new[] { ("haswell", CpuXml.Parse("<cpu mode='custom' match='exact' check='partial'><model>Haswell</model></cpu>", "g", CpuType.Guest)) };
        var drift = FleetDrift.Compute(before, after, guests);
        var changed = drift.Hosts.Where(h => !h.IsEmpty).ToDictionary(h => h.Name);
        Assert.Equal(["Xeon-E5-2630-v4", "Xeon-E7-8890-v3", "Xeon-Gold-6130"], changed.Keys.Order(StringComparer.Ordinal));
        foreach (var h in changed.Values)
        {
            Assert.Equal(["hle", "rtm"], h.Lost.Order(StringComparer.Ordinal));
            Assert.Empty(h.Gained);
            Assert.All(h.NowUnusable, m => Assert.True(before.Catalog.FindModel(m)!.Features.Overlaps(before.Catalog.SetOf(["hle", "rtm"])), m));
        }

        Assert.Contains("Haswell", changed["Xeon-E7-8890-v3"].NowUnusable);
        Assert.Contains("Broadwell", changed["Xeon-E5-2630-v4"].NowUnusable);
        Assert.Contains("Skylake-Server", changed["Xeon-Gold-6130"].NowUnusable);
        Assert.Contains(drift.NoLongerStart, s => s.Guest == "haswell" && s.Host == "Xeon-E7-8890-v3");
        Assert.Contains(drift.NoLongerMigrate, s => s.Guest == "haswell" && s.Target == "Xeon-E7-8890-v3");
    }

    [Fact]
    public void SkippedFilesAreListedAndTheRestReports()
    {
        var dir = ReferenceFleet();
        File.WriteAllText(Path.Combine(dir, "broken.xml"), "<cpudata><cpuid eax_in='zz'/></cpudata>");
        Directory.CreateDirectory(Path.Combine(dir, "rack2"));
        File.WriteAllText(Path.Combine(dir, "rack2", "notes.txt"), "hello");
        File.WriteAllText(Path.Combine(dir, "rack2", "other.xml"), "<domain/>");
        var report = Report(dir);
        Assert.Equal(3, report.Skipped.Length);
        Assert.Contains(report.Skipped, s => s.File.EndsWith("broken.xml", StringComparison.Ordinal));
        Assert.Contains(report.Skipped, s => s.File.EndsWith("other.xml", StringComparison.Ordinal) && s.Reason.Contains("<domain>", StringComparison.Ordinal));
        Assert.Equal(41, report.Hosts.Length);
    }

    [Fact]
    public void OtherCaptureFormatsAreDetected()
    {
        var dir = Directory.CreateTempSubdirectory("virtcpu-fleet-formats-").FullName;
        var data = SharedData.Require("libvirt-11.3/cputestdata");
        File.Copy(Path.Combine(data, "x86_64-cpuid-Xeon-Gold-6130.xml"), Path.Combine(dir, "raw.xml"));
        File.WriteAllText(Path.Combine(dir, "caps.xml"), "<capabilities><host><cpu><arch>x86_64</arch><model>Haswell-noTSX</model><vendor>Intel</vendor><feature name='vmx'/></cpu></host></capabilities>");
        File.WriteAllText(Path.Combine(dir, "node.json"), """{"catalog": "libvirt-11.3", "qemu": "10.0", "machine": "pc-q35-9.2", "accel": "kvm", "host": {"cpuid": "raw.xml"}}""");
        var set = HostCaptureReader.ReadDirectory(dir);
        Assert.Empty(set.Skipped);
        Assert.Equal(["caps", "node", "raw"], set.Hosts.Select(h => h.Name));
        Assert.Equal([HostCaptureFormat.CapabilitiesXml, HostCaptureFormat.NodeProfile, HostCaptureFormat.CpudataXml], set.Hosts.Select(h => h.Format));
        var report = Report(dir);
        // The definition is re-decoded: same features, libvirt's choice of model name (Haswell-v2 = Haswell-noTSX).
        Assert.Equal(report.Catalog.FindModel("Haswell-noTSX")!.Features.With(report.Catalog.FindFeature("vmx")!.Index), report.Hosts[0].Features);
        Assert.Equal(report.Hosts[1].Features, report.Hosts[2].Features);
    }

    [Fact]
    public void JsonHasTheIssueShape()
    {
        var report = Report(ReferenceFleet());
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            FleetJson.Write(w, report, labels: true);
        }

        using var doc = JsonDocument.Parse(stream.ToArray());
        var root = doc.RootElement;
        var hosts = root.GetProperty("hosts");
        Assert.Equal(report.Hosts.Length, hosts.GetArrayLength());
        var gold = hosts.EnumerateArray().Single(h => h.GetProperty("name").GetString() == "Xeon-Gold-6130");
        Assert.Equal("Intel", gold.GetProperty("vendor").GetString());
        Assert.Equal("Skylake-Server-v2", gold.GetProperty("model").GetString());
        Assert.Equal("x86-64-v4", gold.GetProperty("level").GetString());
        Assert.Contains("Skylake-Server", gold.GetProperty("usable").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(
            ["avx512vbmi", "umip", "avx512vbmi2", "gfni", "vaes", "vpclmulqdq", "avx512vnni", "avx512bitalg", "avx512-vpopcntdq", "la57", "wbnoinvd"],
            gold.GetProperty("blockers").GetProperty("Icelake-Server").EnumerateArray().Select(e => e.GetString()));
        var labels = gold.GetProperty("labels");
        Assert.Equal("true", labels.GetProperty("cpu-model.node.kubevirt.io/Skylake-Server").GetString());
        Assert.Equal("true", labels.GetProperty("cpu-feature.node.kubevirt.io/avx512f").GetString());
        Assert.Contains(labels.EnumerateObject(), p => p.Name.StartsWith("host-model-cpu.node.kubevirt.io/", StringComparison.Ordinal));
        Assert.Contains(labels.EnumerateObject(), p => p.Name.StartsWith("host-model-required-features.node.kubevirt.io/", StringComparison.Ordinal));
        var pool = root.GetProperty("pools")[0];
        Assert.Equal(1, pool.GetProperty("hosts").GetArrayLength());
        Assert.NotNull(pool.GetProperty("model").GetString());
        Assert.StartsWith("<cpu ", pool.GetProperty("baseline").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("skipped").ValueKind);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void JsonUsableAndBlockersAreTheMatrix(bool indented)
    {
        var report = Report(ReferenceFleet());
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            FleetJson.Write(w, report);
        }

        using var doc = JsonDocument.Parse(stream.ToArray());
        var hosts = doc.RootElement.GetProperty("hosts").EnumerateArray().ToArray();
        var matrix = report.Matrix;
        var blockerCells = 0;
        for (var i = 0; i < report.Hosts.Length; i++)
        {
            Assert.Equal(matrix.UsableModels(i).Select(m => matrix.Models[m].Name), hosts[i].GetProperty("usable").EnumerateArray().Select(e => e.GetString()));
            foreach (var cell in hosts[i].GetProperty("blockers").EnumerateObject())
            {
                var m = matrix.Models.IndexOf(report.Catalog.FindModel(cell.Name)!);
                Assert.False(matrix.IsUsable(i, m));
                Assert.Equal(matrix.BlockerNames(i, m), cell.Value.EnumerateArray().Select(e => e.GetString()));
                blockerCells++;
            }
        }

        Assert.Equal(2681, blockerCells);
    }

    [Fact]
    public async Task HtmlShowsEveryHostInChromium()
    {
        const string chromium = "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            Assert.Skip("chromium is not installed (apt-get install chromium; .ci/run installs it)");
        }

        var report = Report(ReferenceFleet());
        var html = Path.Combine(Directory.CreateTempSubdirectory("virtcpu-fleet-html-").FullName, "fleet.html");
        AtomicFile.WriteAllText(html, FleetHtml.Render(report));
        var text = File.ReadAllText(html);
        Assert.DoesNotContain("http://", text, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", text, StringComparison.Ordinal);
        var profile = Directory.CreateTempSubdirectory("virtcpu-chromium-").FullName;
        var psi = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--dump-dom", "file://" + html })
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var dom = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Assert.True(process.WaitForExit(120_000), "chromium did not finish");
        Assert.True(dom.Contains("<table id=\"matrix\"", StringComparison.Ordinal), "no matrix in the rendered DOM: " + await stderr);
        var hostCells = HostCell().Matches(dom).Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);
        Assert.All(report.Hosts, h => Assert.Contains(h.Name, hostCells));
    }

    [GeneratedRegex("<td class=\"host\">([^<]*)</td>")]
    private static partial Regex HostCell();
}
