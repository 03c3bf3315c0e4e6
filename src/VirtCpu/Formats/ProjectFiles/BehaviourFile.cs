using System.Collections.Concurrent;
using System.Collections.Immutable;
using VirtCpu.Formats.Input;
using VirtCpu.Qemu;

namespace VirtCpu.Formats.ProjectFiles;

/// <summary>
/// Reads release behaviour files (<c>*.behaviour</c>): a header line <c>behaviour 1</c>, a line
/// <c>release PRODUCT X.Y</c>, then one line per behaviour: <c>KEY VALUE... # source</c>. The
/// built-in ones are <c>catalogs/behaviour/</c>, embedded and covered by the catalog lock.
/// </summary>
public static class BehaviourFile
{
    private const string Prefix = "VirtCpu.Behaviour.";
    private const string Suffix = ".behaviour";
    private static readonly ConcurrentDictionary<string, ReleaseBehaviour> Cache = new(StringComparer.Ordinal);

    /// <summary>The built-in behaviour files' names (<c>libvirt-9.0</c>, <c>qemu-10.0</c>, ...), sorted.</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } =
        [.. typeof(BehaviourFile).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(Suffix, StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..^Suffix.Length])
            .Order(StringComparer.Ordinal)];

    /// <summary>The text of a built-in behaviour file.</summary>
    /// <param name="name">The name (<c>libvirt-9.0</c>).</param>
    /// <returns>The text.</returns>
    public static string BuiltInText(string name)
    {
        using var stream = typeof(BehaviourFile).Assembly.GetManifestResourceStream(Prefix + name + Suffix) ?? throw new InputException(null, $"no built-in behaviour '{name}'");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The behaviour of a release: a file <c>PRODUCT-X.Y.behaviour</c> in <c>VIRTCPU_BEHAVIOUR_PATH</c>
    /// (folders separated by ':') first, then the built-in ones.
    /// </summary>
    /// <param name="product"><c>libvirt</c> or <c>qemu</c>.</param>
    /// <param name="release">The release (only major.minor counts).</param>
    /// <param name="context">The file or node that asks (for the message).</param>
    /// <returns>The behaviour.</returns>
    /// <exception cref="InputException">The release is not modelled: the message lists the modelled ones.</exception>
    public static ReleaseBehaviour For(string product, Version release, string? context)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentNullException.ThrowIfNull(release);
        var name = $"{product}-{release.Major}.{release.Minor}";
        return Cache.GetOrAdd(name, _ =>
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("VIRTCPU_BEHAVIOUR_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var path = Path.Combine(dir, name + Suffix);
                if (File.Exists(path))
                {
                    return Parse(InputFile.ReadAllText(path), path);
                }
            }

            if (BuiltInNames.Contains(name))
            {
                return Parse(BuiltInText(name), name + Suffix);
            }

            var modelled = Modelled(product);
            throw new InputException(context, $"{product} {release.Major}.{release.Minor} is not modelled; modelled: {string.Join(", ", modelled)}");
        });
    }

    /// <summary>The modelled releases of a product (built in and on <c>VIRTCPU_BEHAVIOUR_PATH</c>), sorted by version.</summary>
    /// <param name="product"><c>libvirt</c> or <c>qemu</c>.</param>
    /// <returns>Releases such as <c>9.0</c>.</returns>
    public static IReadOnlyList<string> Modelled(string product)
    {
        var names = BuiltInNames.ToList();
        foreach (var dir in (Environment.GetEnvironmentVariable("VIRTCPU_BEHAVIOUR_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Directory.Exists(dir))
            {
                names.AddRange(Directory.GetFiles(dir, "*" + Suffix).Select(f => Path.GetFileNameWithoutExtension(f)));
            }
        }

        return [.. names.Where(n => n.StartsWith(product + "-", StringComparison.Ordinal)).Select(n => n[(product.Length + 1)..]).Distinct()
            .OrderBy(v => Version.TryParse(v, out var x) ? x : new Version(0, 0))];
    }

    /// <summary>One behaviour line against the rules: a known key of the file's product, with a source, once unless it may repeat; a spelling line holds one pair.</summary>
    private static void CheckEntry(string file, int n, string? product, string[] tokens, string source, ImmutableArray<BehaviourEntry>.Builder entries)
    {
        var key = tokens[0];
        if (!ReleaseBehaviour.KeyProducts.TryGetValue(key, out var keyProduct))
        {
            throw new InputException(file, $"line {n}: unknown behaviour '{key}' (known: {string.Join(", ", ReleaseBehaviour.Keys)})");
        }

        if (product is null)
        {
            throw new InputException(file, $"line {n}: behaviour '{key}' before the 'release' line");
        }

        if (keyProduct != product)
        {
            throw new InputException(file, $"line {n}: behaviour '{key}' belongs to a {keyProduct} release, not to a {product} release");
        }

        if (source.Length == 0)
        {
            throw new InputException(file, $"line {n}: behaviour '{key}' says nothing of where it comes from (add '# source')");
        }

        if (!ReleaseBehaviour.RepeatableKeys.Contains(key) && entries.Any(e => e.Key == key))
        {
            throw new InputException(file, $"line {n}: behaviour '{key}' is given twice");
        }

        if (key == "qemu-spelling" && tokens.Length != 3)
        {
            throw new InputException(file, $"line {n}: expected 'qemu-spelling LIBVIRT-NAME QEMU-NAME # source'");
        }
    }

    /// <summary>The default libvirt release's behaviour (that of the default catalog, <see cref="BuiltInCatalogs.Default"/>), for code paths without a node.</summary>
    public static ReleaseBehaviour DefaultLibvirt => For("libvirt", DefaultLibvirtRelease, null);

    /// <summary>
    /// The behaviour of the libvirt release a catalog comes from: that of <c>libvirt-X.Y</c>
    /// (<see cref="BuiltInCatalogs.LibvirtReleaseOf"/>), else (a map folder or file named otherwise) the
    /// default release's. Nodes, fleet hosts and <c>sync-qemu</c> all take it from here.
    /// </summary>
    /// <param name="catalogName">The catalog's name.</param>
    /// <param name="source">The file that names the catalog, for the refusal, or null.</param>
    /// <returns>The behaviour.</returns>
    /// <exception cref="InputException">The catalog names a libvirt release that is not modelled.</exception>
    public static ReleaseBehaviour LibvirtOfCatalog(string catalogName, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(catalogName);
        return For("libvirt", BuiltInCatalogs.LibvirtReleaseOf(catalogName) ?? DefaultLibvirtRelease, source);
    }

    /// <summary>The default libvirt release: that of the default catalog (<c>libvirt-11.3</c>: 11.3).</summary>
    public static Version DefaultLibvirtRelease { get; } = Version.Parse(BuiltInCatalogs.Default["libvirt-".Length..]);

    /// <summary>Parses a behaviour file.</summary>
    /// <param name="text">The text.</param>
    /// <param name="file">The file name used in messages.</param>
    /// <returns>The behaviour.</returns>
    /// <exception cref="InputException">Malformed file, unknown keys.</exception>
    public static ReleaseBehaviour Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? product = null;
        Version? release = null;
        var header = false;
        var entries = ImmutableArray.CreateBuilder<BehaviourEntry>();
        var n = 0;
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            n++;
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            var source = hash >= 0 ? raw[(hash + 1)..].Trim() : "";
            var tokens = (hash >= 0 ? raw[..hash] : raw).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0)
            {
                continue;
            }

            if (!header)
            {
                header = tokens is ["behaviour", "1"] ? true : throw new InputException(file, $"line {n}: expected 'behaviour 1'");
                continue;
            }

            if (tokens[0] == "release")
            {
                if (tokens.Length != 3 || tokens[1] is not ("libvirt" or "qemu") || !Version.TryParse(tokens[2], out var v))
                {
                    throw new InputException(file, $"line {n}: expected 'release libvirt|qemu X.Y'");
                }

                (product, release) = (tokens[1], v);
                continue;
            }

            CheckEntry(file, n, product, tokens, source, entries);
            entries.Add(new BehaviourEntry(tokens[0], [.. tokens[1..]], source));
        }

        if (product is null || release is null)
        {
            throw new InputException(file, "no 'release' line");
        }

        if (FeatureSpelling.Conflict(ReleaseBehaviour.SpellingPairs(entries)) is { } conflict)
        {
            throw new InputException(file, conflict);
        }

        return new ReleaseBehaviour { Product = product, Release = release, Entries = entries.ToImmutable() };
    }
}
