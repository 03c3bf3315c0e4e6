using VirtCpu.Formats.Input;

namespace VirtCpu.Tests.Formats;

public sealed class SafeXmlTests
{
    [Theory]
    [InlineData("0", 0UL)]
    [InlineData("10", 10UL)]
    [InlineData("0x10", 16UL)]
    [InlineData("0X1f", 31UL)]
    [InlineData("010", 8UL)]
    [InlineData("0xffffffffffffffff", ulong.MaxValue)]
    public void C_numbers_parse(string text, ulong expected)
    {
        Assert.True(SafeXml.TryParseCUInt64(text, out var v));
        Assert.Equal(expected, v);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("08")]
    [InlineData("-1")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("0x1g")]
    [InlineData("0x10000000000000000")]
    public void Bad_c_numbers_are_rejected(string text) => Assert.False(SafeXml.TryParseCUInt64(text, out _));

    [Fact]
    public void Numbers_above_32_bits_are_rejected_as_uint()
    {
        Assert.False(SafeXml.TryParseCUInt32("0x100000000", out _));
        Assert.True(SafeXml.TryParseCUInt32("0xffffffff", out var v));
        Assert.Equal(uint.MaxValue, v);
        var e = Assert.Throws<InputException>(() => SafeXml.ParseCUInt32("0x100000000", "f.xml", "eax"));
        Assert.Equal("f.xml", e.File);
    }

    [Fact]
    public void External_entities_are_never_resolved()
    {
        var secret = Path.GetTempFileName();
        try
        {
            var xml = $"<!DOCTYPE x [<!ENTITY s SYSTEM 'file://{secret}'>]><x>&s;</x>";
            var e = Assert.Throws<InputException>(() => SafeXml.Load(new StringReader(xml), "evil.xml"));
            Assert.StartsWith("malformed XML", e.Problem, StringComparison.Ordinal);
            Assert.Contains("DTD is prohibited", e.Problem, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Fact]
    public void Missing_file_is_an_input_error()
    {
        var e = Assert.Throws<InputException>(() => SafeXml.LoadFile("/nonexistent/virtcpu.xml"));
        Assert.Equal("no such file", e.Problem);
    }

    [Fact]
    public void Line_information_is_kept()
    {
        var doc = SafeXml.Load(new StringReader("<a>\n  <b/>\n</a>"), "x.xml");
        Assert.Equal(2, SafeXml.LineOf(doc.Root!.Element("b")!));
    }
}
