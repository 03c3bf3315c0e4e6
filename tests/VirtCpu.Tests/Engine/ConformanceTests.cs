using VirtCpu.Conformance;
using VirtCpu.Formats;

namespace VirtCpu.Tests.Engine;

public class ConformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_present_case_of_the_libvirt_11_3_suite_passes()
    {
        var dir = SharedData.Require("libvirt-11.3/cputestdata");
        var suite = new ConformanceSuite(BuiltInCatalogs.Get("libvirt-11.3"));
        var results = suite.Run(dir).ToList();
        foreach (var r in results.Where(r => r.Outcome != ConformanceOutcome.Pass))
        {
            output.WriteLine(r.ToString());
        }

        var passed = results.Count(r => r.Outcome == ConformanceOutcome.Pass);
        output.WriteLine($"{passed} passed, {results.Count(r => r.Outcome == ConformanceOutcome.Fail)} failed, {results.Count(r => r.Outcome == ConformanceOutcome.Skip)} skipped");
        Assert.Empty(results.Where(r => r.Outcome == ConformanceOutcome.Fail).Select(r => r.ToString()));
        Assert.True(passed >= 300, $"only {passed} cases passed");
    }

    [Fact]
    public void The_11_3_map_read_at_run_time_gives_the_same_results()
    {
        var dir = SharedData.Require("libvirt-11.3/cputestdata");
        var map = SharedData.Require("libvirt-11.3/cpu_map");
        var suite = new ConformanceSuite(LibvirtMapReader.Load(map));
        var failed = suite.Run(dir).Where(r => r.Outcome == ConformanceOutcome.Fail).Select(r => r.ToString()).ToList();
        Assert.Empty(failed);
    }

    [Fact]
    public void The_matrix_has_libvirt_11_3s_422_cases()
    {
        var cases = ConformanceMatrix.Cases;
        Assert.Equal(422, cases.Length);
        Assert.Equal(35, cases.Count(c => c.Kind == ConformanceKind.Compare));
        Assert.Equal(51, cases.Count(c => c.Kind == ConformanceKind.UpdateLive));
        Assert.Equal(cases.Length, cases.Select(c => c.ToString()).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Missing_files_are_skipped_not_failed()
    {
        var empty = Directory.CreateTempSubdirectory("virtcpu-conformance");
        try
        {
            var results = new ConformanceSuite(BuiltInCatalogs.Get("libvirt-11.3")).Run(empty.FullName).ToList();
            Assert.All(results, r => Assert.Equal(ConformanceOutcome.Skip, r.Outcome));
            Assert.Equal("SKIP compare host/host: missing x86_64-host.xml", results[0].ToString());
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }
}
