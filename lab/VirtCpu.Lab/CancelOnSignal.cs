using System.Runtime.InteropServices;

namespace VirtCpu.Lab;

/// <summary>Stops the nodes when the lab is interrupted (Ctrl-C, SIGTERM).</summary>
internal sealed class CancelOnSignal : IDisposable
{
    private readonly PosixSignalRegistration _int;
    private readonly PosixSignalRegistration _term;

    /// <summary>Registers the handlers.</summary>
    /// <param name="stop">What stops the nodes.</param>
    public CancelOnSignal(Action stop)
    {
        _int = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => stop());
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => stop());
    }

    /// <summary>Removes the handlers.</summary>
    public void Dispose()
    {
        _int.Dispose();
        _term.Dispose();
    }
}
