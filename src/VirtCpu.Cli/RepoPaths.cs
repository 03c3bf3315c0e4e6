namespace VirtCpu.Cli;

/// <summary>Finds files of the VirtCpu repository (for maintainer commands such as <c>catalog lock</c>).</summary>
internal static class RepoPaths
{
    /// <summary>The solution file that marks the repository root.</summary>
    public const string Marker = "VirtCpu.slnx";

    /// <summary>The repository root above the current directory.</summary>
    /// <returns>The root.</returns>
    /// <exception cref="InputException">The current directory is not inside a VirtCpu repository.</exception>
    public static string Root()
    {
        var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, Marker)))
        {
            dir = dir.Parent;
        }

        return dir?.FullName
            ?? throw new InputException($"not inside a VirtCpu repository (no {Marker} in {Directory.GetCurrentDirectory()} or above)");
    }

    /// <summary>The <c>catalogs</c> folder of the repository.</summary>
    /// <returns>The path.</returns>
    public static string Catalogs() => Path.Combine(Root(), "catalogs");
}
