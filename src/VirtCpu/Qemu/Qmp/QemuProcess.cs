using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace VirtCpu.Qemu.Qmp;

/// <summary>
/// A QEMU process started only to answer QMP: <c>BINARY -machine none -accel ACCEL -nodefaults -S
/// -display none -qmp unix:SOCKET,server=on,wait=off</c>, with the socket in a private temporary
/// directory. Disposing it kills the whole process tree if it is still running and removes the
/// directory. This is the only place of the QEMU layer that touches the operating system.
/// </summary>
public sealed class QemuProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly string _directory;

    private QemuProcess(Process process, string directory, string socketPath)
    {
        _process = process;
        _directory = directory;
        SocketPath = socketPath;
    }

    /// <summary>The QMP socket path.</summary>
    public string SocketPath { get; }

    /// <summary>The process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>What the process wrote to stderr so far.</summary>
    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts QEMU and waits until its QMP socket exists.</summary>
    /// <param name="binary">The QEMU binary (a path, or a name looked up on PATH).</param>
    /// <param name="accelerator">The accelerator.</param>
    /// <param name="timeout">How long to wait for the socket.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The running process.</returns>
    /// <exception cref="QmpException">When the binary is missing, exits early (its stderr is quoted) or creates no socket in time.</exception>
    public static Task<QemuProcess> StartAsync(string binary, QemuAccelerator accelerator, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        StartAsync(binary, QemuLaunch.For(accelerator), timeout, cancellationToken);

    /// <summary>Starts QEMU with a launch configuration and waits until its QMP socket exists.</summary>
    /// <param name="binary">The QEMU binary (a path, or a name looked up on PATH).</param>
    /// <param name="launch">The accelerator, machine type and vCPU options.</param>
    /// <param name="timeout">How long to wait for the socket.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The running process.</returns>
    /// <exception cref="QmpException">When the binary is missing, exits early (its stderr is quoted) or creates no socket in time.</exception>
    public static async Task<QemuProcess> StartAsync(string binary, QemuLaunch launch, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(binary);
        ArgumentNullException.ThrowIfNull(launch);
        var directory = Directory.CreateTempSubdirectory("virtcpu-qmp-").FullName;
        var socket = Path.Combine(directory, "qmp.sock");
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in launch.Arguments(socket))
        {
            info.ArgumentList.Add(a);
        }

        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            Directory.Delete(directory, recursive: true);
            throw new QmpException($"cannot start {binary}: {e.Message} (is QEMU installed? apt-get install qemu-system-x86)", e);
        }

        var qemu = new QemuProcess(process, directory, socket);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (qemu._stderr)
                {
                    qemu._stderr.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        process.StandardInput.Close();
        try
        {
            var deadline = Stopwatch.StartNew();
            while (!File.Exists(socket))
            {
                if (process.HasExited)
                {
                    await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                    var err = Cli(qemu.StandardError);
                    throw new QmpException($"{binary} exited early with code {process.ExitCode}{(err.Length > 0 ? ": " + err : " without a message")}") { QemuError = err };
                }

                if (deadline.Elapsed > timeout)
                {
                    throw new QmpException($"{binary} created no QMP socket within {timeout.TotalSeconds:0.#} s{(qemu.StandardError.Length > 0 ? ": " + Cli(qemu.StandardError) : "")}");
                }

                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }

            return qemu;
        }
        catch
        {
            qemu.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs QEMU for its output only (<c>-cpu help</c>): waits for it to exit and returns what it
    /// printed; a QEMU that outlives the timeout or a cancellation is killed by its PID.
    /// </summary>
    /// <param name="binary">The QEMU binary.</param>
    /// <param name="arguments">The arguments.</param>
    /// <param name="timeout">How long it may run.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Its standard output.</returns>
    /// <exception cref="QmpException">When it cannot be started, fails or does not finish in time.</exception>
    public static async Task<string> RunForOutputAsync(string binary, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(binary);
        ArgumentNullException.ThrowIfNull(arguments);
        var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new QmpException($"cannot start {binary}: {e.Message} (is QEMU installed? apt-get install qemu-system-x86)", e);
        }

        process.StandardInput.Close();
        using var timed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timed.CancelAfter(timeout);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timed.Token);
            var error = process.StandardError.ReadToEndAsync(timed.Token);
            await process.WaitForExitAsync(timed.Token).ConfigureAwait(false);
            var text = await output.ConfigureAwait(false);
            var err = await error.ConfigureAwait(false);
            return process.ExitCode == 0 ? text : throw new QmpException($"{binary} {string.Join(' ', arguments)} exited with code {process.ExitCode}{(err.Length > 0 ? ": " + Cli(err) : "")}");
        }
        catch (OperationCanceledException e)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }

            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new QmpException($"{binary} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0.#} s", e);
        }
    }

    /// <summary>
    /// Adds what the process said to a QMP failure: when QEMU exits right after creating its
    /// socket (KVM missing, bad option), the conversation fails and the reason is on its stderr.
    /// </summary>
    /// <param name="failure">The QMP failure.</param>
    /// <returns>The failure with QEMU's exit code and stderr, or itself when QEMU still runs.</returns>
    public QmpException Explain(QmpException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (!_process.WaitForExit(TimeSpan.FromSeconds(2)))
        {
            return failure;
        }

        _process.WaitForExit();
        var err = Cli(StandardError);
        return new QmpException($"{failure.Message}; QEMU exited with code {_process.ExitCode}{(err.Length > 0 ? ": " + err : "")}", failure) { QemuError = err };
    }

    /// <summary>
    /// Waits until the process has exited and its standard error is read to the end (call after it exited,
    /// so <see cref="StandardError"/> holds every line).
    /// </summary>
    /// <param name="timeout">How long to wait for the exit.</param>
    /// <returns>True when it exited in time (the output is then complete).</returns>
    public bool WaitForExitAndOutput(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }

        _process.WaitForExit();
        return true;
    }

    /// <summary>Waits for the process to exit by itself.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>True when it exited in time.</returns>
    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>Kills the process tree if it still runs, and removes the socket directory.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // Already gone.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a temporary directory is all that can be left.
        }
    }

    private static string Cli(string text) => text.ReplaceLineEndings(" ").Trim() is var t && t.Length > 500 ? t[..500] + "..." : text.ReplaceLineEndings(" ").Trim();
}
