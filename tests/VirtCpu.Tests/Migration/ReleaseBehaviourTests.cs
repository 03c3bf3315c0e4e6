using VirtCpu.Formats;
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
    public void A_behaviour_line_without_a_source_is_refused()
    {
        var e = Assert.Throws<InputException>(() => BehaviourFile.Parse("behaviour 1\nrelease libvirt 9.0\ncheck-partial whole-definition\n", "x.behaviour"));
        Assert.Equal("x.behaviour: line 3: behaviour 'check-partial' says nothing of where it comes from (add '# source')", e.Message);
    }
}
