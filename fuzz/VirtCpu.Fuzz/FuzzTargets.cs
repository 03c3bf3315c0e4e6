using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Cpuid;
using VirtCpu.Evolution;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.NodeProfiles;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Formats.QemuData;

namespace VirtCpu.Fuzz;

/// <summary>
/// One entry point per parser. Each takes the fuzzed bytes, parses them, and on success pushes the
/// result through the next steps (formatting, re-parsing, the engine view) so those are fuzzed too.
/// An <see cref="InputException"/> is the documented failure; anything else escapes and is a crash.
/// A successful parse whose own output does not parse again is a crash too (<see cref="FuzzFinding"/>).
/// </summary>
internal static class FuzzTargets
{
    private static readonly Lazy<CpuCatalog> Catalog = new(() => BuiltInCatalogs.Get(BuiltInCatalogs.Default));

    /// <summary>The targets by name.</summary>
    public static FrozenDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["cpudata"] = CpuData,
        ["cpuid-text"] = CpuidTextTarget,
        ["qemu-reply"] = QemuReply,
        ["cpu-xml"] = CpuXmlTarget,
        ["host-list"] = HostList,
        ["capabilities"] = CpuXmlAll,
        ["domcaps"] = CpuXmlAll,
        ["cpu-map"] = CpuMap,
        ["vcat"] = Vcat,
        ["qcat"] = Qcat,
        ["lock"] = Lock,
        ["qemu-probe"] = QemuProbe,
        ["cpu-data-file"] = CpuDataFileTarget,
        ["node-profile"] = NodeProfile,
        ["qmp-reply"] = QmpReply,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Runs a target on one input; returns false for a documented input error.</summary>
    /// <param name="target">The target.</param>
    /// <param name="data">The input.</param>
    /// <returns>True when the input was accepted, false when it was refused with an input error.</returns>
    public static bool Run(Action<byte[]> target, byte[] data)
    {
        try
        {
            target(data);
            return true;
        }
        catch (InputException e) when (IsOneLine(e))
        {
            return false;
        }
    }

    private static bool IsOneLine(InputException e) =>
        e.Message.AsSpan().IndexOfAny("\n\r\u0085\u2028\u2029") < 0
        ? true
        : throw new FuzzFinding("input error message spans several lines: " + e.Message, e);

    private static string Text(byte[] data) => Encoding.UTF8.GetString(data);

    private static void CpuData(byte[] data)
    {
        var raw = CpuidXml.Parse(Text(data), "fuzz.xml");
        Engine(raw);
        Reparse(() => CpuidXml.Parse(CpuidXml.Format(raw), "formatted.xml"));
    }

    private static void CpuidTextTarget(byte[] data)
    {
        var raw = CpuidText.Parse(Text(data), "fuzz.txt");
        Engine(raw);
        Reparse(() => CpuidXml.Parse(CpuidXml.Format(raw), "formatted.xml"));
    }

    private static void CpuDataFileTarget(byte[] data)
    {
        var input = CpuDataFile.Parse(data, "fuzz.dat");
        if (input.Raw is { } raw)
        {
            Engine(raw);
        }
    }

    private static void Engine(CpuidData raw)
    {
        var view = VirtCpu.Cpuid.CpuData.FromRaw(raw, Catalog.Value);
        _ = SignatureText.Format(raw);
        GC.KeepAlive(view);
    }

    private static void QemuReply(byte[] data) => _ = QemuReplyReader.Parse(data, "fuzz.json");

    private static void CpuXmlTarget(byte[] data)
    {
        var cpu = CpuXml.Parse(Text(data), "fuzz.xml");
        _ = CpuXml.Format(cpu);
        _ = CpuXml.Format(cpu, CpuXmlStyle.Libvirt9);
    }

