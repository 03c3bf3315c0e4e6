using VirtCpu.Catalog;

namespace VirtCpu.Tests.Formats;

/// <summary>Field-by-field equality of catalogs (records holding immutable arrays do not compare them by value).</summary>
internal static class CatalogAssert
{
    public static void Equal(CpuCatalog expected, CpuCatalog actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Vendors.Select(v => (v.Name, v.CpuidString)), actual.Vendors.Select(v => (v.Name, v.CpuidString)));
        Assert.Equal(expected.Features.Length, actual.Features.Length);
        for (var i = 0; i < expected.Features.Length; i++)
        {
            var e = expected.Features[i];
            var a = actual.Features[i];
            Assert.Equal(e.Name, a.Name);
            Assert.Equal(e.Index, a.Index);
            Assert.Equal(e.Migratable, a.Migratable);
            Assert.Equal(e.Bits, a.Bits);
            Assert.Equal(e.Aliases, a.Aliases);
        }

        Assert.Equal(expected.Models.Length, actual.Models.Length);
        for (var i = 0; i < expected.Models.Length; i++)
        {
            var e = expected.Models[i];
            var a = actual.Models[i];
            Assert.Equal(e.Name, a.Name);
            Assert.Equal(e.Index, a.Index);
            Assert.Equal(e.Vendor?.Name, a.Vendor?.Name);
            Assert.Equal(e.Signatures, a.Signatures);
            Assert.True(e.Features == a.Features, $"model {e.Name}: features differ");
            Assert.Equal(e.RemovedFeatures, a.RemovedFeatures);
            Assert.Equal(e.AddedFeatures, a.AddedFeatures);
            Assert.Equal(e.Ancestor, a.Ancestor);
            Assert.Equal(e.IsAlias, a.IsAlias);
            Assert.Equal(e.Canonical, a.Canonical);
            Assert.Equal(e.DecodeHost, a.DecodeHost);
            Assert.Equal(e.DecodeGuest, a.DecodeGuest);
            Assert.Equal(e.CompatCheck, a.CompatCheck);
        }
    }
}
