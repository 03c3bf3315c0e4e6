using System.CommandLine;
using System.Reflection;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu version</c>: prints the version.</summary>
internal static class VersionCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("version", "Print the VirtCpu version.");
        command.SetAction(_ =>
        {
            var v = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            Console.Out.WriteLine($"virtcpu {v}");
            return Cli.Ok;
        });
        return command;
    }
}
