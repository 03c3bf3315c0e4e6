namespace VirtCpu.Qemu.Qmp;

/// <summary>
/// A QMP conversation failed: QEMU answered with an error object, closed the connection, sent
/// something that is not QMP, or did not answer in time; or the QEMU process could not be started
/// or exited early.
/// </summary>
public sealed class QmpException : Exception
{
    /// <summary>Creates the exception.</summary>
    public QmpException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public QmpException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public QmpException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a QMP error reply.</summary>
    /// <param name="errorClass">The error's <c>class</c> (<c>GenericError</c>, <c>CommandNotFound</c>).</param>
    /// <param name="description">The error's <c>desc</c>.</param>
    /// <param name="command">The command that failed.</param>
    public QmpException(string errorClass, string description, string command)
        : base($"QMP {command}: {errorClass}: {description}")
    {
        ErrorClass = errorClass;
        Description = description;
    }

    /// <summary>The QMP error class, when QEMU answered with an error object.</summary>
    public string? ErrorClass { get; }

    /// <summary>The QMP error description, when QEMU answered with an error object.</summary>
    public string? Description { get; }

    /// <summary>What QEMU itself wrote to standard error when it exited before QMP came up (for example <c>-accel qtest: invalid accelerator qtest</c>), or null.</summary>
    public string? QemuError { get; init; }
}
