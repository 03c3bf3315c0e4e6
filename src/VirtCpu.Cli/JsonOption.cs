using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace VirtCpu.Cli;

/// <summary>The <c>--json</c> option shared by commands that can write JSON, and the one way they write it.</summary>
internal static class JsonOption
{
    /// <summary>Creates a <c>--json</c> option and adds it to a command.</summary>
    /// <param name="command">The command.</param>
    /// <returns>The option.</returns>
    public static Option<bool> AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var json = new Option<bool>("--json") { Description = "Write JSON instead of text." };
        command.Options.Add(json);
        return json;
    }

    /// <summary>
    /// Writes a JSON document to standard output, indented, ending with a newline. Output goes
    /// straight to the stream as the writer flushes (a fleet report can be gigabytes), and XML
    /// inside strings stays readable (<c>&lt;cpu mode='custom'&gt;</c>, not <c>\u003Ccpu</c>): this
    /// output is read by programs and people, never embedded in HTML.
    /// </summary>
    /// <param name="write">What to write.</param>
    public static void WriteToStdout(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Console.Out.Flush();
        using var stdout = new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
        using (var w = new Utf8JsonWriter(stdout, Options))
        {
            write(w);
        }

        stdout.Write("\n"u8);
        stdout.Flush();
    }

    /// <summary>The writer options of every JSON output.</summary>
    public static JsonWriterOptions Options { get; } = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
