using System.Numerics;
using System.Runtime.CompilerServices;

namespace VirtCpu.Catalog;

/// <summary>
/// A fixed-width set of features, indexed by a catalog's feature order (bit <c>i</c> is the
/// catalog's feature number <c>i</c>). Set algebra is a handful of machine words, with no allocation.
/// </summary>
/// <remarks>The width is <see cref="Capacity"/> features; catalogs refuse to load more.</remarks>
public readonly struct FeatureSet : IEquatable<FeatureSet>
{
    /// <summary>The number of 64-bit words in a set.</summary>
    public const int WordCount = 8;

    /// <summary>The largest number of features a catalog may define.</summary>
    public const int Capacity = WordCount * 64;

    private readonly Words _words;

    private FeatureSet(Words words) => _words = words;

    /// <summary>The empty set.</summary>
    public static FeatureSet Empty => default;

    /// <summary>Builds a set from feature indices.</summary>
    /// <param name="indices">Feature indices, each below <see cref="Capacity"/>.</param>
    /// <returns>The set holding exactly those indices.</returns>
    public static FeatureSet Of(IEnumerable<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var w = default(Words);
        foreach (var i in indices)
        {
            CheckIndex(i);
            w[i >> 6] |= 1UL << (i & 63);
        }

        return new FeatureSet(w);
    }

    /// <summary>Builds a set from feature indices.</summary>
    /// <param name="indices">Feature indices, each below <see cref="Capacity"/>.</param>
    /// <returns>The set holding exactly those indices.</returns>
    public static FeatureSet Of(params ReadOnlySpan<int> indices)
    {
        var w = default(Words);
        foreach (var i in indices)
        {
            CheckIndex(i);
            w[i >> 6] |= 1UL << (i & 63);
        }

        return new FeatureSet(w);
    }

    /// <summary>True when the set holds no feature.</summary>
    public bool IsEmpty
    {
        get
        {
            for (var k = 0; k < WordCount; k++)
            {
                if (_words[k] != 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The number of features in the set.</summary>
    public int Count
    {
        get
        {
            var n = 0;
            for (var k = 0; k < WordCount; k++)
            {
                n += BitOperations.PopCount(_words[k]);
            }

            return n;
        }
    }

    /// <summary>Tests membership of one feature.</summary>
    /// <param name="index">The feature index.</param>
    /// <returns>True when the feature is in the set.</returns>
    public bool Contains(int index)
    {
        CheckIndex(index);
        return (_words[index >> 6] & (1UL << (index & 63))) != 0;
    }

    /// <summary>Returns this set with one feature added.</summary>
    /// <param name="index">The feature index.</param>
    /// <returns>The new set.</returns>
    public FeatureSet With(int index)
    {
        CheckIndex(index);
        var w = _words;
        w[index >> 6] |= 1UL << (index & 63);
        return new FeatureSet(w);
    }

    /// <summary>Returns this set with one feature removed.</summary>
    /// <param name="index">The feature index.</param>
    /// <returns>The new set.</returns>
    public FeatureSet Without(int index)
    {
        CheckIndex(index);
        var w = _words;
        w[index >> 6] &= ~(1UL << (index & 63));
        return new FeatureSet(w);
    }

    /// <summary>Set union.</summary>
    /// <param name="other">The other set.</param>
    /// <returns>Features in either set.</returns>
    public FeatureSet Union(FeatureSet other)
    {
        var w = _words;
        for (var k = 0; k < WordCount; k++)
        {
            w[k] |= other._words[k];
        }

        return new FeatureSet(w);
    }

    /// <summary>Set intersection.</summary>
    /// <param name="other">The other set.</param>
    /// <returns>Features in both sets.</returns>
    public FeatureSet Intersect(FeatureSet other)
    {
        var w = _words;
        for (var k = 0; k < WordCount; k++)
        {
            w[k] &= other._words[k];
        }

        return new FeatureSet(w);
    }

    /// <summary>Set difference.</summary>
    /// <param name="other">The features to remove.</param>
    /// <returns>Features in this set and not in <paramref name="other"/>.</returns>
    public FeatureSet Except(FeatureSet other)
    {
        var w = _words;
        for (var k = 0; k < WordCount; k++)
        {
            w[k] &= ~other._words[k];
        }

        return new FeatureSet(w);
    }

    /// <summary>True when every feature of <paramref name="other"/> is in this set.</summary>
    /// <param name="other">The candidate subset.</param>
    /// <returns>Whether this set contains all of <paramref name="other"/>.</returns>
    public bool ContainsAll(FeatureSet other)
    {
        for (var k = 0; k < WordCount; k++)
        {
            if ((other._words[k] & ~_words[k]) != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the two sets share at least one feature.</summary>
    /// <param name="other">The other set.</param>
    /// <returns>Whether the intersection is non-empty.</returns>
    public bool Overlaps(FeatureSet other)
    {
        for (var k = 0; k < WordCount; k++)
        {
            if ((other._words[k] & _words[k]) != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The feature indices in ascending order (that is, in catalog order).</summary>
    /// <returns>An allocation-free enumerator.</returns>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>The feature indices as an array, ascending.</summary>
    /// <returns>A new array.</returns>
    public int[] ToArray()
    {
        var result = new int[Count];
        var n = 0;
        foreach (var i in this)
        {
            result[n++] = i;
        }

        return result;
    }

    /// <summary>Reads one 64-bit word of the set (bits <c>64*k</c> to <c>64*k+63</c>).</summary>
    /// <param name="k">The word number, below <see cref="WordCount"/>.</param>
    /// <returns>The word.</returns>
    public ulong Word(int k) => _words[k];

    /// <inheritdoc/>
    public bool Equals(FeatureSet other)
    {
        for (var k = 0; k < WordCount; k++)
        {
            if (_words[k] != other._words[k])
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is FeatureSet other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = default(HashCode);
        for (var k = 0; k < WordCount; k++)
        {
            h.Add(_words[k]);
        }

        return h.ToHashCode();
    }

    /// <summary>Equality of two sets.</summary>
    /// <param name="left">A set.</param>
    /// <param name="right">Another set.</param>
    /// <returns>True when both hold the same features.</returns>
    public static bool operator ==(FeatureSet left, FeatureSet right) => left.Equals(right);

    /// <summary>Inequality of two sets.</summary>
    /// <param name="left">A set.</param>
    /// <param name="right">Another set.</param>
    /// <returns>True when the sets differ.</returns>
    public static bool operator !=(FeatureSet left, FeatureSet right) => !left.Equals(right);

    /// <summary>Set union.</summary>
    /// <param name="left">A set.</param>
    /// <param name="right">Another set.</param>
    /// <returns>The union.</returns>
    public static FeatureSet operator |(FeatureSet left, FeatureSet right) => left.Union(right);

    /// <summary>Set intersection.</summary>
    /// <param name="left">A set.</param>
    /// <param name="right">Another set.</param>
    /// <returns>The intersection.</returns>
    public static FeatureSet operator &(FeatureSet left, FeatureSet right) => left.Intersect(right);

    /// <summary>Set difference.</summary>
    /// <param name="left">A set.</param>
    /// <param name="right">The features to remove.</param>
    /// <returns>The difference.</returns>
    public static FeatureSet operator -(FeatureSet left, FeatureSet right) => left.Except(right);

    /// <summary>Set union (named alternative of <c>|</c>).</summary>
    /// <param name="left">A set.</param>
    /// <param name="right">Another set.</param>
    /// <returns>The union.</returns>
    public static FeatureSet BitwiseOr(FeatureSet left, FeatureSet right) => left.Union(right);

    /// <summary>Set intersection (named alternative of <c>&amp;</c>).</summary>
    /// <param name="left">A set.</param>
    /// <param name="right">Another set.</param>
    /// <returns>The intersection.</returns>
    public static FeatureSet BitwiseAnd(FeatureSet left, FeatureSet right) => left.Intersect(right);

    /// <summary>Set difference (named alternative of <c>-</c>).</summary>
    /// <param name="left">A set.</param>
    /// <param name="right">The features to remove.</param>
    /// <returns>The difference.</returns>
    public static FeatureSet Subtract(FeatureSet left, FeatureSet right) => left.Except(right);

    private static void CheckIndex(int index)
    {
        if ((uint)index >= Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"feature index must be below {Capacity}");
        }
    }

    /// <summary>Enumerates the indices of a <see cref="FeatureSet"/> in ascending order.</summary>
    public struct Enumerator
    {
        private readonly FeatureSet _set;
        private int _word;
        private ulong _rest;

        internal Enumerator(FeatureSet set)
        {
            _set = set;
            _word = 0;
            _rest = set._words[0];
            Current = -1;
        }

        /// <summary>The current feature index.</summary>
        public int Current { get; private set; }

        /// <summary>Advances to the next index.</summary>
        /// <returns>False when the set is exhausted.</returns>
        public bool MoveNext()
        {
            while (_rest == 0)
            {
                if (++_word >= WordCount)
                {
                    return false;
                }

                _rest = _set._words[_word];
            }

            var bit = BitOperations.TrailingZeroCount(_rest);
            _rest &= _rest - 1;
            Current = (_word << 6) | bit;
            return true;
        }
    }

    [InlineArray(WordCount)]
    private struct Words
    {
        private ulong _element0;
    }
}
