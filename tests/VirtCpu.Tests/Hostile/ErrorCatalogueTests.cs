using VirtCpu.Tests.Cli;

namespace VirtCpu.Tests.Hostile;

/// <summary>
/// The error catalogue of README.md ("Exit codes and errors"): one bad input of each class through
/// the built CLI; each must give its exit code and exactly one line on stderr that names the file
/// (or the argument) and the problem, with no stack trace and no exception type name.
/// </summary>
public sealed class ErrorCatalogueTests : IDisposable
{
    private const string Index = "<cpus>\n  <arch name='x86'>\n    <include filename='x86_vendors.xml'/>\n    <include filename='x86_features.xml'/>\n    <include filename='x86_m.xml'/>\n  </arch>\n</cpus>\n";
    private const string Vendors = "<cpus>\n  <vendor name='Intel' string='GenuineIntel'/>\n</cpus>\n";
    private const string Features = "<cpus>\n  <feature name='fpu'>\n    <cpuid eax_in='0x00000001' edx='0x00000001'/>\n  </feature>\n</cpus>\n";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("virtcpu-errors-");

    public void Dispose() => _dir.Delete(recursive: true);

    public static TheoryData<string> Classes() =>
    [
        "malformed-xml", "dtd", "empty-file", "file-too-large", "missing-file", "malformed-json", "unknown-model",
        "unknown-feature", "unknown-vendor", "unknown-catalog", "bad-usage", "malformed-lock", "map-unknown-feature",
        "map-unknown-ancestor", "qemu-missing", "qmp-timeout", "baseline-unknown-model", "baseline-unknown-feature",
        "baseline-vendor-mismatch", "decode-malformed-json",
    ];

