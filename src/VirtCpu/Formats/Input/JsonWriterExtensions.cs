using System.Text.Json;

namespace VirtCpu.Formats.Input;

/// <summary>The two small shapes every VirtCpu JSON writer needs: a list of strings, and a string that may be null.</summary>
public static class JsonWriterExtensions
{
    /// <summary>Writes <c>"name": ["a", "b", ...]</c>.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="name">The property name.</param>
    /// <param name="values">The strings, in order.</param>
    public static void WriteStringArray(this Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(values);
        writer.WriteStartArray(name);
        foreach (var v in values)
        {
            writer.WriteStringValue(v);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes <c>"name": "value"</c>, or <c>"name": null</c>.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="name">The property name.</param>
    /// <param name="value">The value or null.</param>
    public static void WriteStringOrNull(this Utf8JsonWriter writer, string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
