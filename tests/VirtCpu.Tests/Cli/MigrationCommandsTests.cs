using System.Text.Json;

namespace VirtCpu.Tests.Cli;

/// <summary>
/// The migration commands end to end through the built CLI: <c>start</c>, <c>migrate-check</c>
/// (single and batch, text and JSON) and <c>translate</c>, with their verdict words and exit codes,
/// on node profiles whose hosts are reference CPUID dumps.
/// </summary>
public sealed class MigrationCommandsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("virtcpu-migrate-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Start_prints_the_live_definition_or_the_failing_step()
    {
        Setup();
        var (exit, stdout, _) = CliProcess.Run(_dir.FullName, "start", "--guest", "epyc.xml", "--on", "amd-11.json");
        Assert.Equal(0, exit);
        Assert.StartsWith("STARTED on amd-11 (libvirt-11.3, qemu-10.0, pc-q35-9.2): model EPYC resolves to EPYC-v1", stdout, StringComparison.Ordinal);
        Assert.Contains("<cpu mode='custom' match='exact' check='full'>", stdout, StringComparison.Ordinal);
        Assert.Contains("<feature policy='disable' name='svm'/>", stdout, StringComparison.Ordinal);

        (exit, stdout, _) = CliProcess.Run(_dir.FullName, "start", "--guest", "skylake.xml", "--on", "amd-11.json");
        Assert.Equal(1, exit);
        Assert.StartsWith("FAILED at compare: The host CPU does not provide required features ", stdout, StringComparison.Ordinal);
        Assert.Contains("avx512f", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Migrate_check_gives_each_verdict_its_word_and_exit_code()
    {
        Setup();
        var (exit, stdout, _) = CliProcess.Run(_dir.FullName, "migrate-check", "--guest", "epyc.xml", "--from", "amd-11.json", "--to", "amd-11.json");
        Assert.Equal(0, exit);
        Assert.StartsWith("SAFE: ", stdout, StringComparison.Ordinal);

        (exit, stdout, _) = CliProcess.Run(_dir.FullName, "migrate-check", "--guest", "qemu64.xml", "--from", "intel-11.json", "--to", "amd-11.json");
        Assert.Equal(1, exit);
        Assert.StartsWith("UNSAFE: The destination starts the guest but its CPU changes: the vendor changes from GenuineIntel to AuthenticAMD.", stdout, StringComparison.Ordinal);

        (exit, stdout, _) = CliProcess.Run(_dir.FullName, "migrate-check", "--guest", "epyc-v1.xml", "--from", "amd-11.json", "--to", "amd-9.json");
        Assert.Equal(1, exit);
        Assert.StartsWith("BLOCKED at parse: ", stdout, StringComparison.Ordinal);
        Assert.Contains("libvirt-9.0 cannot read the definition: unknown CPU model 'EPYC-v1'", stdout, StringComparison.Ordinal);
        Assert.Contains("with this definition the migration would be SAFE", stdout, StringComparison.Ordinal);

        (exit, stdout, _) = CliProcess.Run(_dir.FullName, "migrate-check", "--guest", "skylake.xml", "--from", "amd-11.json", "--to", "intel-11.json");
        Assert.Equal(1, exit);
        Assert.StartsWith("SOURCE-FAILS at compare: The guest does not start on the source node", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Migrate_check_json_has_the_verdict_step_and_names()
    {
        Setup();
        var (exit, stdout, _) = CliProcess.Run(_dir.FullName, "migrate-check", "--guest", "epyc-v1.xml", "--from", "amd-11.json", "--to", "amd-9.json", "--json");
        Assert.Equal(1, exit);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("BLOCKED", root.GetProperty("verdict").GetString());
        Assert.Equal("parse", root.GetProperty("step").GetString());
        Assert.Equal(["EPYC-v1"], root.GetProperty("names").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("<model fallback='allow'>EPYC-v1</model>", root.GetProperty("source").GetProperty("live").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_counts_every_ordered_pair_and_exits_1_unless_all_are_safe()
    {
        Setup();
        var guests = Directory.CreateDirectory(Path.Combine(_dir.FullName, "guests"));
        foreach (var g in new[] { "epyc.xml", "qemu64.xml", "epyc-v1.xml", "skylake.xml" })
        {
            File.Copy(Path.Combine(_dir.FullName, g), Path.Combine(guests.FullName, g));
        }

        File.WriteAllText(Path.Combine(_dir.FullName, "nodes.json"), """[{"name": "amd-11", "profile": "amd-11.json"}, {"name": "amd-9", "profile": "amd-9.json"}, {"name": "intel-11", "profile": "intel-11.json"}]""");
        var (exit, stdout, stderr) = CliProcess.Run(_dir.FullName, "migrate-check", "--guests", "guests", "--nodes", "nodes.json", "--quiet", "--json");
        Assert.Equal(1, exit);
        Assert.Equal(string.Empty, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(4 * 3 * 2, root.GetProperty("verdicts").GetInt32());
        var counts = root.GetProperty("counts");
        Assert.Equal(24, new[] { "SAFE", "BLOCKED", "UNSAFE", "SOURCE-FAILS" }.Sum(v => counts.GetProperty(v).GetInt32()));
        Assert.Equal(
            "UNSAFE",
            root.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("guest").GetString() == "qemu64.xml" && r.GetProperty("from").GetString() == "intel-11" && r.GetProperty("to").GetString() == "amd-11").GetProperty("verdict").GetString());
        Assert.Equal(
            "BLOCKED",
            root.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("guest").GetString() == "epyc-v1.xml" && r.GetProperty("from").GetString() == "amd-11" && r.GetProperty("to").GetString() == "amd-9").GetProperty("verdict").GetString());
    }

    [Fact]
    public void A_maximum_guest_under_tcg_is_unsupported_not_a_verdict()
    {
        Setup();
        File.WriteAllText(Path.Combine(_dir.FullName, "amd-tcg.json"), """{"catalog": "libvirt-11.3", "qemu": "10.0", "machine": "pc-q35-9.2", "accel": "tcg", "host": {"cpuid": "epyc-host.xml"}}""");
        File.WriteAllText(Path.Combine(_dir.FullName, "max.xml"), "<cpu mode='maximum'/>\n");
        const string Message = "virtcpu: max.xml: unsupported: a maximum guest on node amd-tcg under TCG (qemu-10.0's -cpu max) is not modelled; maximum is modelled under KVM only, where it is the host's CPU\n";

        var (exit, stdout, stderr) = CliProcess.Run(_dir.FullName, "migrate-check", "--guest", "max.xml", "--from", "amd-tcg.json", "--to", "amd-11.json");
        Assert.Equal((2, string.Empty, Message), (exit, stdout, stderr));
        (exit, stdout, stderr) = CliProcess.Run(_dir.FullName, "migrate-check", "--guest", "max.xml", "--from", "amd-11.json", "--to", "amd-tcg.json");
        Assert.Equal((2, string.Empty, Message), (exit, stdout, stderr));
        (exit, stdout, stderr) = CliProcess.Run(_dir.FullName, "start", "--guest", "max.xml", "--on", "amd-tcg.json");
        Assert.Equal((2, string.Empty, Message), (exit, stdout, stderr));

        // Under KVM it is modelled: the host's CPU.
        (exit, stdout, _) = CliProcess.Run(_dir.FullName, "migrate-check", "--guest", "max.xml", "--from", "amd-11.json", "--to", "amd-11.json");
        Assert.Equal(0, exit);
        Assert.StartsWith("SAFE: ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_rewrites_a_versioned_name_for_an_older_catalog()
    {
        Setup();
        var (exit, stdout, _) = CliProcess.Run(_dir.FullName, "translate", "--guest", "epyc-v1.xml", "--to", "amd-9.json");
        Assert.Equal(0, exit);
        Assert.StartsWith("EPYC-v1 is written for libvirt-9.0 as EPYC with ", stdout, StringComparison.Ordinal);
        Assert.Contains("<model fallback='forbid'>EPYC</model>", stdout, StringComparison.Ordinal);
    }

    private void Setup()
    {
        var cputest = SharedData.Require("libvirt-11.3/cputestdata");
        File.Copy(Path.Combine(cputest, "x86_64-cpuid-EPYC-7601-32-Core.xml"), Path.Combine(_dir.FullName, "epyc-host.xml"));
        File.Copy(Path.Combine(cputest, "x86_64-cpuid-Xeon-Gold-6148.xml"), Path.Combine(_dir.FullName, "gold-host.xml"));
        foreach (var (name, catalog, host) in new[] { ("amd-11", "libvirt-11.3", "epyc-host.xml"), ("amd-9", "libvirt-9.0", "epyc-host.xml"), ("intel-11", "libvirt-11.3", "gold-host.xml") })
        {
            File.WriteAllText(Path.Combine(_dir.FullName, name + ".json"), $$$"""{"catalog": "{{{catalog}}}", "qemu": "10.0", "machine": "pc-q35-9.2", "accel": "kvm", "host": {"cpuid": "{{{host}}}"}}""");
        }

        Guest("epyc.xml", "partial", "EPYC");
        Guest("qemu64.xml", "none", "qemu64");
        Guest("epyc-v1.xml", "partial", "EPYC-v1");
        Guest("skylake.xml", "partial", "Skylake-Server");
    }

    private void Guest(string file, string check, string model) =>
        File.WriteAllText(Path.Combine(_dir.FullName, file), $"<cpu mode='custom' match='exact' check='{check}'><model>{model}</model></cpu>\n");
}
