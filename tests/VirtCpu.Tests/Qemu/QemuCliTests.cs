using System.Diagnostics;
using System.Text.Json;
using VirtCpu.Cpu;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Formats.QemuData;
using VirtCpu.Qemu;

namespace VirtCpu.Tests.Qemu;

/// <summary>The <c>virtcpu qemu ...</c> commands, run as a process.</summary>
public sealed class QemuCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "VirtCpu.Cli.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        p.WaitForExit(120_000);
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void ExpandAllMatchesTheReferenceProbeInTheDocumentedShape()
    {
        var probe = QemuProbeFile.ReadFile(SharedData.Require("qemu-7.2/qmp-probe-tcg.json"));
        var catalog = BuiltInHypervisors.Get("7.2");
        var (code, output, err) = Run("qemu", "expand", "--all", "--qemu", "7.2", "--machine", "none", "--accel", "tcg", "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var models = doc.RootElement.GetProperty("models");
        Assert.Equal(["models"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        var n = 0;
        foreach (var (name, expansion) in probe.Expansions.Where(e => catalog.ModelNames.Contains(e.Key)))
        {
            var m = models.GetProperty(name);
            Assert.Equal(["resolved", "vendor", "family", "model", "stepping", "model-id", "enabled"], m.EnumerateObject().Select(p => p.Name));
            Assert.Equal(QemuProbe.EnabledFeatures(catalog, expansion), m.GetProperty("enabled").EnumerateArray().Select(e => e.GetString()!));
            Assert.Equal(QemuProbe.Text(expansion, "vendor"), m.GetProperty("vendor").GetString());
            Assert.Equal(QemuProbe.Text(expansion, "model-id"), m.GetProperty("model-id").GetString());
            Assert.Equal(QemuProbe.Number(expansion, "family"), m.GetProperty("family").GetInt64());
            Assert.Equal(QemuProbe.Number(expansion, "model"), m.GetProperty("model").GetInt64());
            Assert.Equal(QemuProbe.Number(expansion, "stepping"), m.GetProperty("stepping").GetInt64());
            n++;
        }

        Assert.Equal(129, n);
        Assert.Equal(129, models.EnumerateObject().Count());
        Assert.Equal("Haswell-v1", models.GetProperty("Haswell").GetProperty("resolved").GetString());
    }

    [Fact]
    public void CmdlineRendersWhatLibvirtPasses()
    {
        var dir = Directory.CreateTempSubdirectory("virtcpu-cmdline-").FullName;
        try
        {
            var xml = Path.Combine(dir, "cpu.xml");
            File.WriteAllText(xml, "<cpu mode='custom' match='exact' check='partial'>\n  <model fallback='forbid'>EPYC</model>\n  <feature policy='require' name='svm'/>\n  <feature policy='disable' name='lahf_lm'/>\n  <feature policy='optional' name='x2apic'/>\n  <feature policy='forbid' name='pclmuldq'/>\n  <feature policy='force' name='cmp_legacy'/>\n</cpu>\n");
            var (code, output, err) = Run("qemu", "cmdline", xml);
            Assert.True(code == 0, err);
            Assert.Equal("-cpu EPYC,svm=on,lahf-lm=off,pclmulqdq=off,cmp-legacy=on\n", output);
            File.WriteAllText(xml, "<cpu mode='host-passthrough'/>");
            Assert.Equal("-cpu host\n", Run("qemu", "cmdline", xml).Out);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void RenderTranslatesNamesAndModes()
    {
        var cpu = new CpuDefinition { Type = CpuType.Guest, Mode = CpuMode.Maximum, Features = [new CpuFeature("vmx-invvpid-single-context-noglobals", FeaturePolicy.Disable)] };
        var libvirt113 = BehaviourFile.For("libvirt", new Version(11, 3), null);
        Assert.Equal("max,vmx-invept-single-context-noglobals=off", QemuCommandLine.Render(cpu, libvirt113));
        Assert.Equal("Haswell,vendor=AuthenticAMD,tsc-adjust=on", QemuCommandLine.Render(new CpuDefinition { Type = CpuType.Guest, Model = "Haswell", VendorId = "AuthenticAMD", Features = [new CpuFeature("tsc_adjust", FeaturePolicy.Require)] }, libvirt113));
        Assert.Equal("pclmuldq", libvirt113.Spelling.ToLibvirt("pclmulqdq"));

        // libvirt 9.0's table has no VMX entry (its map has no VMX features), and every release leaves cmt out of -cpu.
        var libvirt90 = BehaviourFile.For("libvirt", new Version(9, 0), null);
        Assert.Equal("max,vmx-invvpid-single-context-noglobals=off", QemuCommandLine.Render(cpu, libvirt90));
        Assert.Equal("Haswell,pclmulqdq=on", QemuCommandLine.Render(new CpuDefinition { Type = CpuType.Guest, Model = "Haswell", Features = [new CpuFeature("cmt", FeaturePolicy.Require), new CpuFeature("pclmuldq", FeaturePolicy.Require)] }, libvirt90));
        Assert.Equal(11, libvirt90.Spelling.Pairs.Length);
        Assert.Equal(15, libvirt113.Spelling.Pairs.Length);
    }

    [Fact]
    public void BadInputIsOneLineAndExitCode2()
    {
        var (code, _, err) = Run("qemu", "expand", "Haswell", "--machine", "pc-i440fx-2.3");
        Assert.Equal(2, code);
        Assert.StartsWith("virtcpu: QEMU 10.0 has no machine type 'pc-i440fx-2.3'", err, StringComparison.Ordinal);
        (code, _, err) = Run("qemu", "expand", "Haswell-v9");
        Assert.Equal(2, code);
        Assert.Contains("CPU model 'Haswell-v9' not found in qemu-10.0", err, StringComparison.Ordinal);
        (code, _, err) = Run("qemu", "probe", "--binary", "/nonexistent/qemu", "--out", Path.Combine(Path.GetTempPath(), "never.json"));
        Assert.Equal(2, code);
        Assert.Contains("cannot start /nonexistent/qemu", err, StringComparison.Ordinal);
    }

    [Fact]
    public void ImportQemuToStdoutEqualsTheCommittedCatalog()
    {
        var dir = SharedData.Require("qemu-10.0");
        var (code, output, err) = Run("catalog", "import-qemu", dir);
        Assert.True(code == 0, err);
        Assert.Equal(QcatTests.WithoutMachineData(File.ReadAllText(Path.Combine(SharedData.RepoRoot, "catalogs", "qemu-10.0.qcat"))), QcatTests.WithoutTableErrata(output, "10.0"));
    }
}
