using VirtCpu.Catalog;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.ProjectFiles;

namespace VirtCpu.Cli;

/// <summary>A catalog given as a command argument: a built-in catalog name, a libvirt cpu_map directory or a <c>.vcat</c> file.</summary>
internal static class CatalogArgument
{
    /// <summary>The help text for such an argument.</summary>
    public static string Help { get; } = $"A built-in catalog ({string.Join(", ", BuiltInCatalogs.Names)}), a libvirt cpu_map directory, or a {CatalogFile.Extension} file.";

    /// <summary>Loads the catalog an argument names.</summary>
    /// <param name="text">The argument.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="InputException">Not a built-in name, and the directory or file cannot be read.</exception>
    public static CpuCatalog Resolve(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (BuiltInCatalogs.Contains(text))
        {
            return BuiltInCatalogs.Get(text);
        }

        if (Directory.Exists(text))
        {
            return LibvirtMapReader.Load(text);
        }

        if (File.Exists(text))
        {
            return CatalogFile.ReadFile(text);
        }

        throw new InputException(text, $"not a built-in catalog ({string.Join(", ", BuiltInCatalogs.Names)}), a cpu_map directory or a catalog file");
    }
}
