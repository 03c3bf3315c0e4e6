using System.Diagnostics;
using System.Text;
using VirtCpu.Evolution;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Formats.QemuData;

namespace VirtCpu.Tests.Hostile;

/// <summary>
/// Every input the fuzzers (fuzz/) found to crash or hang a reader, kept under
/// <c>Fixtures/hostile/TARGET--what.ext</c> (TARGET as in <c>fuzz/run.sh</c>): each must now be accepted or refused with a one-line
/// <see cref="InputException"/>, within a second.
/// </summary>
public sealed class FuzzRegressionTests
{
    private static readonly string Folder = Path.Combine(SharedData.RepoRoot, "tests", "VirtCpu.Tests", "Fixtures", "hostile");

    public static TheoryData<string> Inputs()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Folder).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Fuzz_finding_is_accepted_or_refused_cleanly(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Folder, name));
        var text = Encoding.UTF8.GetString(bytes);
        Action parse = name[..name.IndexOf("--", StringComparison.Ordinal)] switch
        {
            "cpu-xml" => () => CpuXml.Format(CpuXml.Parse(text, name)),
            "capabilities" or "domcaps" => () => CpuXml.ParseAll(text, name),
            "cpudata" => () => CpuidXml.Parse(text, name),
            "cpuid-text" => () => CpuidText.Parse(text, name),
            "qemu-reply" => () => QemuReplyReader.Parse(bytes, name),
            "qemu-probe" => () => QemuProbeFile.Read(bytes, name),
            "vcat" => () => CatalogFile.Read(new StringReader(text), name),
            "qcat" => () => QcatReader.Read(text, name),
            "lock" => () => CatalogLock.Read(new StringReader(text), name),
            "node-profile" => () =>
            {
                using var doc = NodeProfileReader.ParseDocument(bytes, name);
                NodeProfileReader.Parse(doc.RootElement, name, "n", Folder);
            }
            ,
            "cpu-data-file" => () => CpuDataFile.Parse(bytes, name),
            var other => throw new InvalidOperationException($"{name}: no reader for '{other}'"),
        };
        var watch = Stopwatch.StartNew();
        try
        {
            parse();
        }
        catch (InputException e)
        {
            Assert.DoesNotContain('\n', e.Message);
            Assert.DoesNotContain('\r', e.Message);
            Assert.Equal(name, e.File);
        }

        HangBound.Check(watch, name);
    }
}
