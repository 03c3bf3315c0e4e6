using VirtCpu.Conformance;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.ProjectFiles;

namespace VirtCpu.Tests.Engine;

public class ConformanceTests(ITestOutputHelper output)
{
    /// <summary>
    /// A cputest.c in libvirt's style: comments, the macro definitions (skipped), calls for other
    /// architectures (left out), calls over several lines with concatenated strings.
    /// </summary>
    private const string SmallCputest = """
        static const char *model486_list[]   = { "486", NULL };
        static const char *models_list[]     = { "qemu64", "core2duo", "Nehalem", NULL };

        static int
        mymain(void)
        {
            virDomainCapsCPUModels *models = NULL;
            if (!(model486 = cpuTestInitModels(model486_list)) ||
                !(models = cpuTestInitModels(models_list)))
                return -1;

        #define DO_TEST_COMPARE(arch, host, cpu, result) \
            DO_TEST(arch, cpuTestCompare, \
                    host "/" cpu " (" #result ")", \
                    host, cpu, NULL, 0, NULL, 0, result)

            /* host to host comparison, DO_TEST_COMPARE(VIR_ARCH_X86_64, "no", "no", X) */
            DO_TEST_COMPARE(VIR_ARCH_X86_64, "host", "host", VIR_CPU_COMPARE_IDENTICAL);
            DO_TEST_COMPARE(VIR_ARCH_PPC64, "host", "host", VIR_CPU_COMPARE_IDENTICAL);
            // DO_TEST_COMPARE(VIR_ARCH_X86_64, "commented", "out", VIR_CPU_COMPARE_ERROR);
            DO_TEST_UPDATE(VIR_ARCH_X86_64, "host", "min", VIR_CPU_COMPARE_IDENTICAL);
            DO_TEST_BASELINE(VIR_ARCH_X86_64, "simple",
                             VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES, 0);
            DO_TEST_BASELINE(VIR_ARCH_X86_64, "incompatible-vendors", 0, -1);
            DO_TEST_HASFEATURE(VIR_ARCH_X86_64, "host", "foo", FAIL);
            DO_TEST_GUESTCPU(VIR_ARCH_X86_64, "host", "guest", models, 0);
            DO_TEST_GUESTCPU(VIR_ARCH_X86_64, "host", "guest", NULL, -1);
            DO_TEST_CPUID(VIR_ARCH_X86_64, "Atom-D510", JSON_NONE);
            DO_TEST_CPUID(VIR_ARCH_X86_64, "EPYC-7502-32-Core", JSON_MODELS);
            DO_TEST_CPUID_BASELINE(VIR_ARCH_X86_64, "Ryzen" "+" "Rome",
                                   "Ryzen-7-1800X-Eight-Core", "Ryzen-9-3900X-12-Core");
            DO_TEST_NEWKIND(VIR_ARCH_X86_64, "something");
            DO_TEST_VALIDATEFEATURES(VIR_ARCH_AARCH64, "guest", 0);
        }
        """;

    [Fact]
    public void The_reader_derives_cases_and_expectations_from_the_calls()
    {
        var cases = CputestReader.Parse(SmallCputest, "cputest.c");
        Assert.Equal(
            [
                "compare host/host", "update host+min", "compare host/host+min", "baseline simple-expanded",
                "baseline incompatible-vendors", "has-feature host/foo", "guest host/guest,models", "guest host/guest",
                "cpuid-host Atom-D510", "cpuid-guest Atom-D510", "cpuid-signature Atom-D510",
                "cpuid-host EPYC-7502-32-Core", "cpuid-guest EPYC-7502-32-Core", "cpuid-signature EPYC-7502-32-Core",
                "json-cpuid EPYC-7502-32-Core", "json-signature EPYC-7502-32-Core", "update-live EPYC-7502-32-Core",
                "cpuid-baseline Ryzen+Rome", "unsupported DO_TEST_NEWKIND (line 32)",
            ],
            cases.Select(c => c.ToString()));
        Assert.Equal(ExpectedCompare.Identical, cases[0].Compare);
        Assert.True(cases[3].Expand);
        Assert.True(cases[4].ExpectFailure);
        Assert.True(cases[5].ExpectFailure);
        Assert.Equal(["qemu64", "core2duo", "Nehalem"], cases[6].Models);
        Assert.False(cases[6].ExpectFailure);
        Assert.Empty(cases[7].Models);
        Assert.True(cases[7].ExpectFailure);
        Assert.Equal(JsonInput.Models, cases[12].Json);
        Assert.Equal(("Ryzen-7-1800X-Eight-Core", "Ryzen-9-3900X-12-Core"), (cases[17].Host, cases[17].Cpu));
    }

