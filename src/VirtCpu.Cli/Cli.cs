using System.CommandLine;
using VirtCpu.Catalog;
using VirtCpu.Engine;

namespace VirtCpu.Cli;

/// <summary>Process-wide conventions: exit codes and how errors are printed.</summary>
internal static class Cli
{
    /// <summary>Success, or a positive answer to a check.</summary>
    public const int Ok = 0;

    /// <summary>A negative answer: incompatible, blocked, unsafe, rejected.</summary>
    public const int Negative = 1;

    /// <summary>Bad usage or bad input.</summary>
    public const int BadInput = 2;

    /// <summary>An internal error (a bug).</summary>
    public const int Internal = 3;

    /// <summary>Parses and runs a command line, mapping every failure to an exit code and one line on stderr.</summary>
    /// <param name="root">The root command.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The exit code.</returns>
    public static int Run(Command root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                Console.Error.WriteLine($"virtcpu: {e.Message}");
            }

            return BadInput;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (InputException e)
        {
            Console.Error.WriteLine($"virtcpu: {OneLine(e.Message)}");
            return BadInput;
        }
        catch (CpuEngineException e)
        {
            Console.Error.WriteLine($"virtcpu: {OneLine(e.Message)}");
            return BadInput;
        }
        catch (CatalogException e)
        {
            Console.Error.WriteLine($"virtcpu: {OneLine(e.Message)}");
            return BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"virtcpu: {OneLine(e.Message)}");
            return BadInput;
        }
#pragma warning disable CA1031 // The last line of defence: a bug becomes exit 3 with one line, not a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Console.Error.WriteLine($"virtcpu: internal error: {OneLine(e.GetType().Name + ": " + e.Message)} (please report it with the command line and input files; set VIRTCPU_TRACE=1 for details)");
            if (Environment.GetEnvironmentVariable("VIRTCPU_TRACE") == "1")
            {
                Console.Error.WriteLine(e);
            }

            return Internal;
        }
    }

    /// <summary>Folds a message onto one line.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The message with line breaks replaced by spaces.</returns>
    public static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
