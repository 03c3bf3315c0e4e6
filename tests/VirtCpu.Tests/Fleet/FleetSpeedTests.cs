using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VirtCpu.Catalog;
using VirtCpu.Cpuid;
using VirtCpu.Fleet;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.ProjectFiles;
using Xunit;

namespace VirtCpu.Tests.Fleet;

/// <summary>
/// Issue 7 speed: 100,000 hosts (the reference hosts with features varied) × every model of
/// libvirt-11.3. Measured, not asserted; runs only when VIRTCPU_FLEET_BENCH names a file to write
/// the numbers to.
/// </summary>
public sealed class FleetSpeedTests
{
    [Fact]
    public void HundredThousandHosts()
    {
        var output = Environment.GetEnvironmentVariable("VIRTCPU_FLEET_BENCH") ?? "";
        if (output.Length == 0)
        {
            Assert.Skip("set VIRTCPU_FLEET_BENCH=FILE to measure 100,000 hosts");
        }

        var hostCount = int.Parse(Environment.GetEnvironmentVariable("VIRTCPU_FLEET_BENCH_HOSTS") ?? "100000", CultureInfo.InvariantCulture);
        var catalog = BuiltInCatalogs.Get("libvirt-11.3");
        var hypervisor = BuiltInHypervisors.Get("10.0");
        var resolver = new FleetHostResolver(catalog, hypervisor, "pc-q35-9.2");
        var set = HostCaptureReader.ReadDirectory(FleetTests.ReferenceFleet());
        var bases = set.Hosts.Select(resolver.DataOf).ToArray();
        var features = catalog.Features.Select(f => f.Index).ToArray();

        // Vary: each generated host drops 0-3 of its base host's features and gains 0-1 catalog feature.
        var random = new Random(7);
        var data = new CpuData[hostCount];
        for (var i = 0; i < hostCount; i++)
        {
            var b = bases[i % bases.Length];
            var f = b.Features;
            var present = f.ToArray();
            for (var k = random.Next(4); k > 0 && present.Length > 0; k--)
            {
                f = f.Without(present[random.Next(present.Length)]);
            }

            if (random.Next(2) == 0)
            {
                f = f.With(features[random.Next(features.Length)]);
            }

            data[i] = b with { Features = f };
        }

        GC.Collect();
        var memBefore = GC.GetTotalMemory(true);
        var clock = Stopwatch.StartNew();
        var hosts = new FleetHost[hostCount];
        Parallel.For(0, hostCount, i => hosts[i] = resolver.FromData("h" + i.ToString(CultureInfo.InvariantCulture), "gen", HostCaptureFormat.CpudataXml, data[i]));
        var decode = clock.Elapsed;

        clock.Restart();
        var matrix = UsabilityMatrix.Compute(catalog, [.. hosts.Select(h => h.HostCpu is null ? (FeatureSet?)null : h.Features)]);
        var matrixTime = clock.Elapsed;

        clock.Restart();
        var report = FleetReport.Compute(catalog, hypervisor, hosts);
        var reportTime = clock.Elapsed;

        File.WriteAllText(output, string.Create(CultureInfo.InvariantCulture, $"decode {decode.TotalMilliseconds:0} ms, matrix {matrixTime.TotalMilliseconds:0} ms, report {reportTime.TotalMilliseconds:0} ms (JSON pending)\n"));
        clock.Restart();
        var sink = new CountingStream();
        using (var w = new Utf8JsonWriter(sink, new JsonWriterOptions { Indented = true }))
        {
            FleetJson.Write(w, report);
        }

        var jsonTime = clock.Elapsed;
        var memAfter = GC.GetTotalMemory(false);
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        var usable = 0L;
        for (var i = 0; i < hostCount; i++)
        {
            usable += matrix.UsableModels(i).Count();
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"""
            hosts {hostCount} ({matrix.DistinctHosts} distinct feature sets), models {matrix.Models.Length}, cells {(long)hostCount * matrix.Models.Length}, usable cells {usable}
            host decode (parse phase, parallel): {decode.TotalMilliseconds:0} ms
            matrix alone: {matrixTime.TotalMilliseconds:0} ms
            whole report (matrix + levels + vendors + pools + baselines): {reportTime.TotalMilliseconds:0} ms
            JSON (indented, as --json writes it) to a counting stream: {jsonTime.TotalMilliseconds:0} ms, {sink.Length / 1048576.0:0} MB
            managed memory: {memBefore / 1048576.0:0} MB before, {memAfter / 1048576.0:0} MB after; peak working set {peak / 1048576.0:0} MB
            pools: {report.Pools.Length}; processors: {Environment.ProcessorCount}

            """);
        File.WriteAllText(output, text);
    }

    /// <summary>A write-only stream that only counts bytes.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
    }
}
