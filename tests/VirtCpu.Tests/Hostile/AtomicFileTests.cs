using System.Text;
using VirtCpu.Formats.Input;

namespace VirtCpu.Tests.Hostile;

/// <summary>Every written file appears whole or not at all; the old file survives a failed write.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("virtcpu-atomic-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Writes_and_replaces()
    {
        var path = Path.Combine(_dir.FullName, "out.xml");
        AtomicFile.WriteAllText(path, "one\n");
        AtomicFile.WriteAllText(path, "two\n");
        Assert.Equal("two\n", File.ReadAllText(path));
        Assert.Equal(["out.xml"], _dir.GetFiles().Select(f => f.Name));
    }

    [Fact]
    public void A_writer_that_throws_mid_write_leaves_the_old_file_and_no_temp_file()
    {
        var path = Path.Combine(_dir.FullName, "catalog.vcat");
        File.WriteAllText(path, "old contents\n");
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(Encoding.UTF8.GetBytes("new half-written con"));
            stream.Flush();
            throw new InvalidOperationException("interrupted");
        }));
        Assert.Equal("interrupted", e.Message);
        Assert.Equal("old contents\n", File.ReadAllText(path));
        Assert.Equal(["catalog.vcat"], _dir.GetFiles().Select(f => f.Name));
    }

    [Fact]
    public void A_writer_that_throws_leaves_no_file_when_there_was_none()
    {
        var path = Path.Combine(_dir.FullName, "new.xml");
        var e = Assert.Throws<InputException>(() => AtomicFile.Write(path, _ => throw new IOException("disk full")));
        Assert.Equal("cannot write: disk full", e.Problem);
        Assert.Empty(_dir.GetFiles());
    }

    [Fact]
    public void An_unwritable_destination_is_an_input_error_and_leaves_nothing()
    {
        var missing = Path.Combine(_dir.FullName, "no-such-dir", "out.xml");
        var e = Assert.Throws<InputException>(() => AtomicFile.WriteAllText(missing, "x"));
        Assert.Equal("cannot write: no such directory", e.Problem);
        Assert.Equal(missing, e.File);

        // A directory in the way of the file: the rename fails after the temp file was written.
        var blocked = Path.Combine(_dir.FullName, "blocked.xml");
        Directory.CreateDirectory(blocked);
        File.WriteAllText(Path.Combine(blocked, "keep"), "k");
        var e2 = Assert.Throws<InputException>(() => AtomicFile.WriteAllText(blocked, "x"));
        Assert.Equal(blocked, e2.File);
        Assert.Empty(_dir.GetFiles());
        Assert.Equal("k", File.ReadAllText(Path.Combine(blocked, "keep")));
    }
}
