using System.Diagnostics;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Engine;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.ProjectFiles;

namespace VirtCpu.Bench;

/// <summary>A Stopwatch breakdown of one <c>virtcpu baseline</c> run, stage by stage.</summary>
public static class Breakdown
{
    /// <summary>Runs the stages eight times and prints each stage's time.</summary>
    /// <param name="file">A file of concatenated host <c>&lt;cpu&gt;</c> elements.</param>
    /// <param name="map">A libvirt cpu_map directory, or null for the built-in libvirt-11.3 catalog.</param>
    public static void Run(string file, string? map)
    {
        for (var round = 0; round < 8; round++)
        {
            var sw = Stopwatch.StartNew();
            CpuCatalog catalog = map is null ? CatalogLoad() : LibvirtMapReader.Load(map);
            var tCatalog = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            var bytes = InputFile.ReadAllBytes(file);
            var tRead = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            var cpus = CpuXml.ParseAll(bytes, file, CpuType.Host);
            var tParse = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            var result = new CpuBaseline(catalog).Compute(cpus);
            var tCompute = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            var output = CpuXml.Format(result, map is null ? CpuXmlStyle.Libvirt11 : CpuXmlStyle.Libvirt9);
            var tFormat = sw.Elapsed.TotalMilliseconds;
            Console.WriteLine(FormattableString.Invariant(
                $"round {round}: catalog {tCatalog:F1} ms, read {tRead:F1} ms, parse {cpus.Length} CPUs {tParse:F1} ms, baseline {tCompute:F1} ms, format {tFormat:F2} ms ({output.Length} chars)"));
        }
    }

    private static CpuCatalog CatalogLoad()
    {
        using var reader = new StreamReader(typeof(BuiltInCatalogs).Assembly.GetManifestResourceStream("VirtCpu.Catalogs.libvirt-11.3.vcat")!);
        return CatalogFile.Read(reader, "libvirt-11.3");
    }
}
