using System.Text;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Migration;
using VirtCpu.Qemu;
using VirtCpu.Qemu.Qmp;

namespace VirtCpu.Tests.Qemu;

/// <summary>
/// Real starts against the installed QEMU (Debian's 7.2, TCG), no <c>../shared</c> needed: every
/// model of libvirt 9.0's catalog is started by <see cref="GuestStarter"/> on the lab's bookworm
/// node (libvirt 9.0, QEMU 7.2, <c>pc-i440fx-7.2</c>, TCG; captured into the fixtures), then QEMU
/// itself is started with the machine type and the <c>-cpu</c> argument libvirt would give it, and
/// the vCPU it builds (<c>feature-words</c>, vendor, family, model, stepping, read over QMP) must be
/// the one VirtCpu predicts: every named feature bit of every CPUID word.
/// </summary>
public sealed class QemuStartTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Every_libvirt_9_model_starts_under_TCG_as_VirtCpu_predicts()
    {
        var binary = RequireQemu72();
        var node = Node.Resolve(NodeProfileReader.Read(Path.Combine(SharedData.RepoRoot, "tests", "VirtCpu.Tests", "Fixtures", "lab", "bw1.json")));
        Assert.Equal(QemuAccelerator.Tcg, node.Accelerator);
        var cancel = TestContext.Current.CancellationToken;
        var differences = new List<string>();
        int started = 0, refused = 0;
        foreach (var model in node.Catalog.Models)
        {
            var guest = new CpuDefinition { Type = CpuType.Guest, Mode = CpuMode.Custom, Match = CpuMatch.Exact, Check = CpuCheck.None, Fallback = CpuFallback.Forbid, Model = model.Name };
            var start = GuestStarter.Start(guest, node);
            if (!start.Succeeded)
            {
                refused++;
                continue;
            }

            var cpuArgument = QemuCommandLine.Render(start.Definition!, node.LibvirtBehaviour);
            var real = await ReadVcpu(binary, start.Machine, cpuArgument, cancel);
            differences.AddRange(Compare(model.Name, cpuArgument, start.Cpu!, real));
            started++;
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{started} models started in QEMU and compared, {refused} refused by the start itself");
        Assert.Equal(node.Catalog.Models.Length, started + refused);
        Assert.True(started > 0, "no model could be started");
        Assert.True(differences.Count == 0, $"{differences.Count} differences between VirtCpu and QEMU:\n" + string.Join("\n", differences));
    }

    private static IEnumerable<string> Compare(string model, string cpuArgument, QemuCpu predicted, Vcpu real)
    {
        if (predicted.Vendor != real.Vendor || predicted.Family != real.Family || predicted.Model != real.Model || predicted.Stepping != real.Stepping)
        {
            yield return $"{model} (-cpu {cpuArgument}): VirtCpu {predicted.Vendor} {predicted.Family}/{predicted.Model}/{predicted.Stepping}, QEMU {real.Vendor} {real.Family}/{real.Model}/{real.Stepping}";
        }

        foreach (var word in predicted.Catalog.Words.Where(w => w.Kind == CpuDataKind.Cpuid))
        {
            var key = (word.Index, word.Subleaf ?? 0, word.Register.ToString().ToUpperInvariant());
            // The named bits: QEMU also copies leaf 1's EDX into the unnamed AMD alias bits of
            // 0x80000001 EDX on AMD models, which VirtCpu's words do not show (no feature reads them).
            var named = predicted.Catalog.Features.Where(f => f.Word == word).Aggregate(0UL, (m, f) => m | f.Mask);
            var actual = real.Words.GetValueOrDefault(key) & named;
            var expected = predicted.Words[word.Number] & named;
            if (actual != expected)
            {
                var names = predicted.Catalog.Features.Where(f => f.Word == word && ((actual ^ expected) & f.Mask) != 0).Select(f => ((actual & f.Mask) != 0 ? "+" : "-") + f.Name);
                yield return $"{model} (-cpu {cpuArgument}): {word.Name} VirtCpu 0x{expected:x} QEMU 0x{actual:x} (QEMU has {string.Join(' ', names)})";
            }
        }
    }

    private static async Task<Vcpu> ReadVcpu(string binary, string machine, string cpuArgument, CancellationToken cancel)
    {
        using var session = await QmpSession.StartAsync(binary, new QemuLaunch("tcg", machine) { Cpu = cpuArgument }, Timeout, cancel);
        var client = session.Client;
        string path;
        using (var cpus = await client.ExecuteAsync("query-cpus-fast", null, cancel))
        {
            path = cpus.RootElement[0].GetProperty("qom-path").GetString()!;
        }

        async Task<System.Text.Json.JsonElement> Get(string property)
        {
            using var reply = await client.ExecuteAsync("qom-get", w =>
            {
                w.WriteString("path", path);
                w.WriteString("property", property);
            }, cancel);
            return reply.RootElement.Clone();
        }

        var words = new Dictionary<(uint, uint, string), ulong>();
        foreach (var w in (await Get("feature-words")).EnumerateArray())
        {
            var subleaf = w.TryGetProperty("cpuid-input-ecx", out var ecx) ? ecx.GetUInt32() : 0;
            words[(w.GetProperty("cpuid-input-eax").GetUInt32(), subleaf, w.GetProperty("cpuid-register").GetString()!.ToUpperInvariant())] = w.GetProperty("features").GetUInt64();
        }

        var vcpu = new Vcpu((await Get("vendor")).GetString()!, (await Get("family")).GetInt32(), (await Get("model")).GetInt32(), (await Get("stepping")).GetInt32(), words);
        await session.StopAsync(Timeout, cancel);
        return vcpu;
    }

    private static string RequireQemu72()
    {
        var binary = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "qemu-system-x86_64")).FirstOrDefault(File.Exists);
        if (binary is null)
        {
            Assert.Skip("qemu-system-x86_64 is not installed (apt-get install qemu-system-x86; .ci/run installs it): the real start test cannot run");
        }

        var version = RunVersion(binary);
        if (!version.StartsWith("QEMU emulator version 7.2", StringComparison.Ordinal))
        {
            Assert.Skip($"the installed QEMU is not 7.2 ({version}): the lab's bookworm node, which this test starts guests on, runs 7.2");
        }

        return binary;
    }

    private static string RunVersion(string binary)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(binary, "--version") { RedirectStandardOutput = true, UseShellExecute = false, StandardOutputEncoding = Encoding.UTF8 };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text.Split('\n')[0].Trim();
    }

    private sealed record Vcpu(string Vendor, int Family, int Model, int Stepping, Dictionary<(uint Leaf, uint Subleaf, string Register), ulong> Words);
}
