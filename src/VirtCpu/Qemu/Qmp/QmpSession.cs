namespace VirtCpu.Qemu.Qmp;

/// <summary>
/// One QEMU process and its QMP connection, owned together: <see cref="StopAsync"/> asks QEMU to
/// quit and collects what it wrote to stderr; <see cref="Dispose"/> (always, also after errors and
/// cancellation) kills the process by its PID if it still runs and removes its socket directory.
/// </summary>
public sealed class QmpSession : IDisposable
{
    private readonly QemuProcess _process;

    private QmpSession(QemuProcess process, QmpClient client, QemuLaunch launch)
    {
        _process = process;
        Client = client;
        Launch = launch;
    }

    /// <summary>The negotiated QMP client.</summary>
    public QmpClient Client { get; }

    /// <summary>How the process was started.</summary>
    public QemuLaunch Launch { get; }

    /// <summary>The QEMU process id.</summary>
    public int ProcessId => _process.ProcessId;

    /// <summary>Starts QEMU and connects to its QMP socket.</summary>
    /// <param name="binary">The QEMU binary.</param>
    /// <param name="launch">The launch configuration.</param>
    /// <param name="timeout">The bound on the start and on each reply.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The session.</returns>
    /// <exception cref="QmpException">When QEMU cannot be started, exits (its stderr is quoted) or does not answer.</exception>
    public static async Task<QmpSession> StartAsync(string binary, QemuLaunch launch, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var process = await QemuProcess.StartAsync(binary, launch, timeout, cancellationToken).ConfigureAwait(false);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    var client = await QmpClient.ConnectAsync(process.SocketPath, timeout, cancellationToken).ConfigureAwait(false);
                    return new QmpSession(process, client, launch);
                }
                catch (QmpException e) when (e.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused } && !process.HasExited && clock.Elapsed < timeout)
                {
                    // The socket file exists a moment before QEMU listens on it.
                    await Task.Delay(20, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (QmpException e) when (e.ErrorClass is null)
        {
            var explained = process.Explain(e);
            process.Dispose();
            throw explained;
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>Asks QEMU to quit, waits for it to exit and returns its stderr (a process that lingers is killed by <see cref="Dispose"/>).</summary>
    /// <param name="timeout">How long to wait for the exit.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Everything QEMU wrote to stderr.</returns>
    public async Task<string> StopAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await Client.QuitAsync(cancellationToken).ConfigureAwait(false);
        Client.Dispose();
        _process.WaitForExitAndOutput(timeout);
        return _process.StandardError;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Client.Dispose();
        _process.Dispose();
    }
}
