using System.Collections.Immutable;
using System.Text;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Formats.Input;

namespace VirtCpu.Formats.LibvirtXml;

/// <summary>The byte-level fast path of <see cref="CpuXml.ParseAll(ReadOnlySpan{byte}, string, CpuType?, CpuXmlParseOptions)"/> for lists of plain host CPUs.</summary>
public static partial class CpuXml
{
    /// <summary>
    /// Reads concatenated plain host <c>&lt;cpu&gt;</c> elements (the input of <c>virsh
    /// cpu-baseline</c>, as libvirt and VirtCpu write them) straight from the UTF-8 bytes, without
    /// decoding the text or building a tree: only <c>arch</c>, <c>model</c> and <c>vendor</c>
    /// children with plain text, one <c>signature</c> with its three numbers, and <c>feature
    /// name</c> children, separated by XML white space. 10,000 hosts are read many times faster
    /// than through the XML parser.
    /// </summary>
    /// <remarks>
    /// Anything else (an XML declaration, a comment, an entity reference, a non-ASCII byte, another
    /// element or attribute, a value the full parser would reject or has to normalize) gives null,
    /// and the caller parses the text with the full parser, which gives the result or the error
    /// message. So this path never changes a result or an error; it only makes the common case fast.
    /// </remarks>
    /// <param name="utf8">The bytes.</param>
    /// <param name="type">The requested type: host or null (auto; every accepted element has an <c>arch</c>, so host).</param>
    /// <param name="options">Parse options: only <see cref="CpuXmlParseOptions.None"/> is handled here.</param>
    /// <returns>The definitions, or null when the full parser must be used.</returns>
    internal static ImmutableArray<CpuDefinition>? TryParseHostList(ReadOnlySpan<byte> utf8, CpuType? type, CpuXmlParseOptions options)
    {
        if (options != CpuXmlParseOptions.None || type == CpuType.Guest || utf8.Length > SafeXml.MaxCharactersInDocument)
        {
            return null;
        }

        var state = new HostListState();
        return new HostListScanner(WithoutByteOrderMark(utf8), state).ReadHosts() ? state.Result() : null;
    }

