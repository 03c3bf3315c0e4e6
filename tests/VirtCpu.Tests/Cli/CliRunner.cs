using System.Diagnostics;

namespace VirtCpu.Tests.Cli;

/// <summary>Runs the built <c>virtcpu</c> (VirtCpu.Cli.dll beside the test assembly) as a child process.</summary>
internal static class CliRunner
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    /// <summary>The outcome of one run.</summary>
    /// <param name="ExitCode">The exit code.</param>
    /// <param name="Stdout">Everything written to standard output.</param>
    /// <param name="Stderr">Everything written to standard error.</param>
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs virtcpu in the repository root.</summary>
    /// <param name="args">The arguments.</param>
    /// <returns>The outcome.</returns>
    public static Result Run(params string[] args) => RunIn(null, args);

    /// <summary>Runs virtcpu in a given working directory (the repository root when null).</summary>
    /// <param name="workingDirectory">The working directory, or null.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The outcome.</returns>
    public static Result RunIn(string? workingDirectory, params string[] args) => RunWith(workingDirectory, null, args);

    /// <summary>Runs virtcpu with extra environment variables.</summary>
    /// <param name="workingDirectory">The working directory, or null.</param>
    /// <param name="environment">Variables to set, or null.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The outcome.</returns>
    public static Result RunWith(string? workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "VirtCpu.Cli.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? SharedData.RepoRoot,
        };
        start.ArgumentList.Add(dll);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"virtcpu {string.Join(' ', args)} did not finish within {Limit}");
        }

        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
