namespace VirtCpu.Tests.Cli;

/// <summary>Tuple-shaped access to <see cref="CliRunner"/> for tests written against it.</summary>
internal static class CliProcess
{
    /// <summary>Runs virtcpu in a working directory.</summary>
    /// <param name="workingDirectory">The working directory, or null for the repository root.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>Exit code, stdout and stderr.</returns>
    public static (int ExitCode, string Stdout, string Stderr) Run(string? workingDirectory, params string[] args)
    {
        var r = CliRunner.RunIn(workingDirectory, args);
        return (r.ExitCode, r.Stdout, r.Stderr);
    }
}
