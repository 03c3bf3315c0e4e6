using System.Collections.Immutable;

namespace VirtCpu.Conformance;

/// <summary>
/// A libvirt test tree: a folder holding <c>cputest.c</c> and <c>cputestdata/</c>, as libvirt's
/// <c>tests/</c> folder does. Its cases come from the <c>cputest.c</c> (<see cref="CputestReader"/>).
/// </summary>
/// <param name="Directory">The folder.</param>
/// <param name="DataDirectory">Its <c>cputestdata</c> folder.</param>
/// <param name="Cases">The x86_64 cases of its <c>cputest.c</c>, in source order.</param>
public sealed record LibvirtTestTree(string Directory, string DataDirectory, ImmutableArray<ConformanceCase> Cases)
{
    /// <summary>The test program's file name.</summary>
    public const string TestProgram = "cputest.c";

    /// <summary>The test data folder's name.</summary>
    public const string DataFolder = "cputestdata";

    /// <summary>Opens a test tree and reads its cases.</summary>
    /// <param name="directory">The folder.</param>
    /// <returns>The tree.</returns>
    /// <exception cref="InputException">
    /// The folder does not exist, lacks <c>cputest.c</c> or <c>cputestdata/</c>, or its <c>cputest.c</c>
    /// has no x86_64 case or a call that cannot be understood.
    /// </exception>
    public static LibvirtTestTree Open(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new InputException(directory, "no such directory");
        }

        var program = Path.Combine(directory, TestProgram);
        var data = Path.Combine(directory, DataFolder);
        if (!File.Exists(program) || !System.IO.Directory.Exists(data))
        {
            var absent = File.Exists(program) ? DataFolder + "/" : TestProgram;
            throw new InputException(directory, $"not a libvirt test tree: no {absent} (expected {TestProgram} and {DataFolder}/, as in libvirt's tests/ folder)");
        }

        var cases = CputestReader.Read(program);
        if (cases.IsEmpty)
        {
            throw new InputException(program, "no x86_64 DO_TEST_... call found");
        }

        return new LibvirtTestTree(directory, data, cases);
    }
}
