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
        : base(OneLine(message))
    {
    }

    /// <summary>Creates the exception for a problem with a cause.</summary>
    /// <param name="message">The problem.</param>
    /// <param name="innerException">The cause.</param>
    public InputException(string message, Exception innerException)
        : base(OneLine(message), innerException)
    {
    }

    /// <summary>Creates the exception for a problem in a file.</summary>
    /// <param name="file">The file (or argument) at fault, or null.</param>
    /// <param name="problem">The problem, one sentence.</param>
    /// <param name="innerException">The cause, or null.</param>
    public InputException(string? file, string problem, Exception? innerException = null)
        : base(file is null ? OneLine(problem) : $"{OneLine(file)}: {OneLine(problem)}", innerException)
    {
        File = file;
        Problem = OneLine(problem);
    }

    /// <summary>The file at fault, or null.</summary>
    public string? File { get; }

    /// <summary>The problem without the file name.</summary>
    public string? Problem { get; }

    /// <summary>Returns the same problem attributed to a file, unless it already names one.</summary>
    /// <param name="file">The file.</param>
    /// <returns>An exception naming the file.</returns>
    public InputException InFile(string file) => File is not null ? this : new InputException(file, Problem ?? Message, this);

    /// <summary>
    /// Keeps a message on one line: the input's own text quoted in a problem (a name, a value) may
    /// hold line breaks or other control characters, shown escaped (<c>\n</c>, <c>\u0085</c>).
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>The text without line breaks or control characters.</returns>
    public static string OneLine(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.AsSpan().ContainsAny(LineBreaking))
        {
            return text ?? string.Empty;
        }

        var builder = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append(' '),
                _ when char.IsControl(c) || c is '\u2028' or '\u2029' => builder.Append(System.FormattableString.Invariant($"\\u{(int)c:x4}")),
                _ => builder.Append(c),
            };
        }

        return builder.ToString();
    }

    private static readonly System.Buffers.SearchValues<char> LineBreaking = System.Buffers.SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f\u0085\u2028\u2029");
}
