using System.CommandLine;

namespace VirtCpu.Cli;

/// <summary>The <c>--json</c> option shared by commands that can write JSON.</summary>
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
}
