using System.Collections.Immutable;
using System.Text.Json;

namespace VirtCpu.Qemu.Qmp;

/// <summary>What <c>query-version</c> answers.</summary>
/// <param name="Major">The major version.</param>
/// <param name="Minor">The minor version.</param>
/// <param name="Micro">The micro version.</param>
/// <param name="Package">The package string (<c>Debian 1:11.1.2+ds-3</c>), or empty.</param>
public sealed record QemuBinaryVersion(int Major, int Minor, int Micro, string Package)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Major}.{Minor}.{Micro}{(Package.Length > 0 ? $" ({Package.Trim()})" : "")}";
}

/// <summary>One global property a machine type sets (<c>compat-props</c> of <c>query-machines</c>).</summary>
/// <param name="QomType">The QOM type it applies to (<c>x86_64-cpu</c>, <c>EPYC-x86_64-cpu</c>, ...).</param>
/// <param name="Property">The property.</param>
/// <param name="Value">The value as QEMU holds it.</param>
public sealed record QemuGlobalProperty(string QomType, string Property, string Value);

/// <summary>One element of <c>query-machines</c>.</summary>
/// <param name="Name">The machine type.</param>
/// <param name="Alias">Its alias (<c>pc</c>, <c>q35</c>), or null.</param>
/// <param name="IsDefault">True for the default machine type.</param>
/// <param name="Deprecated">True when QEMU marks it deprecated.</param>
/// <param name="CompatProps">Its compat properties in QEMU's order, or null when QEMU does not report them (before 9.1).</param>
public sealed record QemuMachineInfo(string Name, string? Alias, bool IsDefault, bool Deprecated, ImmutableArray<QemuGlobalProperty>? CompatProps);

/// <summary>One property of a QOM type (<c>qom-list-properties</c>).</summary>
/// <param name="Name">The property name.</param>
/// <param name="Type">Its type (<c>bool</c>, <c>uint32</c>, ...).</param>
public sealed record QomPropertyInfo(string Name, string Type);

/// <summary>The QMP queries beyond the CPU model ones: versions, machine types, QOM properties and vCPU paths.</summary>
public static class QmpQueries
{
    /// <summary>Runs <c>query-version</c>.</summary>
    /// <param name="client">The client.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The version.</returns>
    public static async Task<QemuBinaryVersion> QueryVersionAsync(this QmpClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var doc = await client.ExecuteAsync("query-version", null, cancellationToken).ConfigureAwait(false);
        var root = doc.RootElement;
        try
        {
            var q = root.GetProperty("qemu");
            var package = root.TryGetProperty("package", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : "";
            return new QemuBinaryVersion(q.GetProperty("major").GetInt32(), q.GetProperty("minor").GetInt32(), q.GetProperty("micro").GetInt32(), package);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new QmpException($"QMP query-version: unexpected reply {root.GetRawText()}", e);
        }
    }

    /// <summary>Runs <c>query-machines</c>, with <c>compat-props</c> when QEMU accepts it (9.1 and later).</summary>
    /// <param name="client">The client.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The machine types; their <see cref="QemuMachineInfo.CompatProps"/> are null when QEMU cannot report them.</returns>
    public static async Task<ImmutableArray<QemuMachineInfo>> QueryMachinesAsync(this QmpClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        JsonDocument doc;
        try
        {
            doc = await client.ExecuteAsync("query-machines", w => w.WriteBoolean("compat-props", true), cancellationToken).ConfigureAwait(false);
        }
        catch (QmpException e) when (e.ErrorClass is "GenericError" && e.Description?.Contains("compat-props", StringComparison.Ordinal) == true)
        {
            doc = await client.ExecuteAsync("query-machines", null, cancellationToken).ConfigureAwait(false);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new QmpException("QMP query-machines: the return value is not an array");
            }

            return [.. doc.RootElement.EnumerateArray().Select(Machine).OfType<QemuMachineInfo>()];
        }
    }

    /// <summary>Runs <c>qom-get</c>.</summary>
    /// <param name="client">The client.</param>
    /// <param name="path">The object path.</param>
    /// <param name="property">The property.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The value; the caller disposes it.</returns>
    public static Task<JsonDocument> QomGetAsync(this QmpClient client, string path, string property, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.ExecuteAsync("qom-get", w =>
        {
            w.WriteString("path", path);
            w.WriteString("property", property);
        }, cancellationToken);
    }

    /// <summary>Runs <c>qom-list-properties</c> for a type.</summary>
    /// <param name="client">The client.</param>
    /// <param name="typeName">The QOM type (<c>max-x86_64-cpu</c>).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The properties.</returns>
    public static async Task<ImmutableArray<QomPropertyInfo>> QomListPropertiesAsync(this QmpClient client, string typeName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var doc = await client.ExecuteAsync("qom-list-properties", w => w.WriteString("typename", typeName), cancellationToken).ConfigureAwait(false);
        return [.. doc.RootElement.EnumerateArray()
            .Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
            .Select(p => new QomPropertyInfo(p.GetProperty("name").GetString()!, p.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : ""))];
    }

    /// <summary>The QOM paths of the vCPUs (<c>query-cpus-fast</c>), by CPU index.</summary>
    /// <param name="client">The client.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The paths.</returns>
    public static async Task<ImmutableArray<string>> QueryCpuPathsAsync(this QmpClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var doc = await client.ExecuteAsync("query-cpus-fast", null, cancellationToken).ConfigureAwait(false);
        return [.. doc.RootElement.EnumerateArray()
            .Where(c => c.ValueKind == JsonValueKind.Object && c.TryGetProperty("qom-path", out var p) && p.ValueKind == JsonValueKind.String)
            .OrderBy(c => c.TryGetProperty("cpu-index", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32() : 0)
            .Select(c => c.GetProperty("qom-path").GetString()!)];
    }

    private static QemuMachineInfo? Machine(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        ImmutableArray<QemuGlobalProperty>? compat = null;
        if (e.TryGetProperty("compat-props", out var c) && c.ValueKind == JsonValueKind.Array)
        {
            compat = [.. c.EnumerateArray()
                .Where(p => p.ValueKind == JsonValueKind.Object)
                .Select(p => new QemuGlobalProperty(Text(p, "qom-type") ?? "", Text(p, "property") ?? "", Text(p, "value") ?? ""))];
        }

        return new QemuMachineInfo(n.GetString()!, Text(e, "alias"), e.TryGetProperty("is-default", out var d) && d.ValueKind == JsonValueKind.True, e.TryGetProperty("deprecated", out var x) && x.ValueKind == JsonValueKind.True, compat);
    }

    private static string? Text(JsonElement e, string key) => e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
