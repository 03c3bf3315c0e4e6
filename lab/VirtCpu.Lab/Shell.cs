using System.Diagnostics;

namespace VirtCpu.Lab;

/// <summary>The result of a finished process.</summary>
/// <param name="ExitCode">The exit code (-1 when it was killed for taking too long).</param>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
internal sealed record ProcessResult(int ExitCode, string Out, string Error)
{
    /// <summary>Whether the process exited 0.</summary>
    public bool Ok => ExitCode == 0;

    /// <summary>Standard error's lines that say something, joined (libvirt's message; virsh's generic first line dropped when a second follows).</summary>
    public string Message
    {
        get
        {
            var lines = Error.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            if (lines.Count > 1 && lines[0].StartsWith("error: Failed to", StringComparison.Ordinal))
            {
                lines.RemoveAt(0);
            }

            return string.Join(" ", lines);
        }
    }
}

/// <summary>Runs programs: every process is waited for, and killed with its children after a timeout.</summary>
internal static class Shell
{
    /// <summary>Runs a program.</summary>
    /// <param name="file">The program.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="timeout">How long it may take.</param>
    /// <returns>The result.</returns>
    public static ProcessResult Run(string file, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + file);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(120)))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return new ProcessResult(-1, stdout.Result, stderr.Result + $"\n(killed after {(timeout ?? TimeSpan.FromSeconds(120)).TotalSeconds} s)");
        }

        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }
}