    /// <summary>
    /// <see cref="TryParseHostList"/> on a file read in chunks of 1 MiB, each up to its last
    /// <c>&lt;/cpu&gt;</c>, so a list of 10,000 hosts is never held in memory as a whole.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="type">The requested type.</param>
    /// <param name="options">Parse options.</param>
    /// <returns>The definitions, or null when the full parser must read the file (also when it cannot be read: the full path reports why).</returns>
    private static ImmutableArray<CpuDefinition>? TryReadHostListFile(string path, CpuType? type, CpuXmlParseOptions options)
    {
        if (options != CpuXmlParseOptions.None || type == CpuType.Guest)
        {
            return null;
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            if (!stream.CanSeek || stream.Length > InputFile.MaxBytes)
            {
                return null;
            }

            var state = new HostListState();
            var buffer = new byte[Math.Min(1 << 20, stream.Length + 1)];
            var filled = 0;
            var start = true;
            long total = 0;
            while (true)
            {
                var n = stream.Read(buffer.AsSpan(filled));
                total += n;
                filled += n;
                var end = n == 0 ? filled : buffer.AsSpan(0, filled).LastIndexOf("</cpu>"u8) + "</cpu>".Length;
                if (total > InputFile.MaxBytes || (end < "</cpu>".Length && n > 0 && filled == buffer.Length))
                {
                    return null;
                }

                if (end < "</cpu>".Length && n > 0)
                {
                    continue;
                }

                var chunk = buffer.AsSpan(0, end);
                if (!new HostListScanner(start ? WithoutByteOrderMark(chunk) : chunk, state).ReadHosts())
                {
                    return null;
                }

                if (n == 0)
                {
                    return state.Result();
                }

                start = false;
                buffer.AsSpan(end, filled - end).CopyTo(buffer);
                filled -= end;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private static ReadOnlySpan<byte> WithoutByteOrderMark(ReadOnlySpan<byte> utf8) => utf8.StartsWith("\uFEFF"u8) ? utf8[3..] : utf8;

    /// <summary>What the scanner keeps from chunk to chunk.</summary>
    private sealed class HostListState
    {
        public NameTable Names { get; } = new();

        public List<CpuFeature> Features { get; } = [];

        public ImmutableArray<CpuDefinition>.Builder Hosts { get; } = ImmutableArray.CreateBuilder<CpuDefinition>();

        public int Host { get; set; }

        public int Elements { get; set; }

        public ImmutableArray<CpuDefinition>? Result() => Hosts.Count == 0 ? null : Hosts.ToImmutable();
    }

    /// <summary>The scanner of <see cref="TryParseHostList"/>: every method returns false (or null) to give up.</summary>
    private ref struct HostListScanner
    {
        // Longest name or value read here; longer ones go to the full parser.
        private const int MaxToken = 256;

        private readonly ReadOnlySpan<byte> _text;
        private readonly HostListState _state;
        private int _at;

        public HostListScanner(ReadOnlySpan<byte> text, HostListState state)
        {
            _text = text;
            _state = state;
        }

        // White space and whole host elements up to the end of the text.
        public bool ReadHosts()
        {
            while (true)
            {
                SkipWhiteSpace();
                if (_at == _text.Length)
                {
                    return true;
                }

                if (!Skip("<cpu>"u8) || ReadHost() is not { } cpu)
                {
                    return false;
                }

                _state.Hosts.Add(cpu);
            }
        }

        // After "<cpu>": children up to and including "</cpu>".
        private CpuDefinition? ReadHost()
        {
            var host = ++_state.Host;
            var features = _state.Features;
            features.Clear();
            string? arch = null, model = null, vendor = null;
            CpuSignature? signature = null;
            if (++_state.Elements > SafeXml.MaxElements)
            {
                return null;
            }

            while (true)
            {
                SkipWhiteSpace();
                if (Skip("</cpu"u8))
                {
                    if (!SkipEndOfTag())
                    {
                        return null;
                    }

                    break;
                }

                if (++_state.Elements > SafeXml.MaxElements)
                {
                    return null;
                }

                var read = Skip("<feature"u8) ? ReadFeature(host, features)
                    : Skip("<arch>"u8) ? ReadTextOnce("arch"u8, ref arch)
                    : Skip("<model>"u8) ? ReadTextOnce("model"u8, ref model)
                    : Skip("<vendor>"u8) ? ReadTextOnce("vendor"u8, ref vendor)
                    : Skip("<signature"u8) && ReadSignatureOnce(ref signature);
                if (!read)
                {
                    return null;
                }
            }

            if (arch is null || !KnownArchitectures.Contains(arch) || model is null)
            {
                return null;
            }

            return new CpuDefinition
            {
                Type = CpuType.Host,
                Mode = null,
                Arch = arch,
                Model = model,
                Vendor = vendor,
                Features = [.. features],
                Signature = signature,
            };
        }

        // After "<feature": one name attribute, then "/>"; a name seen twice in this host is refused.
        private bool ReadFeature(int host, List<CpuFeature> features)
        {
            if (!SkipRequiredWhiteSpace() || !Skip("name"u8) || !TryReadAttributeValue(out var value) || !SkipEmptyElementEnd()
                || !_state.Names.Mark(value, host, out var name))
            {
                return false;
            }

            features.Add(new CpuFeature(name, null));
            return true;
        }

        // After "<arch>", "<model>" or "<vendor>": the text up to the end tag, given at most once.
        private bool ReadTextOnce(ReadOnlySpan<byte> element, ref string? field)
        {
            if (field is not null || ReadText(element) is not { } text)
            {
                return false;
            }

            field = text;
            return true;
        }

        private bool ReadSignatureOnce(ref CpuSignature? signature)
        {
            if (signature is not null || ReadSignature() is not { } read)
            {
                return false;
            }

            signature = read;
            return true;
        }

        // After "<signature": the three attributes in any order, then "/>".
        private CpuSignature? ReadSignature()
        {
            ulong? family = null, model = null, stepping = null;
            while (true)
            {
                var spaced = SkipRequiredWhiteSpace();
                if (Skip("/>"u8))
                {
                    break;
                }

                ref var slot = ref family;
                if (!spaced)
                {
                    return null;
                }
                else if (Skip("model"u8))
                {
                    slot = ref model;
                }
                else if (Skip("stepping"u8))
                {
                    slot = ref stepping;
                }
                else if (!Skip("family"u8))
                {
                    return null;
                }

                if (slot is not null || !TryReadAttributeValue(out var value) || Number(value) is not { } number)
                {
                    return null;
                }

                slot = number;
            }

            return family is { } f and not 0 and <= uint.MaxValue && model is { } m and <= uint.MaxValue && stepping is { } s and <= uint.MaxValue
                ? new CpuSignature((uint)f, (uint)m, (uint)s)
                : null;
        }

        // After an attribute name: = 'value' (either quote, white space around =); the value is plain and not empty.
        private bool TryReadAttributeValue(out ReadOnlySpan<byte> value)
        {
            value = default;
            SkipWhiteSpace();
            if (!Skip("="u8))
            {
                return false;
            }

            SkipWhiteSpace();
            if (_at == _text.Length || _text[_at] is not ((byte)'\'' or (byte)'"'))
            {
                return false;
            }

            var quote = _text[_at++];
            var start = _at;
            while (_at < _text.Length && _text[_at] != quote && IsPlain(_text[_at]))
            {
                _at++;
            }

            if (_at == _text.Length || _text[_at] != quote || _at == start || _at - start > MaxToken)
            {
                return false;
            }

            value = _text[start.._at];
            _at++;
            return true;
        }

        // After "<name>": plain text, then "</name", optional white space, ">".
        private string? ReadText(ReadOnlySpan<byte> name)
        {
            var start = _at;
            while (_at < _text.Length && IsPlain(_text[_at]))
            {
                _at++;
            }

            if (_at == start || _at - start > MaxToken)
            {
                return null;
            }

            var value = _state.Names.Get(_text[start.._at]);
            return Skip("</"u8) && Skip(name) && SkipEndOfTag() ? value : null;
        }

        private bool SkipEmptyElementEnd()
        {
            SkipWhiteSpace();
            return Skip("/>"u8);
        }

        private bool SkipEndOfTag()
        {
            SkipWhiteSpace();
            return Skip(">"u8);
        }

        private bool Skip(ReadOnlySpan<byte> literal)
        {
            if (!_text[_at..].StartsWith(literal))
            {
                return false;
            }

            _at += literal.Length;
            return true;
        }

        private bool SkipRequiredWhiteSpace()
        {
            var start = _at;
            SkipWhiteSpace();
            return _at > start;
        }

        private void SkipWhiteSpace()
        {
            while (_at < _text.Length && _text[_at] is (byte)' ' or (byte)'\n' or (byte)'\t' or (byte)'\r')
            {
                _at++;
            }
        }

        // Printable ASCII that needs no escaping or normalization in text and attribute values.
        private static bool IsPlain(byte b) => b is > (byte)' ' and < 0x7f and not ((byte)'<' or (byte)'>' or (byte)'&' or (byte)'\'' or (byte)'"');

        private static ulong? Number(ReadOnlySpan<byte> digits)
        {
            if (digits.Length > 19)
            {
                return null;
            }

            ulong value = 0;
            foreach (var d in digits)
            {
                if (d is < (byte)'0' or > (byte)'9')
                {
                    return null;
                }

                value = (value * 10) + (ulong)(d - '0');
            }

            return value;
        }
    }

    /// <summary>
    /// The strings of one host list, each kept once (10,000 hosts share a few hundred names instead of
    /// keeping 250,000 copies), with the last host that named each one, to find repeated features.
    /// </summary>
    private sealed class NameTable
    {
        private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
        private readonly List<(string Name, int Host)> _entries = [];

        public string Get(ReadOnlySpan<byte> ascii) => _entries[Id(ascii)].Name;

        // False when the host already named this feature.
        public bool Mark(ReadOnlySpan<byte> ascii, int host, out string name)
        {
            var id = Id(ascii);
            (name, var last) = _entries[id];
            _entries[id] = (name, host);
            return last != host;
        }

        private int Id(ReadOnlySpan<byte> ascii)
        {
            Span<char> chars = stackalloc char[ascii.Length];
            _ = Encoding.ASCII.GetChars(ascii, chars);
            var lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(chars, out var id))
            {
                id = _entries.Count;
                var name = new string(chars);
                _entries.Add((name, 0));
                _ids.Add(name, id);
            }

            return id;
        }
    }
}
