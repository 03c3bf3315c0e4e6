using System.Text.Json;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Cpuid;
using VirtCpu.Engine;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Formats.QemuData;
using VirtCpu.Qemu;

namespace VirtCpu.Cli;

/// <summary>Input and output glue shared by the CPU commands: reading CPU definitions and data files, printing definitions.</summary>
internal static class CpuFiles
{
    /// <summary>The largest definition file accepted, in bytes.</summary>
    private const long MaxBytes = 64L * 1024 * 1024;

    /// <summary>Reads a text file, turning I/O failures into bad input.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The text.</returns>
    public static string ReadText(string path)
    {
        return InputFile.ReadAllText(path, MaxBytes);
    }

    /// <summary>Every CPU definition of a file (bare, concatenated, cpuTest, capabilities, domain capabilities, domain XML).</summary>
    /// <param name="path">The path.</param>
    /// <param name="type">Host, guest, or null for libvirt's auto rule.</param>
    /// <returns>The definitions.</returns>
    public static IReadOnlyList<CpuDefinition> ReadCpus(string path, CpuType? type) => CpuXml.ReadAllFile(path, type);

    /// <summary>The first CPU definition of a file (auto type).</summary>
    /// <param name="path">The path.</param>
    /// <returns>The definition.</returns>
    public static CpuDefinition ReadCpu(string path) => ReadCpus(path, null)[0];

    /// <summary>Reads CPU data from any supported data file: raw CPUID/MSR data or QEMU replies (<c>docs/design.md#52-cpu-data</c>).</summary>
    /// <param name="path">The path.</param>
    /// <param name="catalog">The catalog.</param>
    /// <returns>The data, and the QEMU model list when the file carries one.</returns>
    public static (CpuData Data, HypervisorModels? Models) ReadData(string path, CpuCatalog catalog)
    {
        var input = CpuDataFile.Read(path);
        if (input.Raw is { } raw)
        {
            return (CpuData.FromRaw(raw, catalog), null);
        }

        var qemu = input.Qemu!;
        // No node, so no libvirt release: QEMU's names are read with the default release's spelling.
        return (QemuHostData.FromExpansion(catalog, qemu.Expansion, BehaviourFile.DefaultLibvirt.Spelling), Models(qemu));
    }

    /// <summary>The QEMU model list of a reply file.</summary>
    /// <param name="path">The path of a QEMU reply file with <c>query-cpu-definitions</c>.</param>
    /// <returns>The model list.</returns>
    public static HypervisorModels ReadModels(string path) =>
        Models(QemuReplyReader.Parse(ReadText(path), path)) ?? throw new InputException(path, "no query-cpu-definitions reply in this file");

    /// <summary>The leaf-1 EAX of a data file.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The raw leaf-1 EAX (CPUID data) or the signature composed from QEMU's family, model and stepping.</returns>
    public static uint ReadLeaf1Eax(string path)
    {
        var input = CpuDataFile.Read(path);
        return input.Raw is { } raw ? raw.Leaf1Eax : QemuHostData.Leaf1Eax(input.Qemu!.Expansion);
    }

    /// <summary>The XML formatting of the libvirt version a catalog comes from.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <returns>libvirt 9 style for 9.x catalogs, libvirt 11 style otherwise.</returns>
    public static CpuXmlStyle StyleOf(CpuCatalog catalog) =>
        catalog.Name.StartsWith("libvirt-9.", StringComparison.Ordinal) ? CpuXmlStyle.Libvirt9 : CpuXmlStyle.Libvirt11;

    /// <summary>Writes a definition as <c>{"model", "vendor", "features": [{"name", "policy"}]}</c>.</summary>
    /// <param name="w">The writer.</param>
    /// <param name="cpu">The definition.</param>
    public static void WriteJson(Utf8JsonWriter w, CpuDefinition cpu)
    {
        w.WriteStartObject();
        w.WriteStringOrNull("model", cpu.Model);
        w.WriteStringOrNull("vendor", cpu.Vendor);
        w.WriteStartArray("features");
        foreach (var f in cpu.Features)
        {
            w.WriteStartObject();
            w.WriteString("name", f.Name);
            w.WriteStringOrNull("policy", f.Policy is { } p ? CpuXml.PolicyName(p) : null);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>
    /// Runs an engine operation on CPUs read from files, so that its refusal (unknown model, vendors
    /// that do not match, ...) names the files it came from, as every input error does.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="files">The input files of the operation.</param>
    /// <param name="run">The operation.</param>
    /// <returns>Its result.</returns>
    /// <exception cref="CpuEngineException">The operation failed; the message starts with the file names.</exception>
    public static T OnFiles<T>(IEnumerable<string> files, Func<T> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            return run();
        }
        catch (CpuEngineException e)
        {
            throw new CpuEngineException($"{string.Join(", ", files.Distinct(StringComparer.Ordinal))}: {e.Message}", e);
        }
    }


    private static HypervisorModels? Models(QemuReplyFile qemu) => qemu.Definitions is { } defs ? QemuHostData.Models(defs, BehaviourFile.DefaultLibvirt.Spelling) : null;
}
