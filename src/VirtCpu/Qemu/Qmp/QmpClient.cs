using System.Buffers;
using System.Collections.Immutable;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace VirtCpu.Qemu.Qmp;

/// <summary>
/// A QMP client over a UNIX socket: reads the greeting, negotiates capabilities, sends commands
/// with ids and matches the replies, skipping interleaved events. Every wait is bounded by
/// <see cref="Timeout"/>.
/// </summary>
public sealed class QmpClient : IDisposable
{
    /// <summary>The longest line (one JSON message) accepted.</summary>
    public const int MaxMessageBytes = 64 << 20;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private readonly ArrayBufferWriter<byte> _line = new();
    private int _start;
    private int _end;
    private int _nextId = 1;

    private QmpClient(Socket socket, TimeSpan timeout)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        Timeout = timeout;
    }

    /// <summary>How long one reply may take.</summary>
    public TimeSpan Timeout { get; set; }

    /// <summary>The greeting QEMU sent (the JSON text of the whole <c>{"QMP": ...}</c> object).</summary>
    public string GreetingJson { get; private set; } = "{}";

    /// <summary>Connects to a QMP socket, reads the greeting and negotiates capabilities.</summary>
    /// <param name="socketPath">The UNIX socket.</param>
    /// <param name="timeout">The bound on each wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A client ready for commands.</returns>
    /// <exception cref="QmpException">When the socket refuses, the greeting is missing or malformed, or negotiation fails.</exception>
    public static async Task<QmpClient> ConnectAsync(string socketPath, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socketPath);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            using (var cts = Timed(timeout, cancellationToken))
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            throw new QmpException($"cannot connect to the QMP socket {socketPath}: {(e is OperationCanceledException ? "timed out" : e.Message)}", e);
        }

        var client = new QmpClient(socket, timeout);
        try
        {
            using var greeting = await client.ReadMessageAsync("the greeting", cancellationToken).ConfigureAwait(false);
            if (!greeting.RootElement.TryGetProperty("QMP", out _))
            {
                throw new QmpException($"the server did not greet with a QMP object: {Shorten(greeting.RootElement.GetRawText())}");
            }

            client.GreetingJson = greeting.RootElement.GetRawText();
            using var negotiated = await client.ExecuteAsync("qmp_capabilities", null, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Runs a command and returns its <c>return</c> value.</summary>
    /// <param name="command">The command name.</param>
    /// <param name="arguments">Writes the members of the <c>arguments</c> object, or null for none.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The reply document; its root is the <c>return</c> value.</returns>
    /// <exception cref="QmpException">On an error reply, a closed connection, garbage or a timeout.</exception>
    public async Task<JsonDocument> ExecuteAsync(string command, Action<Utf8JsonWriter>? arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var id = _nextId++;
        var request = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(request))
        {
            w.WriteStartObject();
            w.WriteString("execute", command);
            if (arguments is not null)
            {
                w.WritePropertyName("arguments");
                w.WriteStartObject();
                arguments(w);
                w.WriteEndObject();
            }

            w.WriteNumber("id", id);
            w.WriteEndObject();
        }

        try
        {
            using var cts = Timed(Timeout, cancellationToken);
            await _stream.WriteAsync(request.WrittenMemory, cts.Token).ConfigureAwait(false);
            await _stream.WriteAsync("\n"u8.ToArray(), cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            throw new QmpException($"QMP {command}: cannot send the command: {(e is OperationCanceledException ? "timed out" : e.Message)}", e);
        }

        while (true)
        {
            var reply = await ReadMessageAsync($"the reply to {command}", cancellationToken).ConfigureAwait(false);
            var root = reply.RootElement;
            if (root.TryGetProperty("event", out _))
            {
                reply.Dispose();
                continue;
            }

            if (root.TryGetProperty("id", out var rid) && !(rid.ValueKind == JsonValueKind.Number && rid.TryGetInt32(out var n) && n == id))
            {
                reply.Dispose();
                continue;
            }

            if (root.TryGetProperty("error", out var error))
            {
                var cls = error.TryGetProperty("class", out var c) ? c.GetString() ?? "" : "";
                var desc = error.TryGetProperty("desc", out var d) ? d.GetString() ?? "" : "";
                reply.Dispose();
                throw new QmpException(cls, desc, command);
            }

            if (!root.TryGetProperty("return", out var ret))
            {
                var text = Shorten(root.GetRawText());
                reply.Dispose();
                throw new QmpException($"QMP {command}: the reply has neither return nor error: {text}");
            }

            var result = JsonDocument.Parse(ret.GetRawText());
            reply.Dispose();
            return result;
        }
    }

    /// <summary>Runs <c>query-cpu-definitions</c>.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The definitions.</returns>
    public async Task<ImmutableArray<QemuCpuDefinitionInfo>> QueryCpuDefinitionsAsync(CancellationToken cancellationToken = default)
    {
        using var doc = await ExecuteAsync("query-cpu-definitions", null, cancellationToken).ConfigureAwait(false);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new QmpException("QMP query-cpu-definitions: the return value is not an array");
        }

        return [.. doc.RootElement.EnumerateArray().Select(QmpJson.Definition).OfType<QemuCpuDefinitionInfo>()];
    }

    /// <summary>Runs <c>query-cpu-model-expansion</c>.</summary>
    /// <param name="type"><c>full</c> or <c>static</c>.</param>
    /// <param name="model">The model name.</param>
    /// <param name="props">Properties to apply first, or null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The expansion.</returns>
    public async Task<QemuModelExpansion> QueryCpuModelExpansionAsync(string type, string model, IReadOnlyDictionary<string, bool>? props = null, CancellationToken cancellationToken = default)
    {
        using var doc = await ExecuteAsync("query-cpu-model-expansion", w =>
        {
            w.WriteString("type", type);
            w.WritePropertyName("model");
            w.WriteStartObject();
            w.WriteString("name", model);
            if (props is not null)
            {
                w.WritePropertyName("props");
                w.WriteStartObject();
                foreach (var (k, v) in props)
                {
                    w.WriteBoolean(k, v);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);
        return QmpJson.Expansion(doc.RootElement) ?? throw new QmpException($"QMP query-cpu-model-expansion {model}: the return value has no model");
    }

    /// <summary>Asks QEMU to quit; a connection closed by QEMU while doing so is fine.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task.</returns>
    public async Task QuitAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var reply = await ExecuteAsync("quit", null, cancellationToken).ConfigureAwait(false);
        }
        catch (QmpException e) when (e.ErrorClass is null)
        {
            // QEMU may close the socket before or after answering quit.
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stream.Dispose();
        _socket.Dispose();
    }

    private static CancellationTokenSource Timed(TimeSpan timeout, CancellationToken token)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
        cts.CancelAfter(timeout);
        return cts;
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";

    private async Task<JsonDocument> ReadMessageAsync(string what, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await ReadLineAsync(what, cancellationToken).ConfigureAwait(false);
            if (line.Length == 0 || line.Trim().Length == 0)
            {
                continue;
            }

            try
            {
                var doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    doc.Dispose();
                    throw new QmpException($"QEMU sent something that is not a QMP message while waiting for {what}: {Shorten(line)}");
                }

                return doc;
            }
            catch (JsonException e)
            {
                throw new QmpException($"QEMU sent something that is not QMP JSON while waiting for {what}: {Shorten(line)}", e);
            }
        }
    }

    private async Task<string> ReadLineAsync(string what, CancellationToken cancellationToken)
    {
        _line.Clear();
        using var cts = Timed(Timeout, cancellationToken);
        while (true)
        {
            if (_start < _end)
            {
                var nl = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                var stop = nl < 0 ? _end : nl;
                _line.Write(_buffer.AsSpan(_start, stop - _start));
                _start = nl < 0 ? _end : nl + 1;
                if (_line.WrittenCount > MaxMessageBytes)
                {
                    throw new QmpException($"QEMU sent a message longer than {MaxMessageBytes} bytes while waiting for {what}");
                }

                if (nl >= 0)
                {
                    return Encoding.UTF8.GetString(_line.WrittenSpan);
                }
            }

            int n;
            try
            {
                n = await _stream.ReadAsync(_buffer, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new QmpException($"QEMU did not answer within {Timeout.TotalSeconds:0.#} s while waiting for {what}", e);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                throw new QmpException($"the QMP connection failed while waiting for {what}: {e.Message}", e);
            }

            if (n == 0)
            {
                throw new QmpException(_line.WrittenCount > 0
                    ? $"QEMU closed the connection in the middle of {what}"
                    : $"QEMU closed the connection while waiting for {what}");
            }

            _start = 0;
            _end = n;
        }
    }
}
