using System.CommandLine;
using System.Text.Json;
using VirtCpu.Catalog;
using VirtCpu.Formats.Input;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu models [--catalog NAME|--map DIR] [--json]</c>: lists the models of a catalog.</summary>
internal static class ModelsCommand
{
    private static readonly string[] Header = ["NAME", "VENDOR", "CANONICAL", "DECODE", "CHECK", "FAMILY"];

    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("models", "List the CPU models of a catalog: vendor, canonical name, decode flags, check mode.");
        var catalogOptions = CatalogOptions.AddTo(command);
        var json = JsonOption.AddTo(command);
        command.SetAction(parseResult =>
        {
            var catalog = catalogOptions.Resolve(parseResult);
            if (parseResult.GetValue(json))
            {
                JsonOption.WriteToStdout(w => WriteJson(catalog, w));
            }
            else
            {
                WriteTable(catalog, Console.Out);
            }

            return Cli.Ok;
        });
        return command;
    }

    /// <summary>Writes the model table.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="output">Where to write.</param>
    public static void WriteTable(CpuCatalog catalog, TextWriter output)
    {
        var rows = new List<string[]> { Header };
        foreach (var m in catalog.Models)
        {
            rows.Add(
            [
                m.Name,
                m.Vendor?.Name ?? "-",
                m.Canonical ?? "-",
                Decode(m),
                m.CompatCheck ? "compat" : "-",
                CpuModel.VersionOf(m.Name)?.Base ?? "-",
            ]);
        }

        var widths = new int[rows[0].Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in rows)
        {
            var line = new System.Text.StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                line.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }

            output.WriteLine(line.ToString().TrimEnd());
        }

        output.WriteLine($"{catalog.Models.Length} models in {catalog.Name}");
    }

    /// <summary>Writes the model list as JSON.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="w">The writer.</param>
    public static void WriteJson(CpuCatalog catalog, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("catalog", catalog.Name);
        w.WriteStartArray("models");
        foreach (var m in catalog.Models)
        {
            w.WriteStartObject();
            w.WriteString("name", m.Name);
            w.WriteStringOrNull("vendor", m.Vendor?.Name);
            w.WriteStringOrNull("canonical", m.Canonical);
            w.WriteBoolean("decodeHost", m.DecodeHost);
            w.WriteBoolean("decodeGuest", m.DecodeGuest);
            w.WriteBoolean("compatCheck", m.CompatCheck);
            w.WriteStringOrNull("ancestor", m.Ancestor);
            w.WriteBoolean("alias", m.IsAlias);
            if (CpuModel.VersionOf(m.Name) is { } v)
            {
                w.WriteNumber("version", v.Version);
            }
            else
            {
                w.WriteNull("version");
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string Decode(CpuModel m) => (m.DecodeHost, m.DecodeGuest) switch
    {
        (true, true) => "host,guest",
        (true, false) => "host",
        (false, true) => "guest",
        _ => "-",
    };
}
