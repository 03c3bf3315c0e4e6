namespace VirtCpu.Tests.Cli;

/// <summary>The CPU commands of <c>README.md#commands</c> on hand-written inputs (a Core 2 era Intel CPUID set, small CPU definitions).</summary>
public sealed class CpuCommandsTests : IDisposable
{
    private const string Core2Cpuid = """
        <!-- hand-written: a Core 2 Quad era Intel CPU -->
        <cpudata arch='x86'>
          <cpuid eax_in='0x00000000' ecx_in='0x00' eax='0x0000000a' ebx='0x756e6547' ecx='0x6c65746e' edx='0x49656e69'/>
          <cpuid eax_in='0x00000001' ecx_in='0x00' eax='0x000006fb' ebx='0x00020800' ecx='0x0000e3bd' edx='0xbfebfbff'/>
          <cpuid eax_in='0x80000000' ecx_in='0x00' eax='0x80000008' ebx='0x00000000' ecx='0x00000000' edx='0x00000000'/>
          <cpuid eax_in='0x80000001' ecx_in='0x00' eax='0x00000000' ebx='0x00000000' ecx='0x00000001' edx='0x20100800'/>
        </cpudata>
        """;

    private const string HostCpu = """
        <cpu>
          <arch>x86_64</arch>
          <model>Penryn</model>
          <vendor>Intel</vendor>
          <feature name='vmx'/>
          <feature name='invtsc'/>
        </cpu>
        """;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("virtcpu-cli");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Decode_prints_host_and_guest_cpus_and_writes_output_dir()
    {
        var data = Write("core2.xml", Core2Cpuid);
        var host = CliRunner.Run("decode", data);
        Assert.Equal(0, host.ExitCode);
        Assert.StartsWith("<cpu>\n  <arch>x86_64</arch>\n  <model>", host.Stdout, StringComparison.Ordinal);
        Assert.Contains("<signature family='6' model='15' stepping='11'/>", host.Stdout, StringComparison.Ordinal);

        var guest = CliRunner.Run("decode", "--for", "guest", data);
        Assert.Equal(0, guest.ExitCode);
        Assert.StartsWith("<cpu mode='custom' match='exact'>\n  <model fallback='forbid'>", guest.Stdout, StringComparison.Ordinal);

        var outDir = _dir.CreateSubdirectory("out").FullName;
        Assert.Equal(0, CliRunner.Run("decode", "--for", "guest", "--output-dir", outDir, data).ExitCode);
        Assert.Equal(guest.Stdout, File.ReadAllText(Path.Combine(outDir, "core2-guest.xml")));

        var json = CliRunner.Run("decode", "--json", data);
        Assert.Contains("\"model\"", json.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"features\"", json.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Signature_prints_libvirt_sig_text()
    {
        var r = CliRunner.Run("signature", Write("core2.xml", Core2Cpuid));
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("0006fb\nfamily:     6 (0x06)\nmodel:     15 (0x0f)\nstepping:  11 (0x0b)\n", r.Stdout);
    }

    [Fact]
    public void Compare_answers_with_exit_codes()
    {
        var host = Write("host.xml", HostCpu);
        var same = CliRunner.Run("compare", host, host);
        Assert.Equal((0, "identical\n"), (same.ExitCode, same.Stdout));
        var older = CliRunner.Run("compare", host, Write("conroe.xml", "<cpu match='exact'><model>Conroe</model></cpu>"));
        Assert.Equal((0, "superset\n"), (older.ExitCode, older.Stdout));
        var newer = CliRunner.Run("compare", host, Write("nehalem.xml", "<cpu match='exact'><model>Nehalem</model></cpu>"));
        Assert.Equal((1, "incompatible\n"), (newer.ExitCode, newer.Stdout));
        Assert.Contains("Host CPU does not provide required features: ", newer.Stderr, StringComparison.Ordinal);
        var json = CliRunner.Run("compare", "--json", host, Path.Combine(_dir.FullName, "nehalem.xml"));
        Assert.Contains("\"result\": \"incompatible\"", json.Stdout, StringComparison.Ordinal);
        var bogus = CliRunner.Run("compare", host, Write("bogus.xml", "<cpu><model>Bogus</model></cpu>"));
        Assert.Equal(2, bogus.ExitCode);
        Assert.Contains("Unknown CPU model Bogus", bogus.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Baseline_reads_concatenated_cpus_and_expands_features()
    {
        var file = Write("hosts.xml", HostCpu + HostCpu.Replace("<feature name='invtsc'/>", string.Empty, StringComparison.Ordinal));
        var r = CliRunner.Run("baseline", file);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("<cpu mode='custom' match='exact'>\n  <model fallback='forbid'>Penryn</model>\n  <vendor>Intel</vendor>\n  <feature policy='require' name='vmx'/>\n</cpu>\n", r.Stdout);
        var migratable = CliRunner.Run("baseline", "--migratable", Write("one.xml", HostCpu));
        Assert.DoesNotContain("invtsc", migratable.Stdout, StringComparison.Ordinal);
        var expanded = CliRunner.Run("baseline", "--features", file);
        Assert.Contains("<feature policy='require' name='sse4.1'/>", expanded.Stdout, StringComparison.Ordinal);
        var incompatible = CliRunner.Run("baseline", Write("vendors.xml", HostCpu + HostCpu.Replace("Penryn", "Opteron_G2", StringComparison.Ordinal).Replace("Intel", "AMD", StringComparison.Ordinal)));
        Assert.Equal(2, incompatible.ExitCode);
        Assert.Contains("CPU vendors do not match", incompatible.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Update_turns_host_model_into_custom_and_translates()
    {
        var host = Write("host.xml", HostCpu);
        var r = CliRunner.Run("update", host, Write("hm.xml", "<cpu mode='host-model'/>"));
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("<cpu mode='custom' match='exact'>\n  <model fallback='allow'>Penryn</model>\n  <vendor>Intel</vendor>", r.Stdout, StringComparison.Ordinal);
        var translated = CliRunner.Run("update", host, Write("guest.xml", "<cpu match='exact'><model>Penryn</model></cpu>"), "--models", "qemu64,core2duo");
        Assert.Equal(0, translated.ExitCode);
        Assert.Contains("<model fallback='allow'>qemu64</model>", translated.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help", "  virtcpu [command] [options]")]
    [InlineData("conformance --help", "  virtcpu conformance [options]")]
    [InlineData("qemu expand -h", "  virtcpu qemu expand [<NAME>] [options]")]
    public void Help_calls_the_tool_virtcpu_whatever_the_executable_is_called(string args, string usage)
    {
        var r = CliRunner.Run(args.Split(' '));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("\nUsage:\n" + usage + "\n", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("VirtCpu.Cli", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_command_listed_by_help_is_built_when_named_alone()
    {
        var help = CliRunner.Run("--help");
        var commands = help.Stdout[help.Stdout.IndexOf("Commands:\n", StringComparison.Ordinal)..]
            .Split('\n').Skip(1).Where(l => l.StartsWith("  ", StringComparison.Ordinal) && l.Length > 2 && l[2] != ' ')
            .Select(l => l.Trim().Split(' ')[0]).ToList();
        Assert.Equal(["host", "models", "cpuid", "decode", "signature", "compare", "baseline", "update", "qemu", "node", "start", "migrate-check", "translate", "fleet", "evacuate", "upgrade-check", "catalog", "conformance", "version"], commands);
        foreach (var name in commands)
        {
            var r = CliRunner.Run(name, "--help");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains($"\nUsage:\n  virtcpu {name} ", r.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Conformance_runs_the_cases_of_a_cputest_c_and_fails_on_absent_files_unless_allowed()
    {
        var tree = _dir.CreateSubdirectory("tests");
        var data = tree.CreateSubdirectory("cputestdata");
        File.WriteAllText(Path.Combine(tree.FullName, "cputest.c"), """
            DO_TEST_COMPARE(VIR_ARCH_X86_64, "host", "host", VIR_CPU_COMPARE_IDENTICAL);
            DO_TEST_COMPARE(VIR_ARCH_X86_64, "host", "absent", VIR_CPU_COMPARE_SUPERSET);
            """);
        File.WriteAllText(Path.Combine(data.FullName, "x86_64-host.xml"), HostCpu);

        var strict = CliRunner.Run("conformance", "--libvirt", tree.FullName);
        Assert.Equal(1, strict.ExitCode);
        Assert.Equal(
            "PASS compare host/host\nSKIP compare host/absent: missing x86_64-absent.xml\n1 passed, 0 failed, 1 skipped of 2 cases\n1 cases lack files (--allow-missing accepts this)\n",
            strict.Stdout);
        var allowed = CliRunner.Run("conformance", "--libvirt", tree.FullName, "--allow-missing");
        Assert.Equal(0, allowed.ExitCode);
        Assert.EndsWith("SKIP compare host/absent: missing x86_64-absent.xml\n1 passed, 0 failed, 1 skipped of 2 cases\n", allowed.Stdout, StringComparison.Ordinal);

        File.Delete(Path.Combine(data.FullName, "x86_64-host.xml"));
        var none = CliRunner.Run("conformance", "--libvirt", tree.FullName, "--allow-missing");
        Assert.Equal(1, none.ExitCode);
        Assert.EndsWith("0 passed, 0 failed, 2 skipped of 2 cases\nno case ran\n", none.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Conformance_on_a_folder_that_is_not_a_libvirt_test_tree_is_one_line_exit_2()
    {
        var r = CliRunner.Run("conformance", "--libvirt", _dir.FullName);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"virtcpu: {_dir.FullName}: not a libvirt test tree: no cputest.c (expected cputest.c and cputestdata/, as in libvirt's tests/ folder)\n", r.Stderr);
        Assert.Equal(string.Empty, r.Stdout);
    }

    [Fact]
    public void Conformance_passes_on_the_reference_tree_with_the_map_read_at_run_time()
    {
        SharedData.Require("libvirt-11.3/cputest.c");
        var tests = SharedData.Require("libvirt-11.3");
        var map = SharedData.Require("libvirt-11.3/cpu_map");
        var r = CliRunner.Run("conformance", "--libvirt", tests, "--map", map, "--allow-missing");
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("FAIL ", r.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("\n307 passed, 0 failed, 115 skipped of 422 cases\n", r.Stdout, StringComparison.Ordinal);
    }
}
