using VirtCpu.Evolution;
using VirtCpu.Formats.ProjectFiles;

namespace VirtCpu.Tests.Evolution;

public class HypervisorLockTests
{
    [Fact]
    public void Lock_covers_every_QEMU_model_version()
    {
        var sources = CatalogLock.BuiltInSources().ToList();
        foreach (var name in BuiltInHypervisors.Names)
        {
            var catalog = BuiltInHypervisors.Get(name);
            var locked = sources.Where(s => s.Catalog == catalog.Name).Select(s => s.Model).ToHashSet(StringComparer.Ordinal);
            var versions = catalog.Models.SelectMany(m => m.Versions).Select(v => v.Name).ToList();
            Assert.NotEmpty(versions);
            Assert.All(versions, v => Assert.Contains(v, locked));
        }
    }

    [Fact]
    public void QEMU_never_changed_a_released_version_between_7_2_and_10_0()
    {
        // docs/design.md#64-checking-the-tables: all 74 (model, version) pairs present in both releases are identical.
        var entries = CatalogLock.Compute(CatalogLock.BuiltInSources());
        var old = entries.Where(e => e.Catalog == "qemu-7.2").ToDictionary(e => e.Model, e => e.Fingerprint, StringComparer.Ordinal);
        var common = entries.Where(e => e.Catalog == "qemu-10.0" && old.ContainsKey(e.Model)).ToList();
        Assert.Equal(74, common.Count);
        Assert.All(common, e => Assert.Equal(old[e.Model], e.Fingerprint));
    }
}
