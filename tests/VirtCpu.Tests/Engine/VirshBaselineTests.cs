using System.Diagnostics;
using VirtCpu.Cpu;
using VirtCpu.Cpuid;
using VirtCpu.Engine;
using VirtCpu.Formats;
using VirtCpu.Tests.Cli;

namespace VirtCpu.Tests.Engine;

/// <summary>
/// The installed libvirt as a second oracle (issue 3, item 4): random sets of one to four host
/// CPUs, decoded by the engine from the reference CPUID dumps with libvirt's own map, are
/// baselined by <c>virsh -c test:///default cpu-baseline</c> and by VirtCpu; the outputs must be
/// byte-identical (or both must fail).
/// </summary>
public class VirshBaselineTests(ITestOutputHelper output)
{
    private const string SystemMap = "/usr/share/libvirt/cpu_map";

    [Fact]
    public void Baselines_match_virsh_byte_for_byte()
    {
        var virsh = FindVirsh();
        if (virsh is null || !Directory.Exists(SystemMap))
        {
            Assert.Skip("virsh and /usr/share/libvirt/cpu_map are needed (Debian's libvirt-clients and libvirt-daemon; .ci/run installs them)");
        }

        var dumps = SharedData.Require("libvirt-11.3/cputestdata");
        var catalog = LibvirtMapReader.Load(SystemMap);
        var decoder = new CpuDecoder(catalog);
        var hosts = Directory.GetFiles(dumps, "x86_64-cpuid-*.xml")
            .Where(IsCpuidDump)
            .Order(StringComparer.Ordinal)
            .Select(f => CpuXml.Format(decoder.DecodeHost(CpuData.FromRaw(CpuidXml.Parse(File.ReadAllText(f), f), catalog)), CpuXmlStyle.Libvirt9))
            .ToArray();
        Assert.Equal(41, hosts.Length);

        var baseline = new CpuBaseline(catalog);
        var random = new Random(20261125);
        var temp = Directory.CreateTempSubdirectory("virtcpu-virsh");
        try
        {
            int same = 0, bothFailed = 0;
            for (var n = 0; n < 200; n++)
            {
                var count = random.Next(1, 5);
                var text = string.Concat(Enumerable.Range(0, count).Select(_ => hosts[random.Next(hosts.Length)]));
                var file = Path.Combine(temp.FullName, $"set{n}.xml");
                File.WriteAllText(file, text);
                var expand = n % 2 == 1;
                var expected = RunVirsh(virsh, file, expand);

                string actual;
                string? error = null;
                try
                {
                    var result = baseline.Compute(CpuXml.ParseAll(text, file, CpuType.Host));
                    actual = CpuXml.Format(expand ? FeatureExpander.Expand(catalog, result) : result, CpuXmlStyle.Libvirt9);
                }
                catch (CpuEngineException e)
                {
                    actual = string.Empty;
                    error = e.Message;
                }

                if (expected.ExitCode != 0)
                {
                    Assert.True(error is not null, $"set {n}: virsh failed ({expected.Stderr.Trim()}) but VirtCpu gave\n{actual}");
                    Assert.Contains(error, expected.Stderr, StringComparison.Ordinal);
                    bothFailed++;
                    continue;
                }

                Assert.True(error is null, $"set {n}: VirtCpu failed ({error}) but virsh gave\n{expected.Stdout}");
                Assert.Equal(expected.Stdout.TrimEnd('\n'), actual.TrimEnd('\n'));
                same++;

                if (n < 4)
                {
                    // the command line gives the same bytes as the library
                    var args = expand ? new[] { "baseline", "--features", "--map", SystemMap, file } : ["baseline", "--map", SystemMap, file];
                    var cli = CliRunner.Run(args);
                    Assert.Equal(0, cli.ExitCode);
                    Assert.Equal(expected.Stdout.TrimEnd('\n'), cli.Stdout.TrimEnd('\n'));
                }
            }

            output.WriteLine($"{same} identical baselines, {bothFailed} failing in both");
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    private static bool IsCpuidDump(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        return !name.EndsWith("-host", StringComparison.Ordinal) && !name.EndsWith("-guest", StringComparison.Ordinal)
            && !name.EndsWith("-json", StringComparison.Ordinal) && !name.EndsWith("-enabled", StringComparison.Ordinal)
            && !name.EndsWith("-disabled", StringComparison.Ordinal) && !name.Contains("-baseline-", StringComparison.Ordinal);
    }

    private static string? FindVirsh()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, "virsh");
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    private static CliRunner.Result RunVirsh(string virsh, string file, bool expand)
    {
        var psi = new ProcessStartInfo(virsh) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-q", "-c", "test:///default", "cpu-baseline", file })
        {
            psi.ArgumentList.Add(a);
        }

        if (expand)
        {
            psi.ArgumentList.Add("--features");
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return new CliRunner.Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
