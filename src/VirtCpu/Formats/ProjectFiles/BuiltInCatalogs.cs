using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using VirtCpu.Catalog;

namespace VirtCpu.Formats.ProjectFiles;

/// <summary>
/// The management catalogs compiled into VirtCpu (libvirt cpu_maps imported into the project's
/// <c>.vcat</c> format), so the tool needs no files at run time. Loaded lazily, once, thread-safe.
/// </summary>
public static class BuiltInCatalogs
{
    private const string ResourcePrefix = "VirtCpu.Catalogs.";
    private const string Extension = ".vcat";

    private static readonly ConcurrentDictionary<string, Lazy<CpuCatalog>> Cache = new(StringComparer.Ordinal);

    /// <summary>The name of the default catalog.</summary>
    public const string Default = "libvirt-11.3";

    /// <summary>The names of the built-in management catalogs (every embedded <c>catalogs/*.vcat</c>), newest first.</summary>
    public static ImmutableArray<string> Names { get; } =
        [.. typeof(BuiltInCatalogs).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(Extension, StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..^Extension.Length])
            .OrderByDescending(n => Version.TryParse(n[(n.LastIndexOf('-') + 1)..], out var v) ? v : new Version(0, 0))
            .ThenBy(n => n, StringComparer.Ordinal)];

    /// <summary>The libvirt release a catalog name of the form <c>libvirt-X.Y</c> stands for.</summary>
    /// <param name="catalogName">A catalog name (built in or not).</param>
    /// <returns>The release, or null when the name does not follow that form.</returns>
    public static Version? LibvirtReleaseOf(string catalogName)
    {
        ArgumentNullException.ThrowIfNull(catalogName);
        return catalogName.StartsWith("libvirt-", StringComparison.Ordinal) && Version.TryParse(catalogName["libvirt-".Length..], out var release) ? release : null;
    }

    /// <summary>True when <paramref name="name"/> is a built-in management catalog.</summary>
    /// <param name="name">A catalog name.</param>
    /// <returns>Whether it is built in.</returns>
    public static bool Contains(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>Returns a built-in catalog, loading it on first use.</summary>
    /// <param name="name">The catalog name (<c>libvirt-11.3</c>).</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="InputException">No built-in catalog has that name.</exception>
    public static CpuCatalog Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Contains(name))
        {
            throw new InputException($"unknown catalog '{name}'; built-in catalogs: {string.Join(", ", Names)}");
        }

        return Cache.GetOrAdd(name, static n => new Lazy<CpuCatalog>(() => Load(n), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    /// <summary>Returns the text of a built-in catalog file, exactly as embedded.</summary>
    /// <param name="name">The catalog name.</param>
    /// <returns>The <c>.vcat</c> text.</returns>
    /// <exception cref="InputException">No built-in catalog has that name.</exception>
    public static string GetText(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Contains(name))
        {
            throw new InputException($"unknown catalog '{name}'; built-in catalogs: {string.Join(", ", Names)}");
        }

        using var reader = OpenResource(name);
        return reader.ReadToEnd();
    }

    private static CpuCatalog Load(string name)
    {
        using var reader = OpenResource(name);
        return CatalogFile.Read(reader, "built-in catalog " + name);
    }

    private static StreamReader OpenResource(string name)
    {
        var resource = ResourcePrefix + name + Extension;
        var stream = typeof(BuiltInCatalogs).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the built-in catalog resource {resource} is missing from the assembly");
        return new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
    }
}
