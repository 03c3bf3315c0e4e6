using System.Collections.Immutable;
using System.Text;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Cpuid;
using VirtCpu.Engine;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Bench;

/// <summary>Inputs shared by the benchmarks: the project's fixtures and generated host CPUs.</summary>
public static class Data
{
    /// <summary>The fixed seed of every generated input.</summary>
    public const int Seed = 20261125;

    // Real Intel models whose features are varied into hosts.
    private static readonly string[] HostModels =
    [
        "Nehalem", "Westmere", "SandyBridge", "IvyBridge", "Haswell", "Broadwell", "Skylake-Client",
        "Skylake-Server", "Cascadelake-Server", "Icelake-Server", "Cooperlake",
    ];

    // Features a real host may or may not have on top of its model.
    private static readonly string[] ExtraFeatures = ["vmx", "hypervisor", "pdcm", "invtsc", "ss", "pcid", "tsc_adjust", "umip"];

    /// <summary>The repository root (the folder holding VirtCpu.slnx), found upwards from the binary.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The CPU data of the test fixture <c>cpudata-virtual-turin.xml</c> (an AMD Turin guest's CPUID).</summary>
    /// <param name="catalog">The catalog to view it with.</param>
    /// <returns>The data.</returns>
    public static CpuData Turin(CpuCatalog catalog)
    {
        var path = Path.Combine(RepoRoot, "tests", "VirtCpu.Tests", "Fixtures", "cpudata-virtual-turin.xml");
        return CpuData.FromRaw(CpuDataFile.Read(path).Raw!, catalog);
    }

    /// <summary>
    /// Host CPUs as libvirt's host decode gives them: CPU data of a real Intel model of the
    /// catalog with a few features dropped and a few of the catalog's Intel-era features added
    /// (seeded), decoded as hosts.
    /// </summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="count">How many hosts.</param>
    /// <returns>The host CPU definitions.</returns>
    public static ImmutableArray<CpuDefinition> Hosts(CpuCatalog catalog, int count)
    {
        var decoder = new CpuDecoder(catalog);
        var result = new List<CpuDefinition>(count);
        foreach (var features in HostFeatures(catalog, 4 * count))
        {
            try
            {
                result.Add(decoder.DecodeHost(new CpuData(features, "GenuineIntel")));
            }
            catch (CpuEngineException)
            {
                continue; // a variation no model fits (a basic feature dropped): not a host
            }

            if (result.Count == count)
            {
                break;
            }
        }

        return [.. result];
    }

    /// <summary>The feature sets of generated hosts (see <see cref="Hosts"/>), before decoding.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="count">How many hosts.</param>
    /// <returns>The feature sets.</returns>
    public static ImmutableArray<FeatureSet> HostFeatures(CpuCatalog catalog, int count)
    {
        var random = new Random(Seed);
        var models = HostModels.Select(n => catalog.FindModel(n)).OfType<CpuModel>().ToArray();
        var extras = ExtraFeatures.Select(n => catalog.FindFeature(n)).OfType<Feature>().ToArray();
        var result = ImmutableArray.CreateBuilder<FeatureSet>(count);
        for (var i = 0; i < count; i++)
        {
            var model = models[random.Next(models.Length)];
            var features = model.Features;
            foreach (var f in extras)
            {
                if (random.Next(2) == 0)
                {
                    features = features.With(f.Index);
                }
            }

            var indexes = features.ToArray();
            for (var k = 0; k < 2; k++)
            {
                features = features.Without(indexes[random.Next(indexes.Length)]);
            }

            result.Add(features);
        }

        return result.MoveToImmutable();
    }

    /// <summary>Hosts formatted as concatenated <c>&lt;cpu&gt;</c> elements, as <c>virsh cpu-baseline</c> reads them.</summary>
    /// <param name="hosts">The hosts.</param>
    /// <returns>The text.</returns>
    public static string Concatenated(IEnumerable<CpuDefinition> hosts)
    {
        var sb = new StringBuilder();
        foreach (var h in hosts)
        {
            sb.Append(CpuXml.Format(h));
        }

        return sb.ToString();
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VirtCpu.slnx")))
            {
                return dir.FullName;
            }
        }

        var cwd = Directory.GetCurrentDirectory();
        return File.Exists(Path.Combine(cwd, "VirtCpu.slnx")) ? cwd : throw new InvalidOperationException("VirtCpu.slnx not found above " + AppContext.BaseDirectory);
    }
}
