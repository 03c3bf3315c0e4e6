using System.Text;
using System.Text.Json;
using VirtCpu.Formats.Input;
using VirtCpu.Qemu;

namespace VirtCpu.Formats.QemuData;

/// <summary>
/// The JSON of <c>virtcpu qemu expand</c>: <c>{"models": {"NAME": {"resolved": "X-vN"|"legacy",
/// "vendor": "...", "family": N, "model": N, "stepping": N, "model-id": "...", "enabled": [...],
/// "filtered": [...]}}}</c>, names sorted ordinally; <c>filtered</c> only when a host offer was given.
/// </summary>
public static class QemuCpuJson
{
    /// <summary>Writes expansions.</summary>
    /// <param name="cpus">The expansions (keyed by the name given).</param>
    /// <param name="withFiltered">Whether to write the filtered features.</param>
    /// <returns>The JSON text with a final newline.</returns>
    public static string Write(IEnumerable<QemuCpu> cpus, bool withFiltered)
    {
        ArgumentNullException.ThrowIfNull(cpus);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WritePropertyName("models");
            w.WriteStartObject();
            foreach (var cpu in cpus.OrderBy(c => c.Resolution.Given, StringComparer.Ordinal))
            {
                w.WritePropertyName(cpu.Resolution.Given);
                w.WriteStartObject();
                w.WriteString("resolved", cpu.Resolution.Resolved);
                w.WriteString("vendor", cpu.Vendor);
                w.WriteNumber("family", cpu.Family);
                w.WriteNumber("model", cpu.Model);
                w.WriteNumber("stepping", cpu.Stepping);
                w.WriteString("model-id", cpu.ModelId);
                w.WriteStringArray("enabled", cpu.EnabledNames);
                if (withFiltered)
                {
                    w.WriteStringArray("filtered", cpu.FilteredNames);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
