using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace VirtCpu.Tests.Architecture;

/// <summary>
/// The project rule "no method over 80 lines" over every C# file of <c>src/</c>: methods,
/// constructors, operators, accessors and local functions, measured by Roslyn's syntax tree from
/// the first line of the declaration (attributes included, doc comments not) to its closing brace.
/// </summary>
public class MethodLengthTests
{
    private const int MaxLines = 80;

    [Fact]
    public void No_method_in_src_is_longer_than_80_lines()
    {
        var tooLong = MethodLengths().Where(m => m.Lines > MaxLines).OrderByDescending(m => m.Lines).Select(m => m.ToString()).ToList();
        Assert.True(tooLong.Count == 0, $"methods over {MaxLines} lines (split them into named steps):\n" + string.Join('\n', tooLong));
    }

    [Fact]
    public void The_measure_sees_methods_of_every_kind()
    {
        // The rule is only as good as its reader: a file with one of each kind, of known lengths.
        const string Code = """
            class C
            {
                [System.Obsolete]
                public C()
                {
                }

                int P { get { return 1; } set { } }

                void M()
                {
                    int Local()
                    {
                        return 2;
                    }
                }

                public static C operator +(C a, C b) => a;
            }
            """;
        var found = Measure(CSharpSyntaxTree.ParseText(Code, cancellationToken: TestContext.Current.CancellationToken), "c.cs").Select(m => (m.Name, m.Lines)).ToList();
        Assert.Equal([("C", 4), ("get", 1), ("set", 1), ("M", 7), ("Local", 4), ("operator +", 1)], found);
    }

    private static IEnumerable<MethodLength> MethodLengths()
    {
        var src = Path.Combine(SharedData.RepoRoot, "src");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(src, f).Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"))
            .ToList();
        Assert.NotEmpty(files);
        return files.SelectMany(f => Measure(CSharpSyntaxTree.ParseText(File.ReadAllText(f), path: f, cancellationToken: TestContext.Current.CancellationToken), Path.GetRelativePath(SharedData.RepoRoot, f)));
    }

    private static IEnumerable<MethodLength> Measure(SyntaxTree tree, string file)
    {
        foreach (var node in tree.GetRoot().DescendantNodes())
        {
            var name = node switch
            {
                MethodDeclarationSyntax m => m.Identifier.Text,
                ConstructorDeclarationSyntax c => c.Identifier.Text,
                DestructorDeclarationSyntax d => "~" + d.Identifier.Text,
                OperatorDeclarationSyntax o => "operator " + o.OperatorToken.Text,
                ConversionOperatorDeclarationSyntax c => "operator " + c.Type,
                AccessorDeclarationSyntax a => a.Keyword.Text,
                LocalFunctionStatementSyntax l => l.Identifier.Text,
                _ => null,
            };
            if (name is null)
            {
                continue;
            }

            var span = node.GetLocation().GetLineSpan();
            yield return new MethodLength(file, span.StartLinePosition.Line + 1, name, span.EndLinePosition.Line - span.StartLinePosition.Line + 1);
        }
    }

    private sealed record MethodLength(string File, int Line, string Name, int Lines)
    {
        public override string ToString() => $"{File}:{Line} {Name}: {Lines} lines";
    }
}
