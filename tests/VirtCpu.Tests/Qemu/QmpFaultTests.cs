using System.Net.Sockets;
using System.Text;
using VirtCpu.Qemu;
using VirtCpu.Qemu.Qmp;

namespace VirtCpu.Tests.Qemu;

/// <summary>The QMP client and process wrapper against fake QEMUs: every failure is a clear QmpException, bounded in time, with nothing left running.</summary>
public sealed class QmpFaultTests : IDisposable
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(1);
    private readonly string _dir = Directory.CreateTempSubdirectory("virtcpu-qmp-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Script(string name, string body)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/bin/bash"))
        {
            Assert.Skip("needs /bin/bash for the fake QEMU scripts");
        }

        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "#!/bin/bash\n" + body + "\n");
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    private static bool Alive(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    [Fact]
    public async Task MissingBinary()
    {
        var e = await Assert.ThrowsAsync<QmpException>(() => QemuProcess.StartAsync(Path.Combine(_dir, "no-such-qemu"), QemuAccelerator.Tcg, Short, TestContext.Current.CancellationToken));
        Assert.Contains("cannot start", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExitsEarlyQuotesStderr()
    {
        var qemu = Script("qemu-exits", "echo 'qemu-system-x86_64: -accel kvm: Could not access KVM kernel module' >&2\nexit 1");
        var e = await Assert.ThrowsAsync<QmpException>(() => QemuProcess.StartAsync(qemu, QemuAccelerator.Kvm, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Contains("exited early with code 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("Could not access KVM kernel module", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NeverCreatesTheSocketTimesOutAndIsKilled()
    {
        var pidFile = Path.Combine(_dir, "pid");
        var qemu = Script("qemu-hangs", $"echo $$ > {pidFile}\nexec sleep 1000");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<QmpException>(() => QemuProcess.StartAsync(qemu, QemuAccelerator.Tcg, Short, TestContext.Current.CancellationToken));
        Assert.Contains("created no QMP socket within 1 s", e.Message, StringComparison.Ordinal);
        HangBound.Check(clock, "a QEMU that never creates its socket");
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Alive(pid), $"the fake QEMU (pid {pid}) is still running");
    }

    [Fact]
    public async Task PrintsGarbageInsteadOfASocket()
    {
        // A "socket" that is a plain file: the connection is refused with a clear error, and the process is gone.
        var pidFile = Path.Combine(_dir, "pid2");
        var qemu = Script("qemu-garbage", $"echo $$ > {pidFile}\nfor a in \"$@\"; do case $a in unix:*) p=${{a#unix:}}; p=${{p%%,*}};; esac; done\necho 'this is not QMP' > \"$p\"\necho garbage\nexec sleep 1000");
        var pidOf = () => int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var e = await Assert.ThrowsAsync<QmpException>(() => QemuProber.ProbeBinaryAsync(qemu, QemuAccelerator.Tcg, Short, TestContext.Current.CancellationToken));
        Assert.Contains("cannot connect to the QMP socket", e.Message, StringComparison.Ordinal);
        Assert.False(Alive(pidOf()), "the fake QEMU is still running");
    }

    [Fact]
    public async Task SilentServerTimesOut()
    {
        await using var server = new FakeQmpServer(_dir, (_, _) => Task.Delay(Timeout.Infinite, TestContext.Current.CancellationToken));
        var e = await Assert.ThrowsAsync<QmpException>(() => QmpClient.ConnectAsync(server.Path, Short, TestContext.Current.CancellationToken));
        Assert.Contains("did not answer within 1 s while waiting for the greeting", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GarbageIsNotQmp()
    {
        await using var server = new FakeQmpServer(_dir, async (w, _) => await w.WriteAsync("Welcome to the machine\n"));
        var e = await Assert.ThrowsAsync<QmpException>(() => QmpClient.ConnectAsync(server.Path, Short, TestContext.Current.CancellationToken));
        Assert.Contains("not QMP JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClosedMidReply()
    {
        await using var server = new FakeQmpServer(_dir, async (w, r) =>
        {
            await Negotiate(w, r);
            await r.ReadLineAsync();
            await w.WriteAsync("{\"return\": [{\"name\": \"Hasw");
        });
        using var client = await QmpClient.ConnectAsync(server.Path, Short, TestContext.Current.CancellationToken);
        var e = await Assert.ThrowsAsync<QmpException>(() => client.QueryCpuDefinitionsAsync(TestContext.Current.CancellationToken));
        Assert.Contains("closed the connection in the middle of the reply to query-cpu-definitions", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorObjectsBecomeQmpExceptionsAndEventsAreSkipped()
    {
        await using var server = new FakeQmpServer(_dir, async (w, r) =>
        {
            await Negotiate(w, r);
            var request = await r.ReadLineAsync();
            var id = System.Text.Json.JsonDocument.Parse(request!).RootElement.GetProperty("id").GetInt32();
            await w.WriteAsync("{\"event\": \"RESUME\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}\n");
            await w.WriteAsync($"{{\"return\": {{}}, \"id\": {id + 100}}}\n");
            await w.WriteAsync($"{{\"error\": {{\"class\": \"GenericError\", \"desc\": \"CPU model 'Haswell-v9' not found\"}}, \"id\": {id}}}\n");
            await r.ReadLineAsync();
        });
        using var client = await QmpClient.ConnectAsync(server.Path, Short, TestContext.Current.CancellationToken);
        Assert.Contains("\"QMP\"", client.GreetingJson, StringComparison.Ordinal);
        var e = await Assert.ThrowsAsync<QmpException>(() => client.QueryCpuModelExpansionAsync("full", "Haswell-v9", null, TestContext.Current.CancellationToken));
        Assert.Equal("GenericError", e.ErrorClass);
        Assert.Equal("CPU model 'Haswell-v9' not found", e.Description);
    }

    private static async Task Negotiate(StreamWriter w, StreamReader r)
    {
        await w.WriteAsync("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 0, \"major\": 10}, \"package\": \"fake\"}, \"capabilities\": [\"oob\"]}}\r\n");
        var line = await r.ReadLineAsync();
        var id = System.Text.Json.JsonDocument.Parse(line!).RootElement.GetProperty("id").GetInt32();
        await w.WriteAsync($"{{\"return\": {{}}, \"id\": {id}}}\r\n");
    }

    /// <summary>A one-connection QMP server on a UNIX socket, scripted by the test.</summary>
    private sealed class FakeQmpServer : IAsyncDisposable
    {
        private readonly Socket _listener;
        private readonly Task _task;

        public FakeQmpServer(string dir, Func<StreamWriter, StreamReader, Task> script)
        {
            Path = System.IO.Path.Combine(dir, $"fake-{Guid.NewGuid():N}.sock");
            _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _listener.Bind(new UnixDomainSocketEndPoint(Path));
            _listener.Listen(1);
            _task = Task.Run(async () =>
            {
                using var s = await _listener.AcceptAsync();
                using var stream = new NetworkStream(s, ownsSocket: false);
                using var w = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
                using var r = new StreamReader(stream);
                try
                {
                    await script(w, r);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                {
                }

                s.Shutdown(SocketShutdown.Both);
            });
        }

        public string Path { get; }

        public async ValueTask DisposeAsync()
        {
            _listener.Dispose();
            await Task.WhenAny(_task, Task.Delay(2000));
        }
    }
}