    [Theory]
    [MemberData(nameof(Classes))]
    public void Each_error_class_gives_its_exit_code_and_one_line(string errorClass)
    {
        var (args, names, problem) = Case(errorClass);
        var (exit, _, stderr) = CliProcess.Run(_dir.FullName, args);
        var lines = stderr.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, $"{errorClass}: stderr has {lines.Length} lines:\n{stderr}");
        var line = lines[0];
        Assert.Equal(2, exit);
        Assert.StartsWith("virtcpu: ", line, StringComparison.Ordinal);
        Assert.Contains(names, line, StringComparison.Ordinal);
        Assert.Contains(problem, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_answer_exits_1()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "stale.lock"), "libvirt-11.3 486 sha256:" + new string('0', 64) + "\n");
        var (exit, _, _) = CliProcess.Run(_dir.FullName, "catalog", "lock", "--check", "--lock", "stale.lock");
        Assert.Equal(1, exit);
    }

    [Fact]
    public void An_incompatible_compare_exits_1()
    {
        Write("host.xml", Host("Intel"));
        Write("guest.xml", Host("AMD"));
        var (exit, stdout, _) = CliProcess.Run(_dir.FullName, "compare", "host.xml", "guest.xml");
        Assert.Equal(1, exit);
        Assert.Equal("incompatible", stdout.Trim());
    }

    private static string Host(string vendor, string model = "Haswell", string feature = "") =>
        $"<cpu>\n  <arch>x86_64</arch>\n  <model>{model}</model>\n  <vendor>{vendor}</vendor>\n{feature}</cpu>\n";

    private (string[] Args, string Names, string Problem) Case(string errorClass)
    {
        switch (errorClass)
        {
            case "baseline-unknown-model":
                Write("a.xml", Host("Intel"));
                Write("b.xml", Host("Intel", "NoSuchModel"));
                return (["baseline", "a.xml", "b.xml"], "virtcpu: a.xml, b.xml: ", "Unknown CPU model NoSuchModel");
            case "baseline-unknown-feature":
                Write("a.xml", Host("Intel"));
                Write("b.xml", Host("Intel", feature: "  <feature name='nosuchfeat'/>\n"));
                return (["baseline", "a.xml", "b.xml"], "virtcpu: a.xml, b.xml: ", "Unknown CPU feature nosuchfeat");
            case "baseline-vendor-mismatch":
                Write("a.xml", Host("Intel"));
                Write("b.xml", Host("AMD"));
                return (["baseline", "a.xml", "b.xml"], "virtcpu: a.xml, b.xml: ", "CPU vendor AMD of model Haswell differs from vendor Intel");
            case "decode-malformed-json":
                Write("reply.json", "{\"return\": {\"model\": ");
                return (["decode", "reply.json"], "reply.json: line 1: ", "malformed JSON");
            case "malformed-xml":
                Write("bad.xml", "<cpu><model>");
                return (["qemu", "cmdline", "bad.xml"], "bad.xml: ", "malformed XML at line 1");
            case "dtd":
                Write("bomb.xml", "<!DOCTYPE cpu [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>]><cpu><model>&b;</model></cpu>");
                return (["qemu", "cmdline", "bomb.xml"], "bomb.xml: ", "DTDs and entities are not allowed");
            case "empty-file":
                Write("empty.xml", string.Empty);
                return (["qemu", "cmdline", "empty.xml"], "empty.xml: ", "empty file");
            case "file-too-large":
                using (var big = File.Create(Path.Combine(_dir.FullName, "big.xml")))
                {
                    big.SetLength(VirtCpu.Formats.HostCaptures.CpuDataFile.MaxBytes + 1);
                }

                return (["qemu", "expand", "Skylake-Client", "--offer", "big.xml"], "big.xml: ", "file too large");
            case "missing-file":
                return (["qemu", "cmdline", "missing.xml"], "missing.xml: ", "no such file");
            case "malformed-json":
                Write("bad.json", "{\"return\": ");
                return (["qemu", "expand", "Skylake-Client", "--offer", "bad.json"], "bad.json: ", "malformed JSON");
            case "unknown-model":
                return (["qemu", "expand", "NoSuchModel"], "'NoSuchModel'", "not found");
            case "unknown-feature":
                return (["qemu", "expand", "Skylake-Client", "--feature=+nosuchfeat"], "nosuchfeat", "no CPU feature");
            case "unknown-vendor":
                Map("<cpus>\n  <model name='A'>\n    <decode host='on' guest='on'/>\n    <vendor name='Zhaoxin'/>\n  </model>\n</cpus>\n");
                return (["models", "--map", "map"], "x86_m.xml: line 4: ", "unknown vendor Zhaoxin");
            case "unknown-catalog":
                return (["models", "--catalog", "nope"], "'nope'", "unknown catalog");
            case "bad-usage":
                return (["models", "--bogus"], "'--bogus'", "Unrecognized");
            case "malformed-lock":
                Write("bad.lock", "libvirt-11.3 486 nothex\n");
                return (["catalog", "lock", "--check", "--lock", "bad.lock"], "bad.lock: line 1: ", "expected 'CATALOG MODEL sha256:HEX'");
            case "map-unknown-feature":
                Map("<cpus>\n  <model name='A'>\n    <decode host='on' guest='on'/>\n    <feature name='nosuch'/>\n  </model>\n</cpus>\n");
                return (["models", "--map", "map"], "x86_m.xml: line 4: ", "unknown feature nosuch");
            case "map-unknown-ancestor":
                Map("<cpus>\n  <model name='A'>\n    <decode host='on' guest='on'/>\n    <model name='NoSuch'/>\n  </model>\n</cpus>\n");
                return (["models", "--map", "map"], "x86_m.xml: line 4: ", "ancestor NoSuch not found");
            case "qemu-missing":
                return (["qemu", "probe", "--binary", "/no/such/qemu-system-x86_64", "--out", "probe.json"], "/no/such/qemu-system-x86_64: ", "cannot start");
            case "qmp-timeout":
                Write("fake-qemu", "#!/bin/sh\nsleep 5\n");
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(Path.Combine(_dir.FullName, "fake-qemu"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }

                return (["qemu", "probe", "--binary", "./fake-qemu", "--timeout", "1", "--out", "probe.json"], "./fake-qemu: ", "within 1 s");
            default:
                throw new ArgumentOutOfRangeException(nameof(errorClass), errorClass, "no such case");
        }
    }

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(_dir.FullName, name), text);

    private void Map(string models)
    {
        var map = Directory.CreateDirectory(Path.Combine(_dir.FullName, "map")).FullName;
        File.WriteAllText(Path.Combine(map, "index.xml"), Index);
        File.WriteAllText(Path.Combine(map, "x86_vendors.xml"), Vendors);
        File.WriteAllText(Path.Combine(map, "x86_features.xml"), Features);
        File.WriteAllText(Path.Combine(map, "x86_m.xml"), models);
    }
}
