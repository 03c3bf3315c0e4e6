namespace VirtCpu.Tests;

/// <summary>A temporary folder for one test, removed when disposed.</summary>
internal sealed class TempDirectory : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("virtcpu-test-");

    /// <summary>The folder's path.</summary>
    public string Path => _dir.FullName;

    /// <summary>Writes a file into the folder.</summary>
    /// <param name="name">The file name.</param>
    /// <param name="text">Its text.</param>
    /// <returns>The file's path.</returns>
    public string Write(string name, string text)
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <inheritdoc/>
    public void Dispose() => _dir.Delete(recursive: true);
}
