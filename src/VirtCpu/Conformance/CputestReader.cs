// Floor 4 (beside Migration): reads libvirt's tests/cputest.c through Formats' input safety.
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using VirtCpu.Formats.Input;

namespace VirtCpu.Conformance;

/// <summary>
/// Derives libvirt's CPU test cases from the <c>DO_TEST_...</c> invocations of a <c>tests/cputest.c</c>:
/// the kinds, arguments, expected compare answers and expected failures all come from the file, so
/// the library holds no expectations of its own and any libvirt release's test list can be run.
/// </summary>
/// <remarks>
/// The reader is a small tokenizer, not a C preprocessor: comments and preprocessor lines (the
/// <c>#define DO_TEST...</c> bodies among them) are skipped, and each call of a known
/// <c>DO_TEST_...</c> macro in the remaining text becomes one or more cases, expanded as the macro
/// is defined in libvirt (<c>DO_TEST_UPDATE</c> is an update and a compare; <c>DO_TEST_CPUID</c> is
/// three or six cases by its JSON flag). Model lists for guest cases come from the file's
/// <c>static const char *NAME[] = { "...", NULL };</c> arrays and <c>VAR = cpuTestInitModels(NAME)</c>
/// assignments. Calls for other architectures are left out; a call of an unknown macro for x86_64
/// becomes an <see cref="ConformanceKind.Unsupported"/> case, which fails rather than passes.
/// </remarks>
public static class CputestReader
{
    private const string X86 = "VIR_ARCH_X86_64";

