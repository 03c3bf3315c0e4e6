namespace VirtCpu.Tests;

/// <summary>
/// Locates <c>../shared/reference</c> (the upstream reference data beside the project), or
/// <c>$VIRTCPU_SHARED/reference</c> when that variable is set. Tests that need it call
/// <see cref="Require"/>, which skips them with a visible reason when it is absent.
/// </summary>
internal static class SharedData
{
    private static readonly Lazy<string?> Root = new(Find);

    /// <summary>The reference folder, or null when absent.</summary>
    public static string? ReferenceRoot => Root.Value;

    /// <summary>Returns a path under the reference folder, or skips the test.</summary>
    /// <param name="relative">A path relative to <c>shared/reference</c>.</param>
    /// <returns>The absolute path.</returns>
    public static string Require(string relative)
    {
        if (ReferenceRoot is null)
        {
            Assert.Skip("../shared/reference is absent: this test needs the upstream reference data beside the project");
        }

        var path = Path.Combine(ReferenceRoot, relative);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            Assert.Skip($"{path} is absent from the reference data");
        }

        return path;
    }

    /// <summary>The repository root (the folder holding <c>VirtCpu.slnx</c>).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "VirtCpu.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }

    private static string? Find()
    {
        // VIRTCPU_SHARED, when set, is the only place looked at: pointing it nowhere
        // (VIRTCPU_SHARED=/nonexistent) runs the tests as a clone without ../shared would.
        var env = Environment.GetEnvironmentVariable("VIRTCPU_SHARED");
        if (!string.IsNullOrEmpty(env))
        {
            return Directory.Exists(Path.Combine(env, "reference")) ? Path.Combine(env, "reference") : null;
        }

        var candidate = Path.Combine(RepoRoot, "..", "shared", "reference");
        return Directory.Exists(candidate) ? Path.GetFullPath(candidate) : null;
    }
}