    // The byte-level host-list scanner against the full XML parser: the same definitions, or it gives up.
    private static void HostList(byte[] data)
    {
        if (CpuXml.TryParseHostList(data, CpuType.Host, CpuXmlParseOptions.None) is not { } fast)
        {
            _ = CpuXml.ParseAll(data, "fuzz.xml", CpuType.Host);
            return;
        }

        ImmutableArray<CpuDefinition> full;
        try
        {
            full = CpuXml.ParseAllWithTree(InputFile.DecodeUtf8(data, "fuzz.xml"), "fuzz.xml", CpuType.Host, CpuXmlParseOptions.None);
        }
        catch (InputException e)
        {
            throw new FuzzFinding("the host-list scanner accepts what the XML parser refuses: " + e.Message, e);
        }

        if (fast.Length != full.Length || fast.Zip(full).Any(p => CpuXml.Format(p.First) != CpuXml.Format(p.Second) || p.First.Signature != p.Second.Signature))
        {
            throw new FuzzFinding("the host-list scanner and the XML parser read different definitions");
        }
    }

    private static void CpuXmlAll(byte[] data)
    {
        foreach (var cpu in CpuXml.ParseAll(Text(data), "fuzz.xml"))
        {
            _ = CpuXml.Format(cpu);
        }
    }

    private static void CpuMap(byte[] data) => FuzzMap.Load(data);

    private static void Vcat(byte[] data)
    {
        using var reader = new StringReader(Text(data));
        var catalog = CatalogFile.Read(reader, "fuzz.vcat");
        string text;
        try
        {
            text = CatalogFile.WriteToString(catalog);
        }
        catch (CatalogException)
        {
            // Documented: a name that the format cannot write (white space, quotes) was accepted on read.
            return;
        }

        Reparse(() =>
        {
            using var again = new StringReader(text);
            var second = CatalogFile.WriteToString(CatalogFile.Read(again, "formatted.vcat"));
            if (second != text)
            {
                throw new FuzzFinding("a catalog does not survive write + read + write unchanged");
            }
        });
    }

    private static void Qcat(byte[] data)
    {
        var catalog = QcatReader.Read(Text(data), "fuzz.qcat");
        var text = QcatWriter.Write(catalog);
        Reparse(() => QcatReader.Read(text, "formatted.qcat"));
    }

    private static void Lock(byte[] data)
    {
        using var reader = new StringReader(Text(data));
        var file = CatalogLock.Read(reader, "fuzz.lock");
        var text = CatalogLock.WriteToString(file);
        Reparse(() =>
        {
            using var again = new StringReader(text);
            _ = CatalogLock.Read(again, "formatted.lock");
        });
    }

    private static void QemuProbe(byte[] data)
    {
        var probe = QemuProbeFile.Read(data, "fuzz.json");
        var text = QemuProbeFile.Write(probe);
        Reparse(() => QemuProbeFile.Read(Encoding.UTF8.GetBytes(text), "formatted.json"));
    }

    private static void NodeProfile(byte[] data)
    {
        using var doc = NodeProfileReader.ParseDocument(data, "fuzz.json");
        _ = NodeProfileReader.Parse(doc.RootElement, "fuzz.json", "fuzz", FuzzMap.BaseDirectory);
    }

    private static void QmpReply(byte[] data)
    {
        // The QMP message readers of the live client (QmpJson), on one fuzzed reply; the reply is
        // checked as QmpClient checks a line: UTF-8 JSON object, depth 64.
        if (!System.Text.Unicode.Utf8.IsValid(data))
        {
            return;
        }

        System.Text.Json.JsonDocument doc;
        try
        {
            doc = System.Text.Json.JsonDocument.Parse(data);
        }
        catch (System.Text.Json.JsonException)
        {
            return;
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object || !doc.RootElement.TryGetProperty("return", out var ret))
            {
                return;
            }

            if (ret.ValueKind == System.Text.Json.JsonValueKind.Array)
            {
                foreach (var d in ret.EnumerateArray())
                {
                    _ = VirtCpu.Qemu.Qmp.QmpJson.Definition(d);
                }
            }
            else
            {
                _ = VirtCpu.Qemu.Qmp.QmpJson.Expansion(ret);
                _ = VirtCpu.Qemu.Qmp.QmpJson.Value(ret);
            }
        }
    }

    private static void Reparse(Action action)
    {
        try
        {
            action();
        }
        catch (InputException e)
        {
            throw new FuzzFinding("the reader refuses what the writer wrote: " + e.Message, e);
        }
    }
}

/// <summary>A bug found by a property check rather than by an unexpected exception.</summary>
internal sealed class FuzzFinding : Exception
{
    public FuzzFinding()
    {
    }

    public FuzzFinding(string message)
        : base(message)
    {
    }

    public FuzzFinding(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