    /// <summary>Reads the x86_64 cases of a <c>cputest.c</c> file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The cases, in source order.</returns>
    /// <exception cref="InputException">The file is absent, unreadable or a call cannot be understood.</exception>
    public static ImmutableArray<ConformanceCase> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(InputFile.ReadAllText(path), path);
    }

    /// <summary>Derives the x86_64 cases of the text of a <c>cputest.c</c> file.</summary>
    /// <param name="source">The C source.</param>
    /// <param name="file">The file name used in error messages.</param>
    /// <returns>The cases, in source order.</returns>
    /// <exception cref="InputException">A call cannot be understood.</exception>
    public static ImmutableArray<ConformanceCase> Parse(string source, string file)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(file);
        var tokens = Tokenize(source, file);
        var lists = ModelLists(tokens);
        var cases = ImmutableArray.CreateBuilder<ConformanceCase>();
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Kind != TokenKind.Identifier || !t.Text.StartsWith("DO_TEST", StringComparison.Ordinal) || !tokens[i + 1].Is("("))
            {
                continue;
            }

            var args = Arguments(tokens, i + 1, file, out var end);
            var call = new Call(t.Text, args, t.Line, file);
            if (args.Count > 0 && string.Equals(call.Identifier(0), X86, StringComparison.Ordinal))
            {
                Expand(call, lists, cases);
            }

            i = end;
        }

        return cases.ToImmutable();
    }

    private static void Expand(Call call, Dictionary<string, ImmutableArray<string>> lists, ImmutableArray<ConformanceCase>.Builder cases)
    {
        switch (call.Macro)
        {
            case "DO_TEST_COMPARE":
                call.Expect(4);
                cases.Add(new(ConformanceKind.Compare, call.String(1), call.String(2), Compare: CompareResult(call, 3)));
                break;
            case "DO_TEST_UPDATE_ONLY":
                call.Expect(3);
                cases.Add(new(ConformanceKind.Update, call.String(1), call.String(2)));
                break;
            case "DO_TEST_UPDATE":
                call.Expect(4);
                cases.Add(new(ConformanceKind.Update, call.String(1), call.String(2)));
                cases.Add(new(ConformanceKind.Compare, call.String(1), $"{call.String(1)}+{call.String(2)}", Compare: CompareResult(call, 3)));
                break;
            case "DO_TEST_BASELINE":
                call.Expect(4);
                var flags = BaselineFlags(call, 2);
                cases.Add(new(ConformanceKind.Baseline, call.String(1), ExpectFailure: Status(call, 3), Expand: flags.Expand, Migratable: flags.Migratable));
                break;
            case "DO_TEST_HASFEATURE":
                call.Expect(4);
                var answer = call.Identifier(3) switch
                {
                    "YES" => (bool?)true,
                    "NO" => false,
                    "FAIL" => null,
                    _ => throw call.Error(3, "expected YES, NO or FAIL"),
                };
                cases.Add(new(ConformanceKind.HasFeature, call.String(1), call.String(2), ExpectTrue: answer == true, ExpectFailure: answer is null));
                break;
            case "DO_TEST_GUESTCPU":
                call.Expect(5);
                var label = call.Identifier(3);
                var models = label == "NULL" ? (ImmutableArray<string>?)null : lists.TryGetValue(label, out var list) ? list : throw call.Error(3, $"model list {label} is not defined in the file");
                cases.Add(new(ConformanceKind.Guest, call.String(1), call.String(2), models is null ? null : label, ExpectFailure: Status(call, 4)) { Models = models ?? [] });
                break;
            case "DO_TEST_CPUID":
                call.Expect(3);
                AddCpuid(call.String(1), Json(call, 2), cases);
                break;
            case "DO_TEST_CPUID_BASELINE":
                call.Expect(4);
                cases.Add(new(ConformanceKind.CpuidBaseline, call.String(2), call.String(3), call.String(1)));
                break;
            default:
                cases.Add(new(ConformanceKind.Unsupported, call.Macro, Label: $"line {call.Line.ToString(CultureInfo.InvariantCulture)}"));
                break;
        }
    }

    private static void AddCpuid(string host, JsonInput json, ImmutableArray<ConformanceCase>.Builder cases)
    {
        cases.Add(new(ConformanceKind.CpuidHost, host, Json: json));
        cases.Add(new(ConformanceKind.CpuidGuest, host, Json: json));
        cases.Add(new(ConformanceKind.CpuidSignature, host, Json: json));
        if (json != JsonInput.None)
        {
            cases.Add(new(ConformanceKind.JsonCpuid, host, Json: json));
            cases.Add(new(ConformanceKind.JsonSignature, host, Json: json));
            cases.Add(new(ConformanceKind.UpdateLive, host, Json: json));
        }
    }

    private static ExpectedCompare CompareResult(Call call, int index) => call.Identifier(index) switch
    {
        "VIR_CPU_COMPARE_ERROR" => ExpectedCompare.Error,
        "VIR_CPU_COMPARE_INCOMPATIBLE" => ExpectedCompare.Incompatible,
        "VIR_CPU_COMPARE_IDENTICAL" => ExpectedCompare.Identical,
        "VIR_CPU_COMPARE_SUPERSET" => ExpectedCompare.Superset,
        _ => throw call.Error(index, "expected a VIR_CPU_COMPARE_ result"),
    };

    private static JsonInput Json(Call call, int index) => call.Identifier(index) switch
    {
        "JSON_NONE" => JsonInput.None,
        "JSON_HOST" => JsonInput.Host,
        "JSON_MODELS" => JsonInput.Models,
        "JSON_MODELS_REQUIRED" => JsonInput.ModelsRequired,
        _ => throw call.Error(index, "expected JSON_NONE, JSON_HOST, JSON_MODELS or JSON_MODELS_REQUIRED"),
    };

    /// <summary>A test's expected status: 0 (succeeds) or -1 (must fail); true for failure.</summary>
    private static bool Status(Call call, int index) => call.Text(index) switch
    {
        "0" => false,
        "-1" => true,
        _ => throw call.Error(index, "expected 0 or -1"),
    };

    private static (bool Expand, bool Migratable) BaselineFlags(Call call, int index)
    {
        bool expand = false, migratable = false;
        foreach (var token in call.Args[index])
        {
            switch (token.Text)
            {
                case "0" or "|" or "(" or ")":
                    break;
                case "VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES":
                    expand = true;
                    break;
                case "VIR_CONNECT_BASELINE_CPU_MIGRATABLE":
                    migratable = true;
                    break;
                default:
                    throw call.Error(index, $"unknown baseline flag {token.Text}");
            }
        }

        return (expand, migratable);
    }

    /// <summary>
    /// The model lists: <c>static const char *NAME[] = { "a", "b", NULL };</c> arrays, reachable under
    /// their own name and under every variable assigned <c>cpuTestInitModels(NAME)</c>.
    /// </summary>
    private static Dictionary<string, ImmutableArray<string>> ModelLists(List<Token> tokens)
    {
        var arrays = new Dictionary<string, ImmutableArray<string>>(StringComparer.Ordinal);
        for (var i = 0; i + 4 < tokens.Count; i++)
        {
            // NAME [ ] = { ... }
            if (tokens[i].Kind == TokenKind.Identifier && tokens[i + 1].Is("[") && tokens[i + 2].Is("]") && tokens[i + 3].Is("=") && tokens[i + 4].Is("{"))
            {
                var names = ImmutableArray.CreateBuilder<string>();
                var j = i + 5;
                for (; j < tokens.Count && !tokens[j].Is("}"); j++)
                {
                    if (tokens[j].Kind == TokenKind.String)
                    {
                        names.Add(tokens[j].Text);
                    }
                }

                arrays[tokens[i].Text] = names.ToImmutable();
                i = j;
            }
        }

        var lists = new Dictionary<string, ImmutableArray<string>>(arrays, StringComparer.Ordinal);
        for (var i = 0; i + 4 < tokens.Count; i++)
        {
            // VAR = cpuTestInitModels ( NAME )
            if (tokens[i].Kind == TokenKind.Identifier && tokens[i + 1].Is("=") && tokens[i + 2].Text == "cpuTestInitModels" && tokens[i + 3].Is("(")
                && arrays.TryGetValue(tokens[i + 4].Text, out var names))
            {
                lists[tokens[i].Text] = names;
            }
        }

        return lists;
    }

    /// <summary>The arguments of a call whose <c>(</c> is at <paramref name="open"/>, split at top-level commas.</summary>
    private static List<List<Token>> Arguments(List<Token> tokens, int open, string file, out int close)
    {
        var args = new List<List<Token>>();
        var current = new List<Token>();
        var depth = 0;
        for (var i = open; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Is("(") || t.Is("{") || t.Is("["))
            {
                depth++;
                if (depth == 1)
                {
                    continue;
                }
            }
            else if (t.Is(")") || t.Is("}") || t.Is("]"))
            {
                depth--;
                if (depth == 0)
                {
                    if (current.Count > 0 || args.Count > 0)
                    {
                        args.Add(current);
                    }

                    close = i;
                    return args;
                }
            }
            else if (depth == 1 && t.Is(","))
            {
                args.Add(current);
                current = [];
                continue;
            }

            current.Add(t);
        }

        throw new InputException(file, $"line {tokens[open].Line.ToString(CultureInfo.InvariantCulture)}: unterminated call of {tokens[open - 1].Text}");
    }

    private enum TokenKind
    {
        Identifier,
        Number,
        String,
        Punctuation,
    }

    private readonly record struct Token(TokenKind Kind, string Text, int Line)
    {
        public bool Is(string punctuation) => Kind == TokenKind.Punctuation && string.Equals(Text, punctuation, StringComparison.Ordinal);
    }

    /// <summary>One call of a <c>DO_TEST_...</c> macro.</summary>
    private sealed record Call(string Macro, List<List<Token>> Args, int Line, string File)
    {
        public void Expect(int count)
        {
            if (Args.Count != count)
            {
                throw Problem($"{Macro} takes {count.ToString(CultureInfo.InvariantCulture)} arguments, found {Args.Count.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        /// <summary>An argument of adjacent string literals, concatenated as C does.</summary>
        public string String(int index)
        {
            var arg = Args[index];
            if (arg.Count == 0 || arg.Exists(t => t.Kind != TokenKind.String))
            {
                throw Error(index, "expected a string");
            }

            return string.Concat(arg.Select(t => t.Text));
        }

        public string Identifier(int index)
        {
            var arg = Args[index];
            return arg.Count == 1 && arg[0].Kind == TokenKind.Identifier ? arg[0].Text : throw Error(index, "expected a name");
        }

        /// <summary>The argument's tokens joined without spaces (<c>-1</c>).</summary>
        public string Text(int index) => string.Concat(Args[index].Select(t => t.Text));

        public InputException Error(int index, string problem) =>
            Problem($"argument {(index + 1).ToString(CultureInfo.InvariantCulture)} of {Macro} ('{string.Join(' ', Args[index].Select(t => t.Text))}'): {problem}");

        private InputException Problem(string problem) => new(File, $"line {Line.ToString(CultureInfo.InvariantCulture)}: {problem}");
    }

    /// <summary>C tokens outside comments and preprocessor lines.</summary>
    private static List<Token> Tokenize(string s, string file)
    {
        var tokens = new List<Token>();
        var line = 1;
        var lineStart = true;
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '\n')
            {
                line++;
                lineStart = true;
                i++;
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '/' && i + 1 < s.Length && s[i + 1] == '*')
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? s.Length : end + 2;
                line += Count(s, i, end);
                i = end;
            }
            else if (c == '/' && i + 1 < s.Length && s[i + 1] == '/')
            {
                i = LineEnd(s, i);
            }
            else if (c == '#' && lineStart)
            {
                // A preprocessor line, with its backslash continuations (the #define bodies).
                var end = i;
                do
                {
                    end = LineEnd(s, end);
                    if (end < s.Length && IsContinued(s, end))
                    {
                        end++;
                        line++;
                        continue;
                    }

                    break;
                }
                while (end < s.Length);
                i = end;
            }
            else
            {
                lineStart = false;
                i = c switch
                {
                    '"' => StringLiteral(s, i, line, file, tokens),
                    '\'' => SkipCharLiteral(s, i),
                    _ when char.IsAsciiLetter(c) || c == '_' => Word(s, i, TokenKind.Identifier, line, tokens),
                    _ when char.IsAsciiDigit(c) => Word(s, i, TokenKind.Number, line, tokens),
                    _ => Punctuation(s, i, line, tokens),
                };
            }
        }

        return tokens;
    }

    private static int LineEnd(string s, int i)
    {
        var end = s.IndexOf('\n', i);
        return end < 0 ? s.Length : end;
    }

    /// <summary>True when the line ending at <paramref name="newline"/> ends with a backslash.</summary>
    private static bool IsContinued(string s, int newline)
    {
        var k = newline - 1;
        while (k >= 0 && s[k] is ' ' or '\t' or '\r')
        {
            k--;
        }

        return k >= 0 && s[k] == '\\';
    }

    private static int Count(string s, int from, int to)
    {
        var n = 0;
        for (var k = from; k < to; k++)
        {
            n += s[k] == '\n' ? 1 : 0;
        }

        return n;
    }

    private static int StringLiteral(string s, int i, int line, string file, List<Token> tokens)
    {
        var text = new StringBuilder();
        var k = i + 1;
        for (; k < s.Length && s[k] != '"'; k++)
        {
            if (s[k] == '\n')
            {
                break;
            }

            if (s[k] == '\\' && k + 1 < s.Length)
            {
                k++;
            }

            text.Append(s[k]);
        }

        if (k >= s.Length || s[k] != '"')
        {
            throw new InputException(file, $"line {line.ToString(CultureInfo.InvariantCulture)}: unterminated string");
        }

        tokens.Add(new(TokenKind.String, text.ToString(), line));
        return k + 1;
    }

    private static int SkipCharLiteral(string s, int i)
    {
        var k = i + 1;
        while (k < s.Length && s[k] != '\'' && s[k] != '\n')
        {
            k += s[k] == '\\' ? 2 : 1;
        }

        return Math.Min(k + 1, s.Length);
    }

    private static int Word(string s, int i, TokenKind kind, int line, List<Token> tokens)
    {
        var k = i;
        while (k < s.Length && (char.IsAsciiLetterOrDigit(s[k]) || s[k] == '_'))
        {
            k++;
        }

        tokens.Add(new(kind, s[i..k], line));
        return k;
    }

    private static int Punctuation(string s, int i, int line, List<Token> tokens)
    {
        tokens.Add(new(TokenKind.Punctuation, s[i].ToString(), line));
        return i + 1;
    }
}
