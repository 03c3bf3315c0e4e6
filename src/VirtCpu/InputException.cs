namespace VirtCpu;

/// <summary>
/// Bad input: a file (or argument) that cannot be read, parsed or understood. The command line
/// prints it as one line, <c>FILE: problem</c>, and exits with code 2.
/// </summary>
public sealed class InputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InputException()
    {
    }

    /// <summary>Creates the exception for a problem not tied to a file.</summary>
    /// <param name="message">The problem.</param>
    public InputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception for a problem with a cause.</summary>
    /// <param name="message">The problem.</param>
    /// <param name="innerException">The cause.</param>
    public InputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a problem in a file.</summary>
    /// <param name="file">The file (or argument) at fault, or null.</param>
    /// <param name="problem">The problem, one sentence.</param>
    /// <param name="innerException">The cause, or null.</param>
    public InputException(string? file, string problem, Exception? innerException = null)
        : base(file is null ? problem : $"{file}: {problem}", innerException)
    {
        File = file;
        Problem = problem;
    }

    /// <summary>The file at fault, or null.</summary>
    public string? File { get; }

    /// <summary>The problem without the file name.</summary>
    public string? Problem { get; }

    /// <summary>Returns the same problem attributed to a file, unless it already names one.</summary>
    /// <param name="file">The file.</param>
    /// <returns>An exception naming the file.</returns>
    public InputException InFile(string file) => File is not null ? this : new InputException(file, Problem ?? Message, this);
}