    [Theory]
    [InlineData("DO_TEST_COMPARE(VIR_ARCH_X86_64, \"host\", \"host\", VIR_CPU_COMPARE_MAYBE);", "cputest.c: line 1: argument 4 of DO_TEST_COMPARE ('VIR_CPU_COMPARE_MAYBE'): expected a VIR_CPU_COMPARE_ result")]
    [InlineData("\n\nDO_TEST_CPUID(VIR_ARCH_X86_64, \"A\");", "cputest.c: line 3: DO_TEST_CPUID takes 3 arguments, found 2")]
    [InlineData("DO_TEST_GUESTCPU(VIR_ARCH_X86_64, \"host\", \"guest\", nolist, 0);", "cputest.c: line 1: argument 4 of DO_TEST_GUESTCPU ('nolist'): model list nolist is not defined in the file")]
    [InlineData("DO_TEST_BASELINE(VIR_ARCH_X86_64, \"a\", VIR_CONNECT_BASELINE_CPU_OTHER, 0);", "cputest.c: line 1: argument 3 of DO_TEST_BASELINE ('VIR_CONNECT_BASELINE_CPU_OTHER'): unknown baseline flag VIR_CONNECT_BASELINE_CPU_OTHER")]
    [InlineData("DO_TEST_COMPARE(VIR_ARCH_X86_64, \"host\", \"host\"", "cputest.c: line 1: unterminated call of DO_TEST_COMPARE")]
    [InlineData("DO_TEST_COMPARE(VIR_ARCH_X86_64, \"host, VIR_CPU_COMPARE_IDENTICAL);", "cputest.c: line 1: unterminated string")]
    public void A_call_the_reader_cannot_understand_is_one_input_error_naming_file_and_line(string source, string message)
    {
        var e = Assert.Throws<InputException>(() => CputestReader.Parse(source, "cputest.c"));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Libvirt_11_3s_cputest_c_gives_its_422_x86_cases()
    {
        var cases = CputestReader.Read(SharedData.Require("libvirt-11.3/cputest.c"));
        Assert.Equal(422, cases.Length);
        Assert.Equal(cases.Length, cases.Select(c => c.ToString()).Distinct(StringComparer.Ordinal).Count());
        var counts = cases.GroupBy(c => c.Kind).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(
            new Dictionary<ConformanceKind, int>
            {
                [ConformanceKind.Compare] = 35,
                [ConformanceKind.Update] = 8,
                [ConformanceKind.Baseline] = 9,
                [ConformanceKind.HasFeature] = 6,
                [ConformanceKind.Guest] = 15,
                [ConformanceKind.CpuidHost] = 61,
                [ConformanceKind.CpuidGuest] = 61,
                [ConformanceKind.CpuidSignature] = 61,
                [ConformanceKind.JsonCpuid] = 51,
                [ConformanceKind.JsonSignature] = 51,
                [ConformanceKind.UpdateLive] = 51,
                [ConformanceKind.CpuidBaseline] = 13,
            },
            counts);
        Assert.Equal(ExpectedCompare.Incompatible, cases.Single(c => c.ToString() == "compare host/host-better").Compare);
        Assert.Equal(ExpectedCompare.Error, cases.Single(c => c.ToString() == "compare host/bogus-model").Compare);
        Assert.Equal(["SandyBridge", "Haswell"], cases.First(c => c.Label == "haswell").Models);
        Assert.Equal(4, cases.Count(c => c.Kind == ConformanceKind.Guest && c.ExpectFailure));
        Assert.Equal(5, cases.Count(c => c.Kind == ConformanceKind.CpuidHost && c.Json == JsonInput.ModelsRequired));
    }

    [Fact]
    public void Every_case_of_the_libvirt_11_3_tree_whose_files_exist_passes_and_every_skip_names_absent_files()
    {
        var tree = LibvirtTestTree.Open(TreeDirectory());
        var results = new ConformanceSuite(BuiltInCatalogs.Get("libvirt-11.3")).Run(tree.DataDirectory, tree.Cases).ToList();
        foreach (var r in results.Where(r => r.Outcome != ConformanceOutcome.Pass))
        {
            output.WriteLine(r.ToString());
        }

        Assert.Empty(results.Where(r => r.Outcome == ConformanceOutcome.Fail).Select(r => r.ToString()));
        var withFiles = tree.Cases.Count(c => c.Files.All(f => File.Exists(Path.Combine(tree.DataDirectory, f))));
        var passed = results.Count(r => r.Outcome == ConformanceOutcome.Pass);
        Assert.Equal(withFiles, passed);
        foreach (var skip in results.Where(r => r.Outcome == ConformanceOutcome.Skip))
        {
            Assert.NotEmpty(skip.MissingFiles);
            Assert.All(skip.MissingFiles, f => Assert.Contains(f, skip.Case.Files));
            Assert.All(skip.MissingFiles, f => Assert.False(File.Exists(Path.Combine(tree.DataDirectory, f)), $"{skip}: {f} exists"));
        }

        // ../shared/reference/libvirt-11.3 withholds the files of 115 cases.
        Assert.Equal((422, 307, 115), (results.Count, passed, results.Count(r => r.Outcome == ConformanceOutcome.Skip)));
    }

    [Fact]
    public void The_11_3_map_read_at_run_time_gives_the_same_results()
    {
        var tree = LibvirtTestTree.Open(TreeDirectory());
        var suite = new ConformanceSuite(LibvirtMapReader.Load(SharedData.Require("libvirt-11.3/cpu_map")));
        var results = suite.Run(tree.DataDirectory, tree.Cases).ToList();
        Assert.Empty(results.Where(r => r.Outcome == ConformanceOutcome.Fail).Select(r => r.ToString()));
        Assert.Equal(307, results.Count(r => r.Outcome == ConformanceOutcome.Pass));
    }

    [Fact]
    public void Missing_files_are_skipped_naming_them_and_an_unknown_macro_fails()
    {
        var empty = Directory.CreateTempSubdirectory("virtcpu-conformance");
        try
        {
            var cases = CputestReader.Parse(SmallCputest, "cputest.c");
            var results = new ConformanceSuite(BuiltInCatalogs.Get("libvirt-11.3")).Run(empty.FullName, cases).ToList();
            Assert.Equal("SKIP compare host/host: missing x86_64-host.xml", results[0].ToString());
            Assert.Equal("SKIP update-live EPYC-7502-32-Core: missing x86_64-cpuid-EPYC-7502-32-Core-guest.xml, x86_64-cpuid-EPYC-7502-32-Core-enabled.xml, x86_64-cpuid-EPYC-7502-32-Core-disabled.xml, x86_64-cpuid-EPYC-7502-32-Core-json.xml, x86_64-cpuid-EPYC-7502-32-Core.json", results[16].ToString());
            Assert.Equal("FAIL unsupported DO_TEST_NEWKIND (line 32): not modelled: this runner does not know the test macro", results[^1].ToString());
            Assert.Equal(cases.Length - 1, results.Count(r => r.Outcome == ConformanceOutcome.Skip));
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_folder_that_is_not_a_libvirt_test_tree_is_an_input_error()
    {
        var dir = Directory.CreateTempSubdirectory("virtcpu-conformance");
        try
        {
            var e = Assert.Throws<InputException>(() => LibvirtTestTree.Open(dir.FullName));
            Assert.Equal($"{dir.FullName}: not a libvirt test tree: no cputest.c (expected cputest.c and cputestdata/, as in libvirt's tests/ folder)", e.Message);
            File.WriteAllText(Path.Combine(dir.FullName, "cputest.c"), "int main(void) { return 0; }\n");
            e = Assert.Throws<InputException>(() => LibvirtTestTree.Open(dir.FullName));
            Assert.EndsWith(": not a libvirt test tree: no cputestdata/ (expected cputest.c and cputestdata/, as in libvirt's tests/ folder)", e.Message, StringComparison.Ordinal);
            dir.CreateSubdirectory("cputestdata");
            e = Assert.Throws<InputException>(() => LibvirtTestTree.Open(dir.FullName));
            Assert.Equal($"{Path.Combine(dir.FullName, "cputest.c")}: no x86_64 DO_TEST_... call found", e.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string TreeDirectory()
    {
        SharedData.Require("libvirt-11.3/cputest.c");
        return SharedData.Require("libvirt-11.3");
    }
}
