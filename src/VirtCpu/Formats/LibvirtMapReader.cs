using VirtCpu.Catalog;

namespace VirtCpu.Formats;

/// <summary>Reads a libvirt <c>cpu_map</c> directory (the x86 part) into a catalog.</summary>
public static class LibvirtMapReader
{
    /// <summary>Loads the x86 part of a cpu_map directory.</summary>
    /// <param name="directory">The directory holding <c>index.xml</c>.</param>
    /// <param name="name">The catalog name; default: the directory name.</param>
    /// <returns>The catalog.</returns>
    public static CpuCatalog Load(string directory, string? name = null) => throw new NotImplementedException();
}
