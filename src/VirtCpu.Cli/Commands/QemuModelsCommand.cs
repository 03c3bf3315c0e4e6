using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Qemu;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu qemu models [--qemu V] [--machine TYPE] [--json]</c>: every model name of QEMU's table.</summary>
internal static class QemuModelsCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var qemu = QemuCommand.QemuOption();
        var machine = QemuCommand.MachineOption();
        var json = QemuCommand.JsonOption();
        var command = new Command("models", "List every QEMU model name (unversioned, X-vN, aliases): what it resolves to under the machine type, alias-of, vendor, family/model/stepping, model-id.");
        command.Options.Add(qemu);
        command.Options.Add(machine);
        command.Options.Add(json);
        command.SetAction(parseResult =>
        {
            var catalog = BuiltInHypervisors.Get(parseResult.GetValue(qemu));
            var machineType = QemuMachineTypes.Find(catalog, parseResult.GetValue(machine)!);
            var rows = catalog.ModelNames
                .Select(n => QemuExpander.Expand(catalog, QemuModelResolution.Resolve(catalog, n, machineType), new QemuCpuConfig(n) { Accelerator = QemuAccelerator.Tcg }))
                .ToList();
            if (parseResult.GetValue(json))
            {
                WriteJson(catalog, machineType, rows);
                return Cli.Ok;
            }

            Console.Out.WriteLine($"# {catalog.Name}, machine {machineType.Name}: {rows.Count} model names");
            var width = rows.Max(r => r.Resolution.Given.Length);
            foreach (var r in rows)
            {
                var res = r.Resolution;
                var alias = res.Kind == QemuModelNameKind.Versioned ? "" : res.AliasOf is null ? "(no alias-of)" : "alias-of " + res.AliasOf;
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{res.Given.PadRight(width)}  {res.Resolved,-24} {alias,-32} {r.Vendor}  {r.Family}/{r.Model}/{r.Stepping}  {r.ModelId}"));
            }

            return Cli.Ok;
        });
        return command;
    }

    private static void WriteJson(QemuHypervisorCatalog catalog, QemuMachineType machine, List<QemuCpu> rows)
    {
        JsonOption.WriteToStdout(w =>
        {
            w.WriteStartObject();
            w.WriteString("catalog", catalog.Name);
            w.WriteString("machine", machine.Name);
            w.WritePropertyName("models");
            w.WriteStartArray();
            foreach (var r in rows)
            {
                w.WriteStartObject();
                w.WriteString("name", r.Resolution.Given);
                w.WriteString("kind", r.Resolution.Kind.ToString().ToLowerInvariant());
                w.WriteString("resolved", r.Resolution.Resolved);
                if (r.Resolution.AliasOf is { } a)
                {
                    w.WriteString("alias-of", a);
                }

                w.WriteString("vendor", r.Vendor);
                w.WriteNumber("family", r.Family);
                w.WriteNumber("model", r.Model);
                w.WriteNumber("stepping", r.Stepping);
                w.WriteString("model-id", r.ModelId);
                if (r.Resolution.Version?.Note is { } note)
                {
                    w.WriteString("note", note);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
