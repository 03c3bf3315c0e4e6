using VirtCpu.Operations;

namespace VirtCpu.Tests.Operations;

public sealed class FleetFileTests
{
    [Fact]
    public void Reads_nodes_by_profile_and_by_uri_with_capacity_and_limits()
    {
        using var f = new OperationsFixture();
        File.WriteAllText(f.FleetFile, """
            { "fleet": 1, "nodes": [
              { "name": "a", "profile": "bookworm.json", "vcpus": 8, "memory-mib": 2048, "max-vcpus": 255, "phys-bits": 46, "tsc-frequency": 2100000000, "tsc-scaling": false },
              { "name": "b", "uri": "qemu+unix:///system?socket=/x/libvirt-sock" }
            ] }
            """);
        var nodes = FleetFile.Read(f.FleetFile);
        Assert.Equal(["a", "b"], nodes.Select(n => n.Name));
        Assert.Equal(Path.Combine(f.Root, "bookworm.json"), nodes[0].Profile);
        Assert.Equal((8, 2048L, 255, 46, 2100000000L, false), (nodes[0].Vcpus!.Value, nodes[0].MemoryMiB!.Value, nodes[0].MaxVcpus!.Value, nodes[0].PhysBits!.Value, nodes[0].TscFrequency!.Value, nodes[0].TscScaling!.Value));
        Assert.Null(nodes[1].Profile);
        Assert.Equal("qemu+unix:///system?socket=/x/libvirt-sock", nodes[1].Uri);
    }

    [Fact]
    public void Written_index_reads_back_the_same()
    {
        using var f = new OperationsFixture();
        f.Node("a", OperationsFixture.Bookworm, extra: ", \"phys-bits\": 40");
        var nodes = FleetFile.Read(f.Root);
        var copy = Path.Combine(f.Root, "copy.json");
        FleetFile.Write(copy, nodes);
        Assert.Equal(nodes, FleetFile.Read(copy));
    }

    [Theory]
    [InlineData("{ \"nodes\": [] }", "the fleet has no nodes")]
    [InlineData("{ \"nodes\": [ { \"name\": \"a\" } ] }", "node 'a': give \"uri\" (a live node) or \"profile\"")]
    [InlineData("{ \"nodes\": [ { \"name\": \"a\", \"uri\": \"x\" }, { \"name\": \"a\", \"uri\": \"y\" } ] }", "node 'a' is listed twice")]
    [InlineData("{ \"nodes\": [ { \"name\": \"../a\", \"uri\": \"x\" } ] }", "node 1: bad name '../a'")]
    [InlineData("{ \"nodes\": [ { \"name\": \"a\", \"uri\": \"x\", \"cpus\": 4 } ] }", "node 'a': unknown key 'cpus'")]
    [InlineData("{ \"nodes\": [ { \"name\": \"a\", \"uri\": \"x\", \"vcpus\": -4 } ] }", "node 'a': \"vcpus\" must be a positive integer")]
    [InlineData("{ \"nodes\": [ { \"name\": \"a\", \"uri\": \"x\", \"domains\": \"nowhere\" } ] }", "node 'a': domains folder")]
    [InlineData("{ \"fleet\": 2, \"nodes\": [ { \"name\": \"a\", \"uri\": \"x\" } ] }", "\"fleet\" must be 1")]
    [InlineData("[ ]", "a fleet file is an object with a \"nodes\" array")]
    [InlineData("{ \"nodes\": [ ", "malformed JSON")]
    public void Bad_fleet_files_get_one_line_naming_the_file(string json, string expected)
    {
        using var f = new OperationsFixture();
        File.WriteAllText(f.FleetFile, json);
        var e = Assert.Throws<InputException>(() => FleetFile.Read(f.FleetFile));
        Assert.StartsWith(f.FleetFile + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_folder_without_an_index_is_named()
    {
        using var f = new OperationsFixture();
        var e = Assert.Throws<InputException>(() => FleetFile.Read(f.Root));
        Assert.Contains("no fleet index in this folder", e.Message, StringComparison.Ordinal);
    }
}
