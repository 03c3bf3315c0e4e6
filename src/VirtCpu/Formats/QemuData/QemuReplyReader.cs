using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using VirtCpu.Qemu;

namespace VirtCpu.Formats.QemuData;

/// <summary>
/// Reads QMP reply files as libvirt's tests store them (<c>x86_64-cpuid-*.json</c>): JSON objects
/// one after the other, separated by blank lines. Reply 1 is a <c>query-cpu-model-expansion</c>
/// (<c>{"return": {"model": {"name": ..., "props": {...}}}, "id": ...}</c>); reply 2, when present,
/// is a <c>query-cpu-definitions</c> (<c>{"return": [{"name": ..., ...}, ...]}</c>).
/// </summary>
public static class QemuReplyReader
{
    /// <summary>Parses a reply file from text.</summary>
    /// <param name="json">The text.</param>
    /// <param name="file">The file name used in error messages.</param>
    /// <returns>The replies.</returns>
    /// <exception cref="InputException">Malformed JSON, an empty file or replies of the wrong shape.</exception>
    public static QemuReplyFile Parse(string json, string file)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json), file);
    }

    /// <summary>Parses a reply file from UTF-8 bytes.</summary>
    /// <param name="utf8">The bytes (a UTF-8 byte order mark is allowed).</param>
    /// <param name="file">The file name used in error messages.</param>
    /// <returns>The replies.</returns>
    /// <exception cref="InputException">Malformed JSON, an empty file or replies of the wrong shape.</exception>
    public static QemuReplyFile Parse(ReadOnlySpan<byte> utf8, string file)
    {
        var replies = ReadObjects(utf8, file);
        try
        {
            if (replies.Count == 0)
            {
                throw new InputException(file, "empty file");
            }

            if (replies.Count > 2)
            {
                throw new InputException(file, $"expected one or two QMP replies (model expansion, CPU definitions), found {replies.Count}");
            }

            var expansion = ReadExpansion(Return(replies[0].RootElement, 1, file), file);
            ImmutableArray<QemuCpuDefinitionInfo>? definitions = replies.Count > 1
                ? ReadDefinitions(Return(replies[1].RootElement, 2, file), file)
                : null;
            return new QemuReplyFile(expansion, definitions);
        }
        finally
        {
            foreach (var d in replies)
            {
                d.Dispose();
            }
        }
    }

    private static List<JsonDocument> ReadObjects(ReadOnlySpan<byte> utf8, string file)
    {
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        // Utf8JsonReader checks the structure but not the bytes inside strings; decoding them later
        // would throw InvalidOperationException (found by fuzzing).
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            throw new InputException(file, "not UTF-8 text");
        }

        var docs = new List<JsonDocument>();
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { AllowMultipleValues = true, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new InputException(file, $"line {LineOf(utf8, reader.TokenStartIndex)}: expected a JSON object (a QMP reply), found {Describe(reader.TokenType)}");
                }

                docs.Add(JsonDocument.ParseValue(ref reader));
            }
        }
        catch (JsonException e)
        {
            foreach (var d in docs)
            {
                d.Dispose();
            }

            var line = e.LineNumber is { } n ? $"line {n + 1}: " : string.Empty;
            throw new InputException(file, $"{line}malformed JSON: {FirstSentence(e.Message)}", e);
        }
        catch (InputException)
        {
            foreach (var d in docs)
            {
                d.Dispose();
            }

            throw;
        }

        return docs;
    }

    private static JsonElement Return(JsonElement reply, int number, string file)
    {
        if (reply.TryGetProperty("error", out var error))
        {
            var desc = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("desc", out var d) && d.ValueKind == JsonValueKind.String
                ? d.GetString()
                : error.GetRawText();
            throw new InputException(file, $"QMP reply {number} is an error: {desc}");
        }

        if (!reply.TryGetProperty("return", out var ret))
        {
            throw new InputException(file, $"QMP reply {number} has no \"return\" member");
        }

        return ret;
    }

    private static QemuModelExpansion ReadExpansion(JsonElement ret, string file)
    {
        if (ret.ValueKind != JsonValueKind.Object
            || !ret.TryGetProperty("model", out var model)
            || model.ValueKind != JsonValueKind.Object)
        {
            throw new InputException(file, "QMP reply 1 is not a query-cpu-model-expansion reply: expected \"return\": {\"model\": {...}}");
        }

        if (!model.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
        {
            throw new InputException(file, "QMP reply 1: the expanded model has no string \"name\"");
        }

        var props = ImmutableArray.CreateBuilder<KeyValuePair<string, QemuValue>>();
        if (model.TryGetProperty("props", out var p))
        {
            if (p.ValueKind != JsonValueKind.Object)
            {
                throw new InputException(file, "QMP reply 1: \"props\" of the expanded model is not an object");
            }

            foreach (var prop in p.EnumerateObject())
            {
                props.Add(new(prop.Name, Value(prop.Value)));
            }
        }

        return new QemuModelExpansion(name.GetString()!, props.ToImmutable());
    }

    private static QemuValue Value(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True => new QemuValue(QemuValueKind.Boolean, Boolean: true),
        JsonValueKind.False => new QemuValue(QemuValueKind.Boolean, Boolean: false),
        JsonValueKind.String => new QemuValue(QemuValueKind.Text, Text: v.GetString()),
        JsonValueKind.Number => new QemuValue(QemuValueKind.Number, Number: v.TryGetDouble(out var d) ? d : double.NaN, Text: v.GetRawText()),
        _ => new QemuValue(QemuValueKind.Other, Text: v.GetRawText()),
    };

    private static ImmutableArray<QemuCpuDefinitionInfo> ReadDefinitions(JsonElement ret, string file)
    {
        if (ret.ValueKind != JsonValueKind.Array)
        {
            throw new InputException(file, "QMP reply 2 is not a query-cpu-definitions reply: expected \"return\": [...]");
        }

        var list = ImmutableArray.CreateBuilder<QemuCpuDefinitionInfo>();
        var i = 0;
        foreach (var e in ret.EnumerateArray())
        {
            i++;
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw new InputException(file, $"QMP reply 2: CPU definition {i} is not an object");
            }

            var name = OptionalString(e, "name", i, file) ?? throw new InputException(file, $"QMP reply 2: CPU definition {i} has no \"name\"");
            ImmutableArray<string>? unavailable = null;
            if (e.TryGetProperty("unavailable-features", out var u))
            {
                if (u.ValueKind != JsonValueKind.Array)
                {
                    throw new InputException(file, $"QMP reply 2: \"unavailable-features\" of {name} is not an array");
                }

                var names = ImmutableArray.CreateBuilder<string>();
                foreach (var f in u.EnumerateArray())
                {
                    if (f.ValueKind != JsonValueKind.String)
                    {
                        throw new InputException(file, $"QMP reply 2: \"unavailable-features\" of {name} holds a non-string");
                    }

                    names.Add(f.GetString()!);
                }

                unavailable = names.ToImmutable();
            }

            list.Add(new QemuCpuDefinitionInfo(
                name,
                OptionalString(e, "typename", i, file),
                unavailable,
                OptionalString(e, "alias-of", i, file),
                Flag(e, "static", name, file),
                Flag(e, "migration-safe", name, file),
                Flag(e, "deprecated", name, file)));
        }

        return list.ToImmutable();
    }

    private static string? OptionalString(JsonElement e, string member, int index, string file)
    {
        if (!e.TryGetProperty(member, out var v))
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : throw new InputException(file, $"QMP reply 2: \"{member}\" of CPU definition {index} is not a string");
    }

    private static bool Flag(JsonElement e, string member, string name, string file)
    {
        if (!e.TryGetProperty(member, out var v))
        {
            return false;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InputException(file, $"QMP reply 2: \"{member}\" of {name} is not a boolean"),
        };
    }

    private static int LineOf(ReadOnlySpan<byte> utf8, long offset)
    {
        var end = (int)Math.Min(offset, utf8.Length);
        return utf8[..end].Count((byte)'\n') + 1;
    }

    private static string Describe(JsonTokenType t) => t switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => t.ToString(),
    };

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(" Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }
}
