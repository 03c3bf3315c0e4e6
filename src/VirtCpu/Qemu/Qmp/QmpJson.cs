using System.Collections.Immutable;
using System.Text.Json;

namespace VirtCpu.Qemu.Qmp;

/// <summary>Converts between QMP JSON and the QEMU reply values (<see cref="QemuModelExpansion"/>, <see cref="QemuCpuDefinitionInfo"/>).</summary>
public static class QmpJson
{
    /// <summary>Reads a <c>CpuModelExpansionInfo</c> (<c>{"model": {...}}</c>) or a bare <c>CpuModelInfo</c> (<c>{"name":..., "props":...}</c>).</summary>
    /// <param name="element">The JSON.</param>
    /// <returns>The expansion, or null when the JSON has no model name.</returns>
    public static QemuModelExpansion? Expansion(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var model = element.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.Object ? m : element;
        if (!model.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var props = ImmutableArray.CreateBuilder<KeyValuePair<string, QemuValue>>();
        if (model.TryGetProperty("props", out var p) && p.ValueKind == JsonValueKind.Object)
        {
            foreach (var prop in p.EnumerateObject())
            {
                props.Add(new(prop.Name, Value(prop.Value)));
            }
        }

        return new QemuModelExpansion(n.GetString()!, props.ToImmutable());
    }

    /// <summary>Reads one <c>CpuDefinitionInfo</c>.</summary>
    /// <param name="element">The JSON.</param>
    /// <returns>The definition, or null when it has no name.</returns>
    public static QemuCpuDefinitionInfo? Definition(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        string? Str(string key) => element.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        bool Flag(string key) => element.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.True;
        ImmutableArray<string>? unavailable = element.TryGetProperty("unavailable-features", out var u) && u.ValueKind == JsonValueKind.Array
            ? [.. u.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
            : null;
        return new QemuCpuDefinitionInfo(n.GetString()!, Str("typename"), unavailable, Str("alias-of"), Flag("static"), Flag("migration-safe"), Flag("deprecated"));
    }

    /// <summary>Reads one property value.</summary>
    /// <param name="element">The JSON value.</param>
    /// <returns>The value.</returns>
    public static QemuValue Value(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.True => new QemuValue(QemuValueKind.Boolean, Boolean: true),
        JsonValueKind.False => new QemuValue(QemuValueKind.Boolean, Boolean: false),
        JsonValueKind.String => new QemuValue(QemuValueKind.Text, Text: element.GetString()),
        JsonValueKind.Number => new QemuValue(QemuValueKind.Number, Number: element.GetDouble(), Text: element.GetRawText()),
        _ => new QemuValue(QemuValueKind.Other),
    };

    /// <summary>Writes a <c>CpuModelInfo</c> object (<c>{"name":..., "props": {...}}</c>).</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="expansion">The model.</param>
    public static void WriteModel(Utf8JsonWriter writer, QemuModelExpansion expansion)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(expansion);
        writer.WriteStartObject();
        writer.WriteString("name", expansion.Name);
        writer.WritePropertyName("props");
        writer.WriteStartObject();
        foreach (var (key, value) in expansion.Props)
        {
            writer.WritePropertyName(key);
            switch (value.Kind)
            {
                case QemuValueKind.Boolean:
                    writer.WriteBooleanValue(value.Boolean);
                    break;
                case QemuValueKind.Text:
                    writer.WriteStringValue(value.Text);
                    break;
                case QemuValueKind.Number when value.Text is not null:
                    writer.WriteRawValue(value.Text);
                    break;
                case QemuValueKind.Number:
                    writer.WriteNumberValue(value.Number);
                    break;
                default:
                    writer.WriteNullValue();
                    break;
            }
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes a <c>CpuDefinitionInfo</c> object.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="d">The definition.</param>
    public static void WriteDefinition(Utf8JsonWriter writer, QemuCpuDefinitionInfo d)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(d);
        writer.WriteStartObject();
        if (d.AliasOf is not null)
        {
            writer.WriteString("alias-of", d.AliasOf);
        }

        writer.WriteBoolean("deprecated", d.Deprecated);
        writer.WriteBoolean("migration-safe", d.MigrationSafe);
        writer.WriteString("name", d.Name);
        writer.WriteBoolean("static", d.Static);
        if (d.Typename is not null)
        {
            writer.WriteString("typename", d.Typename);
        }

        if (d.UnavailableFeatures is { } u)
        {
            writer.WritePropertyName("unavailable-features");
            writer.WriteStartArray();
            foreach (var f in u)
            {
                writer.WriteStringValue(f);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}
