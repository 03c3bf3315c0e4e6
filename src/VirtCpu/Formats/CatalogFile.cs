using VirtCpu.Catalog;

namespace VirtCpu.Formats;

/// <summary>The project's own catalog file format (<c>.vcat</c>).</summary>
public static class CatalogFile
{
    /// <summary>Reads a catalog.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="sourceName">The file name used in error messages.</param>
    /// <returns>The catalog.</returns>
    public static CpuCatalog Read(TextReader reader, string sourceName) => throw new NotImplementedException();
}
