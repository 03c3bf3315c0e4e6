using System.ComponentModel;
using System.Diagnostics;

namespace VirtCpu.Live;

/// <summary>
/// Talks to a libvirt daemon through <c>virsh</c> (libvirt-clients), so every URI libvirt accepts
/// works: <c>qemu:///system</c>, <c>qemu+unix:///system?socket=...</c>, <c>qemu+ssh://host/system</c>.
/// Every call is waited for and killed after its timeout: no process outlives a command.
/// </summary>
/// <param name="uri">The connection URI, or null for virsh's default.</param>
/// <param name="program">The virsh program (default <c>virsh</c> on the PATH).</param>
public sealed class Virsh(string? uri, string program = "virsh")
{
    /// <summary>How long one virsh call may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The URI (or <c>default</c>), for messages.</summary>
    public string Target => uri ?? "default";

    /// <summary>Runs a virsh command and returns its standard output.</summary>
    /// <param name="args">The command and its arguments.</param>
    /// <returns>Standard output.</returns>
    /// <exception cref="InputException">virsh is missing, failed, or took too long (the message names the URI and libvirt's error).</exception>
    public string Run(params string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-q");
        if (uri is not null)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(uri);
        }

        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InputException(program, "cannot start virsh");
        }
        catch (Win32Exception e)
        {
            throw new InputException(program, $"cannot start virsh: {e.Message} (is libvirt-clients installed? apt-get install libvirt-clients)", e);
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                throw new InputException(Target, $"virsh {args.FirstOrDefault()} did not answer within {Timeout.TotalSeconds:0} s");
            }

            if (process.ExitCode != 0)
            {
                var message = stderr.Result.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? $"exit code {process.ExitCode}";
                throw new InputException(Target, $"virsh {args.FirstOrDefault()}: {message.Replace("error: ", "", StringComparison.Ordinal)}");
            }

            return stdout.Result;
        }
    }
}
