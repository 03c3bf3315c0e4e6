using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using VirtCpu.Formats.Input;
using VirtCpu.Qemu;
using VirtCpu.Qemu.Qmp;

namespace VirtCpu.Formats.QemuData;

/// <summary>
/// Reads and writes QMP probe files: <c>{"greeting": ..., "definitions": [...], "expansions":
/// {"NAME": {"model": {"name": ..., "props": {...}}}}, "static-max": {"return": {"model": ...}}}</c>,
/// the shape of <c>shared/reference/qemu-7.2/qmp-probe-tcg.json</c>.
/// </summary>
public static class QemuProbeFile
{
    /// <summary>The largest probe file accepted, in bytes (256 MiB).</summary>
    public const int MaxBytes = 256 << 20;

    /// <summary>Reads a probe file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The probe.</returns>
    /// <exception cref="InputException">When the file is missing or not a probe.</exception>
    public static QemuProbe ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Read(InputFile.ReadAllBytes(path, MaxBytes), path);
    }

    /// <summary>Reads a probe from UTF-8 JSON.</summary>
    /// <param name="utf8">The JSON.</param>
    /// <param name="file">The file name, for messages.</param>
    /// <returns>The probe.</returns>
    /// <exception cref="InputException">When the JSON is malformed or not a probe.</exception>
    public static QemuProbe Read(ReadOnlyMemory<byte> utf8, string file)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8.Span))
        {
            throw new InputException(file, "not UTF-8 text");
        }

        try
        {
            using var doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 64 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InputException(file, "a probe is a JSON object");
            }

            var greeting = root.TryGetProperty("greeting", out var g) ? g.GetRawText() : "{}";
            var defs = ImmutableArray.CreateBuilder<QemuCpuDefinitionInfo>();
            if (root.TryGetProperty("definitions", out var d))
            {
                if (d.ValueKind != JsonValueKind.Array)
                {
                    throw new InputException(file, "\"definitions\" is not an array");
                }

                foreach (var e in d.EnumerateArray())
                {
                    defs.Add(QmpJson.Definition(e) ?? throw new InputException(file, "a definition has no name"));
                }
            }

            var expansions = ImmutableSortedDictionary.CreateBuilder<string, QemuModelExpansion>(StringComparer.Ordinal);
            if (root.TryGetProperty("expansions", out var x))
            {
                if (x.ValueKind != JsonValueKind.Object)
                {
                    throw new InputException(file, "\"expansions\" is not an object");
                }

                foreach (var p in x.EnumerateObject())
                {
                    expansions[p.Name] = QmpJson.Expansion(p.Value) ?? throw new InputException(file, $"expansion of {p.Name} has no model");
                }
            }

            QemuModelExpansion? staticMax = null;
            if (root.TryGetProperty("static-max", out var s))
            {
                staticMax = QmpJson.Expansion(s.TryGetProperty("return", out var r) ? r : s);
            }

            return new QemuProbe(greeting, defs.ToImmutable(), expansions.ToImmutable(), staticMax);
        }
        catch (JsonException e)
        {
            throw new InputException(file, $"line {e.LineNumber + 1}: not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Writes a probe as indented JSON.</summary>
    /// <param name="probe">The probe.</param>
    /// <returns>The JSON text with a final newline.</returns>
    public static string Write(QemuProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WritePropertyName("definitions");
            w.WriteStartArray();
            foreach (var d in probe.Definitions)
            {
                QmpJson.WriteDefinition(w, d);
            }

            w.WriteEndArray();
            w.WritePropertyName("expansions");
            w.WriteStartObject();
            foreach (var (name, e) in probe.Expansions)
            {
                w.WritePropertyName(name);
                w.WriteStartObject();
                w.WritePropertyName("model");
                QmpJson.WriteModel(w, e);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WritePropertyName("greeting");
            using (var g = JsonDocument.Parse(probe.GreetingJson))
            {
                g.RootElement.WriteTo(w);
            }

            if (probe.StaticMax is { } s)
            {
                w.WritePropertyName("static-max");
                w.WriteStartObject();
                w.WritePropertyName("return");
                w.WriteStartObject();
                w.WritePropertyName("model");
                QmpJson.WriteModel(w, s);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
