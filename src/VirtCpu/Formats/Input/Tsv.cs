using System.Globalization;

namespace VirtCpu.Formats.Input;

/// <summary>A tab-separated table with a header line, read strictly: every named column must exist.</summary>
internal static class Tsv
{
    /// <summary>Reads the rows of a table.</summary>
    /// <param name="file">The file name, for messages.</param>
    /// <param name="lines">The lines, header first.</param>
    /// <param name="columns">The columns the caller needs.</param>
    /// <returns>The rows (blank lines skipped).</returns>
    public static List<Row> Read(string file, IReadOnlyList<string> lines, params string[] columns)
    {
        if (lines.Count == 0)
        {
            throw new InputException(file, "line 1: empty file, expected a header line");
        }

        var header = lines[0].Split('\t');
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            index.TryAdd(header[i].Trim(), i);
        }

        foreach (var c in columns)
        {
            if (!index.ContainsKey(c))
            {
                throw new InputException(file, $"line 1: the header has no column '{c}'");
            }
        }

        var rows = new List<Row>();
        for (var n = 1; n < lines.Count; n++)
        {
            if (lines[n].Length == 0)
            {
                continue;
            }

            var cells = lines[n].Split('\t');
            if (cells.Length != header.Length)
            {
                throw new InputException(file, $"line {n + 1}: {cells.Length} cells, the header has {header.Length}");
            }

            rows.Add(new Row(file, n + 1, cells, index));
        }

        return rows;
    }

    /// <summary>One row of a table.</summary>
    internal sealed class Row
    {
        private readonly string[] _cells;
        private readonly Dictionary<string, int> _index;

        public Row(string file, int line, string[] cells, Dictionary<string, int> index)
        {
            File = file;
            Line = line;
            _cells = cells;
            _index = index;
        }

        public string File { get; }

        public int Line { get; }

        public string this[string column] => _cells[_index[column]];

        public int Int(string column) =>
            int.TryParse(this[column], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
                ? v
                : (int)(this[column].StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Hex(column) : throw Error($"{column} '{this[column]}' is not an integer"));

        public uint Hex(string column)
        {
            var text = this[column];
            var span = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text.AsSpan(2) : text.AsSpan();
            return uint.TryParse(span, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v) ? v : throw Error($"{column} '{text}' is not a hexadecimal number");
        }

        public InputException Error(string problem) => new(File, $"line {Line}: {problem}");
    }
}
