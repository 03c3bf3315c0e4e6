using System.Collections.Concurrent;
using VirtCpu.Qemu;

namespace VirtCpu.Formats.ProjectFiles;

/// <summary>
/// The hypervisor catalogs built into VirtCpu: <c>catalogs/*.qcat</c>, embedded as resources and
/// read on first use (then cached).
/// </summary>
public static class BuiltInHypervisors
{
    private const string Prefix = "VirtCpu.Catalogs.";
    private const string Suffix = ".qcat";
    private static readonly ConcurrentDictionary<string, Lazy<QemuHypervisorCatalog>> Cache = new(StringComparer.Ordinal);

    /// <summary>The default catalog's name.</summary>
    public const string Default = "qemu-10.0";

    /// <summary>The names of the built-in catalogs, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. typeof(BuiltInHypervisors).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(Suffix, StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..^Suffix.Length])
            .Order(StringComparer.Ordinal)];

    /// <summary>
    /// Gets a built-in catalog by name: <c>qemu-7.2</c>, or just the version, <c>7.2</c>; null
    /// or empty gives <see cref="Default"/>. A name ending in <c>.qcat</c> is a catalog file
    /// (<c>virtcpu catalog import-qemu --out</c>), so a release needs no build to be used.
    /// </summary>
    /// <param name="name">The name or version, or a <c>.qcat</c> file.</param>
    /// <param name="baseDirectory">The directory a relative file name is relative to (null: the current directory).</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="InputException">When no built-in catalog has that name, or the file cannot be read.</exception>
    public static QemuHypervisorCatalog Get(string? name = null, string? baseDirectory = null)
    {
        if (name is not null && name.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return QcatReader.ReadFile(baseDirectory is null ? name : Path.Combine(baseDirectory, name));
        }

        var key = string.IsNullOrEmpty(name) ? Default : name.StartsWith("qemu-", StringComparison.Ordinal) ? name : "qemu-" + name;
        if (!Names.Contains(key))
        {
            throw new InputException(null, $"no built-in QEMU catalog '{name}' (known: {string.Join(", ", Names)})");
        }

        return Cache.GetOrAdd(key, k => new Lazy<QemuHypervisorCatalog>(() => Load(k))).Value;
    }

    private static QemuHypervisorCatalog Load(string name)
    {
        var resource = Prefix + name + Suffix;
        using var stream = typeof(BuiltInHypervisors).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded catalog {resource} is missing");
        using var reader = new StreamReader(stream);
        return QcatReader.Read(reader.ReadToEnd(), $"(built-in) {name}{Suffix}");
    }
}
