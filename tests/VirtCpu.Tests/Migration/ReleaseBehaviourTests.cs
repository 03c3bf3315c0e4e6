using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Tests.Cli;

namespace VirtCpu.Tests.Migration;

/// <summary>Each libvirt and QEMU release's behaviour is data: built in, refused by name when absent, addable without code.</summary>
public class ReleaseBehaviourTests
{
    private const string Westmere = "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>Westmere</model></cpu>";

    [Fact]
    public void Built_in_behaviour_files_cover_the_modelled_releases()
    {
        Assert.Equal(["libvirt-11.3", "libvirt-12.8", "libvirt-7.0", "libvirt-9.0"], BehaviourFile.BuiltInNames.Where(n => n.StartsWith("libvirt-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(["7.0", "9.0", "11.3", "12.8"], BehaviourFile.Modelled("libvirt"));
        var nine = BehaviourFile.For("libvirt", new Version(9, 0, 0), null);
        Assert.Equal(["whole-definition"], nine.Values("check-partial"));
        Assert.Equal(["ht"], BehaviourFile.For("qemu", new Version(10, 0), null).Values("multi-cpu-package"));
        Assert.Empty(BehaviourFile.For("qemu", new Version(7, 2), null).Values("multi-cpu-package"));
        Assert.Equal(["ht"], BehaviourFile.For("qemu", new Version(7, 2), null).Values("cpuid-multi-cpu-package"));
        Assert.Equal(["ht", "cmp_legacy"], BehaviourFile.For("libvirt", new Version(12, 8), null).Values("live-unrecorded"));
    }

    [Fact]
    public void A_profile_naming_an_unmodelled_libvirt_release_is_refused_by_name()
    {
        using var dir = new TempDirectory();
        var guest = dir.Write("g.xml", Westmere);
        var node = dir.Write("n.json", """{"libvirt": "12.9.0", "catalog": "libvirt-11.3", "qemu": "qemu-10.0", "machine": "pc-i440fx-10.0", "accel": "tcg", "host": {"vendor": "AMD", "family": 23, "model": 1, "features": ["sse2"]}}""");
        var r = CliRunner.Run("start", "--guest", guest, "--on", node);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"virtcpu: {node}: libvirt 12.9 is not modelled; modelled: 7.0, 9.0, 11.3, 12.8", r.Stderr.Trim());
    }

    [Fact]
    public void A_new_release_is_a_data_file_in_a_folder_no_code()
    {
        using var dir = new TempDirectory();
        dir.Write("libvirt-42.1.behaviour", "behaviour 1\nrelease libvirt 42.1\ncheck-partial whole-definition # test: a release added as data\n");
        var guest = dir.Write("g.xml", Westmere);
        var node = dir.Write("n.json", """{"libvirt": "42.1", "catalog": "libvirt-11.3", "qemu": "qemu-10.0", "machine": "pc-i440fx-10.0", "accel": "tcg", "host": {"vendor": "Intel", "family": 6, "model": 44, "features": ["sse2"]}}""");
        var refused = CliRunner.Run("start", "--guest", guest, "--on", node);
        Assert.Equal(2, refused.ExitCode);
        var env = new Dictionary<string, string> { ["VIRTCPU_BEHAVIOUR_PATH"] = dir.Path };
        var r = CliRunner.RunWith(null, env, "start", "--guest", guest, "--on", node);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.StartsWith("STARTED on n", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_release_with_its_own_spelling_and_never_passed_features_is_data_no_code()
    {
        using var dir = new TempDirectory();
        // A made-up libvirt 42.3: 11.3's behaviour, one feature spelt differently towards QEMU, and rdtscp never passed.
        var text = BehaviourFile.BuiltInText("libvirt-11.3").Replace("release libvirt 11.3", "release libvirt 42.3", StringComparison.Ordinal)
            + "qemu-spelling rdtscp rdtscp-42 # test: a spelling only this release has\n"
            + "never-passed rdtscp # test: a feature only this release leaves out of -cpu\n";
        dir.Write("libvirt-42.3.behaviour", text);
        var env = new Dictionary<string, string> { ["VIRTCPU_BEHAVIOUR_PATH"] = dir.Path };
        var guest = dir.Write("g.xml", "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>Westmere</model><feature policy='require' name='rdtscp'/><feature policy='require' name='tsc_adjust'/></cpu>");
        const string Host = "\"accel\": \"tcg\", \"catalog\": \"libvirt-11.3\", \"qemu\": \"qemu-10.0\", \"machine\": \"pc-i440fx-10.0\", \"host\": {\"vendor\": \"Intel\", \"family\": 6, \"model\": 44, \"features\": [\"sse2\"]}";
        var old = dir.Write("old.json", "{\"libvirt\": \"11.3.0\", " + Host + "}");
        var added = dir.Write("new.json", "{\"libvirt\": \"42.3.0\", " + Host + "}");

        var cmdline = CliRunner.RunWith(null, env, "qemu", "cmdline", guest, "--libvirt", "42.3");
        Assert.True(cmdline.ExitCode == 0, cmdline.Stderr);
        Assert.Equal("-cpu Westmere,tsc-adjust=on", cmdline.Stdout.Trim());
        var spelt = dir.Write("s.xml", "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>Westmere</model><feature policy='require' name='rdtscp'/></cpu>");
        File.WriteAllText(Path.Combine(dir.Path, "libvirt-42.4.behaviour"), text.Replace("42.3", "42.4", StringComparison.Ordinal).Replace("never-passed rdtscp #", "# ", StringComparison.Ordinal));
        Assert.Equal("-cpu Westmere,rdtscp-42=on", CliRunner.RunWith(null, env, "qemu", "cmdline", spelt, "--libvirt", "42.4").Stdout.Trim());
        Assert.Equal("-cpu Westmere,rdtscp=on", CliRunner.RunWith(null, env, "qemu", "cmdline", spelt, "--libvirt", "11.3").Stdout.Trim());

        // Started by 11.3, rdtscp reaches QEMU and the guest has it; started by 42.3, QEMU never hears of it.
        var before = CliRunner.RunWith(null, env, "start", "--guest", guest, "--on", old);
        Assert.True(before.ExitCode == 0, before.Stdout + before.Stderr);
        Assert.Contains("<feature policy='require' name='rdtscp'/>", before.Stdout, StringComparison.Ordinal);
        var after = CliRunner.RunWith(null, env, "start", "--guest", guest, "--on", added);
        Assert.True(after.ExitCode == 0, after.Stdout + after.Stderr);
        Assert.Contains("<feature policy='disable' name='rdtscp'/>", after.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(" rdtscp ", after.Stdout.Split("enabled", 2)[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("behaviour 1\nrelease libvirt 9.0\nqemu-spelling a # s\n", "line 3: expected 'qemu-spelling LIBVIRT-NAME QEMU-NAME # source'")]
    [InlineData("behaviour 1\nrelease libvirt 9.0\nqemu-spelling a b # s\nqemu-spelling c b # s\n", "the spelling c = b repeats a name of another pair")]
    [InlineData("behaviour 1\nrelease qemu 9.0\nnever-passed cmt # s\n", "line 3: behaviour 'never-passed' belongs to a libvirt release, not to a qemu release")]
    [InlineData("behaviour 1\nrelease libvirt 9.0\ncheck-partial compat-marks # s\ncheck-partial whole-definition # s\n", "line 4: behaviour 'check-partial' is given twice")]
    [InlineData("behaviour 1\nnever-passed cmt # s\nrelease libvirt 9.0\n", "line 2: behaviour 'never-passed' before the 'release' line")]
    public void Malformed_behaviour_lines_are_refused_with_the_line(string text, string problem)
    {
        var e = Assert.Throws<InputException>(() => BehaviourFile.Parse(text, "x.behaviour"));
        Assert.Equal("x.behaviour: " + problem, e.Message);
    }

    [Fact]
    public void Spelling_and_never_passed_lines_add_up_per_release()
    {
        var b113 = BehaviourFile.For("libvirt", new Version(11, 3), null);
        Assert.Equal(15, b113.Spelling.Pairs.Length);
        Assert.Equal("vmx-invept-single-context-noglobals", b113.Spelling.ToQemu("vmx-invvpid-single-context-noglobals"));
        Assert.Equal(["cmt", "mbm_total", "mbm_local", "osxsave", "ospke", "vmx-ept-uc", "vmx-ept-wb", "vmx-invvpid-single-context"], b113.AllValues("never-passed"));
        var b70 = BehaviourFile.For("libvirt", new Version(7, 0), null);
        Assert.Equal(11, b70.Spelling.Pairs.Length);
        Assert.Equal("vmx-invept-single-context-noglobals", b70.Spelling.ToQemu("vmx-invept-single-context-noglobals"));
        Assert.False(b70.NeverPassed("vmx-ept-uc"));
        Assert.True(b70.NeverPassed("ospke"));
        Assert.Contains("libvirt 7.0.0", b70.EntryWith("never-passed", "cmt")!.Source, StringComparison.Ordinal);
        var b128 = BehaviourFile.For("libvirt", new Version(12, 8), null);
        Assert.Equal(b113.Spelling.Pairs, b128.Spelling.Pairs);
        Assert.All(b128.Entries, e => Assert.StartsWith("lab: ", e.Source, StringComparison.Ordinal));
        Assert.Equal(["ht", "cmp_legacy"], b128.AllValues("live-unrecorded"));
        Assert.Empty(b113.AllValues("live-unrecorded"));
    }

    [Fact]
    public void A_behaviour_line_without_a_source_is_refused()
    {
        var e = Assert.Throws<InputException>(() => BehaviourFile.Parse("behaviour 1\nrelease libvirt 9.0\ncheck-partial whole-definition\n", "x.behaviour"));
        Assert.Equal("x.behaviour: line 3: behaviour 'check-partial' says nothing of where it comes from (add '# source')", e.Message);
    }
}
