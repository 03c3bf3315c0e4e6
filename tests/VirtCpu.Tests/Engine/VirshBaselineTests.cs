using System.Diagnostics;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Cpuid;
using VirtCpu.Engine;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Tests.Cli;

namespace VirtCpu.Tests.Engine;

/// <summary>
/// The installed libvirt as a second oracle (issue 3, item 4; issue 15, item 5): random sets of one
/// to four host CPUs are baselined by <c>virsh -c test:///default cpu-baseline</c> and by VirtCpu;
/// the outputs must be byte-identical (or both must fail). The hosts are decoded by the engine with
/// libvirt's own map, from the reference CPUID dumps of <c>../shared</c>, or, in a clone on its
/// own, from the project's captures (this machine's CPUID, the Turin fixture) and every model of
/// the map.
/// </summary>
public class VirshBaselineTests(ITestOutputHelper output)
{
    private const string SystemMap = "/usr/share/libvirt/cpu_map";

    [Fact]
    public void Baselines_match_virsh_byte_for_byte()
    {
        var virsh = RequireVirsh();
        var dumps = SharedData.Require("libvirt-11.3/cputestdata");
        var catalog = LibvirtMapReader.Load(SystemMap);
        var decoder = new CpuDecoder(catalog);
        var hosts = Directory.GetFiles(dumps, "x86_64-cpuid-*.xml")
            .Where(IsCpuidDump)
            .Order(StringComparer.Ordinal)
            .Select(f => CpuXml.Format(decoder.DecodeHost(CpuData.FromRaw(CpuidXml.Parse(File.ReadAllText(f), f), catalog)), CpuXmlStyle.Libvirt9))
            .ToArray();
        Assert.Equal(41, hosts.Length);
        CompareSets(virsh, catalog, hosts, withCli: true);
    }

    [Fact]
    public void Baselines_of_the_projects_own_hosts_match_virsh_byte_for_byte()
    {
        // No ../shared: this machine's CPUID and the Turin capture decoded with libvirt's map,
        // each also with features dropped at random, and every vendor's model of the map as a host.
        var virsh = RequireVirsh();
        var catalog = LibvirtMapReader.Load(SystemMap);
        var random = new Random(20261202);
        var hosts = new List<string>();
        foreach (var capture in OwnCaptures(catalog))
        {
            var text = CpuXml.Format(capture.Host, CpuXmlStyle.Libvirt9);
            hosts.Add(text);
            for (var v = 0; v < 8; v++)
            {
                hosts.Add(string.Join('\n', text.Split('\n').Where(l => !l.Contains("<feature ", StringComparison.Ordinal) || random.Next(8) != 0)));
            }
        }

        var modelHosts = catalog.Models.Where(m => m.Vendor is not null).ToList();
        hosts.AddRange(modelHosts.Select(m => $"<cpu>\n  <arch>x86_64</arch>\n  <model>{m.Name}</model>\n  <vendor>{m.Vendor!.Name}</vendor>\n</cpu>\n"));
        Assert.Equal(OwnCaptures(catalog).Count * 9 + modelHosts.Count, hosts.Count);
        CompareSets(virsh, catalog, [.. hosts], withCli: false);
    }

    /// <summary>The project's own CPUID captures: the Turin fixture (cpudata XML and <c>cpuid -r</c> text) and this machine's CPUID when it is x86.</summary>
    private static List<(string Name, CpuData Data, CpuDefinition Host)> OwnCaptures(CpuCatalog catalog)
    {
        var decoder = new CpuDecoder(catalog);
        var fixtures = Path.Combine(SharedData.RepoRoot, "tests", "VirtCpu.Tests", "Fixtures");
        var raw = new List<(string Name, CpuidData Raw)>
        {
            ("turin-cpudata", CpuDataFile.Read(Path.Combine(fixtures, "cpudata-virtual-turin.xml")).Raw!),
            ("turin-cpuid-r", CpuDataFile.Read(Path.Combine(fixtures, "cpuid-r-virtual-turin.txt")).Raw!),
        };
        if (HostCpuid.IsSupported)
        {
            raw.Add(("this-machine", HostCpuid.Read()));
        }

        return [.. raw.Select(r =>
        {
            var data = CpuData.FromRaw(r.Raw, catalog);
            return (r.Name, data, decoder.DecodeHost(data));
        })];
    }

    private void CompareSets(string virsh, CpuCatalog catalog, string[] hosts, bool withCli)
    {
        var vendors = hosts.Select(h => CpuXml.ParseAll(h, "host", CpuType.Host)[0].Vendor).ToArray();
        var baseline = new CpuBaseline(catalog);
        var random = new Random(20261125);
        using var temp = new TempDirectory();
        int same = 0, bothFailed = 0, mixedVendors = 0;
        const int Sets = 200;
        for (var n = 0; n < Sets; n++)
        {
            var count = random.Next(1, 5);
            var chosen = Enumerable.Range(0, count).Select(_ => random.Next(hosts.Length)).ToArray();
            mixedVendors += chosen.Select(i => vendors[i]).Distinct().Count() > 1 ? 1 : 0;
            var text = string.Concat(chosen.Select(i => hosts[i]));
            var file = Path.Combine(temp.Path, $"set{n}.xml");
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

            if (withCli && n < 4)
            {
                // the command line gives the same bytes as the library
                var args = expand ? new[] { "baseline", "--features", "--map", SystemMap, file } : ["baseline", "--map", SystemMap, file];
                var cli = CliRunner.Run(args);
                Assert.Equal(0, cli.ExitCode);
                Assert.Equal(expected.Stdout.TrimEnd('\n'), cli.Stdout.TrimEnd('\n'));
            }
        }

        output.WriteLine($"{same} identical baselines, {bothFailed} failing in both ({mixedVendors} sets mix vendors)");

        // Every set either agrees or fails in both, and libvirt refuses exactly the sets that mix vendors.
        Assert.Equal(Sets, same + bothFailed);
        Assert.Equal(mixedVendors, bothFailed);
    }

    private static string RequireVirsh()
    {
        var virsh = FindVirsh();
        if (virsh is null || !Directory.Exists(SystemMap))
        {
            Assert.Skip("virsh and /usr/share/libvirt/cpu_map are needed (Debian's libvirt-clients and libvirt-daemon; .ci/run installs them)");
        }

        return virsh;
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
