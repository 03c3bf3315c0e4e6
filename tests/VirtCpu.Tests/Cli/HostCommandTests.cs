using System.Runtime.Intrinsics.X86;
using System.Text.Json;

namespace VirtCpu.Tests.Cli;

public class HostCommandTests
{
    [Fact]
    public void Host_names_a_model_and_judges_every_catalog_model()
    {
        if (!X86Base.IsSupported)
        {
            Assert.Skip("virtcpu host reads CPUID, which this processor does not have");
        }

        var r = CliRunner.Run("host", "--json", "--no-qemu");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal("libvirt-11.3", root.GetProperty("catalog").GetString());
        Assert.True(root.GetProperty("approximate").GetBoolean());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("hostModel").GetString()));
        Assert.StartsWith("<cpu>", root.GetProperty("hostCpu").GetString(), StringComparison.Ordinal);
        var models = root.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(150, models.Count);
        Assert.Contains(models, m => m.GetProperty("usable").GetString() == "yes");

        // A usable model has no blockers, a blocked one names at least one.
        foreach (var m in models)
        {
            var blockers = m.GetProperty("blockers").GetArrayLength();
            switch (m.GetProperty("usable").GetString())
            {
                case "yes": Assert.Equal(0, blockers); break;
                case "no": Assert.True(blockers > 0, m.GetProperty("name").GetString()); break;
                default: Assert.Equal("unknown", m.GetProperty("usable").GetString()); break;
            }
        }
    }

    [Fact]
    public void Host_table_says_which_view_it_used()
    {
        if (!X86Base.IsSupported)
        {
            Assert.Skip("virtcpu host reads CPUID, which this processor does not have");
        }

        var r = CliRunner.Run("host", "--no-qemu", "--catalog", "libvirt-9.0");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("Host CPU (libvirt-9.0 host decode): ", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("View: raw CPUID of this machine", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("of 58 in libvirt-9.0", r.Stdout, StringComparison.Ordinal);
    }
}
