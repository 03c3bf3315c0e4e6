using System.Runtime.InteropServices;

namespace VirtCpu.Cli;

/// <summary>
/// Turns Ctrl-C, SIGTERM and SIGHUP into a cancellation while a command runs processes of its own,
/// so they are stopped (by PID, in the command's own clean-up) before the process exits, instead of
/// the runtime exiting at once.
/// </summary>
internal sealed class InterruptScope : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    /// <summary>Registers the handlers.</summary>
    public InterruptScope()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                _cts.Cancel();
            }));
        }
    }

    /// <summary>Cancelled when a signal arrives.</summary>
    public CancellationToken Token => _cts.Token;

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var r in _registrations)
        {
            r.Dispose();
        }

        _cts.Dispose();
    }
}
