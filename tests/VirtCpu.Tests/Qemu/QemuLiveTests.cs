using System.Diagnostics;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Formats.QemuData;
using VirtCpu.Qemu;
using VirtCpu.Qemu.Qmp;

namespace VirtCpu.Tests.Qemu;

/// <summary>
/// The live proof: probe the installed QEMU (Debian's 7.2) over QMP and require VirtCpu's
/// expansion of every table model name to equal QEMU's own, under TCG, and under KVM when
/// /dev/kvm works (vendor ignored). Skipped with a reason when no qemu-system-x86_64 is installed.
/// </summary>
public sealed class QemuLiveTests
{
    private static string RequireQemu()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "qemu-system-x86_64")).FirstOrDefault(File.Exists);
        if (found is null)
        {
            Assert.Skip("qemu-system-x86_64 is not installed (apt-get install qemu-system-x86): the live QMP test cannot run");
        }

        return found;
    }

    private static async Task Check(QemuAccelerator accel)
    {
        var binary = RequireQemu();
        var result = await QemuProber.ProbeBinaryAsync(binary, accel, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        var greeting = System.Text.Json.JsonDocument.Parse(result.Probe.GreetingJson).RootElement.GetProperty("QMP").GetProperty("version").GetProperty("qemu");
        var version = $"{greeting.GetProperty("major").GetInt32()}.{greeting.GetProperty("minor").GetInt32()}";
        if (!BuiltInHypervisors.Names.Contains("qemu-" + version))
        {
            Assert.Skip($"the installed QEMU is {version}; VirtCpu has no built-in catalog for it");
        }

        var catalog = BuiltInHypervisors.Get(version);
        var clock = Stopwatch.StartNew();
        var results = QemuProbeCheck.Compare(catalog, result.Probe, accel, "none", compareVendor: accel == QemuAccelerator.Tcg);
        var expandTime = clock.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"live {accel}: QEMU {version} probe {result.Elapsed.TotalSeconds:0.00} s, {results.Count} names compared, expand+compare {expandTime.TotalMilliseconds:0} ms");
        Assert.Equal(catalog.ModelNames.Count(), results.Count);
        Assert.Empty(results.Where(r => !r.Matches).Select(r => $"{r.Name}: {string.Join("; ", r.Differences)}"));
    }

    [Fact]
    public Task TcgExpansionEqualsTheInstalledQemu() => Check(QemuAccelerator.Tcg);

    [Fact]
    public async Task KvmExpansionEqualsTheInstalledQemuIgnoringVendor()
    {
        try
        {
            using var kvm = File.Open("/dev/kvm", FileMode.Open, FileAccess.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Assert.Skip($"/dev/kvm cannot be opened ({e.Message}): the live KVM test cannot run");
        }

        await Check(QemuAccelerator.Kvm);
    }

    [Fact]
    public async Task ProbeFileRoundTrips()
    {
        var binary = RequireQemu();
        var result = await QemuProber.ProbeBinaryAsync(binary, QemuAccelerator.Tcg, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        var text = QemuProbeFile.Write(result.Probe);
        var again = QemuProbeFile.Read(System.Text.Encoding.UTF8.GetBytes(text), "probe.json");
        Assert.Equal(text, QemuProbeFile.Write(again));
        Assert.Equal(result.Probe.Definitions.Length, again.Definitions.Length);
        Assert.NotNull(again.StaticMax);
    }
}
