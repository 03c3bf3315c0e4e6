using CsCheck;
using VirtCpu.Catalog;

namespace VirtCpu.Tests.Catalog;

public class FeatureSetTests
{
    private static readonly Gen<int[]> Indices = Gen.Int[0, FeatureSet.Capacity - 1].Array[0, 40];

    [Fact]
    public void Empty_set_has_nothing()
    {
        Assert.True(FeatureSet.Empty.IsEmpty);
        Assert.Equal(0, FeatureSet.Empty.Count);
        Assert.False(FeatureSet.Empty.Contains(0));
    }

    [Fact]
    public void Enumerates_in_ascending_order_across_words()
    {
        var s = FeatureSet.Of(511, 3, 64, 63, 200);
        Assert.Equal(new[] { 3, 63, 64, 200, 511 }, s.ToArray());
        Assert.Equal(5, s.Count);
    }

    [Fact]
    public void Rejects_indices_beyond_capacity()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FeatureSet.Of(FeatureSet.Capacity));
        Assert.Throws<ArgumentOutOfRangeException>(() => FeatureSet.Empty.With(-1));
    }

    [Fact]
    public void Algebra_agrees_with_hash_sets()
    {
        Gen.Select(Indices, Indices).Sample((a, b) =>
        {
            var sa = FeatureSet.Of(a);
            var sb = FeatureSet.Of(b);
            var ha = a.ToHashSet();
            var hb = b.ToHashSet();
            Assert.Equal(ha.Union(hb).Order(), (sa | sb).ToArray());
            Assert.Equal(ha.Intersect(hb).Order(), (sa & sb).ToArray());
            Assert.Equal(ha.Except(hb).Order(), (sa - sb).ToArray());
            Assert.Equal(hb.IsSubsetOf(ha), sa.ContainsAll(sb));
            Assert.Equal(ha.Overlaps(hb), sa.Overlaps(sb));
            Assert.Equal(ha.SetEquals(hb), sa == sb);
        });
    }
}
