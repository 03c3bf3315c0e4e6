using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Formats.QemuData;

namespace VirtCpu.Tests.Qemu;

public sealed class QemuTsvImporterTests
{
    private const string FeatureHeader = "name\taliases\tkind\teax_in\tecx_in\tregister\tbit\tmigratable\tnote\tqemu_word";
    private const string ModelHeader = "base\tversion\tname\talias\tvendor\tfamily\tmodel\tstepping\tmodel_id\tfeatures\tfeatures_off\tlevel\txlevel\tnote\tversion_props\tcache_info\tavx10_version\tunnamed_bits";

    private static readonly string[] Features =
    [
        FeatureHeader,
        "fpu\t\tcpuid\t0x1\t\tedx\t0\tyes\tavailable under TCG (tcg_features mask)\tFEAT_1_EDX",
        "hle\t\tcpuid\t0x7\t0x0\tebx\t4\tyes\t\tFEAT_7_0_EBX",
    ];

    private static InputException Import(string[] features, string[] models) =>
        Assert.Throws<InputException>(() => QemuTsvImporter.Import("qemu-1.0", new Version(1, 0), "features.tsv", features, "models.tsv", models));

    [Fact]
    public void SmallTableImportsAndChainsProps()
    {
        string[] models =
        [
            ModelHeader,
            "M\t1\tM-v1\t\tGenuineIntel\t6\t1\t1\tM cpu\tfpu hle\t\t0xd\t0x80000008\t\t\t\t0\t",
            "M\t2\tM-v2\tM-noTSX\tGenuineIntel\t6\t1\t2\tM cpu\tfpu\thle\t0xd\t0x80000008\tno TSX\thle=off | stepping=2\t\t0\t",
        ];
        var c = QemuTsvImporter.Import("qemu-1.0", new Version(1, 0), "features.tsv", Features, "models.tsv", models);
        Assert.Equal(["M", "M-noTSX", "M-v1", "M-v2"], c.ModelNames);
        Assert.Equal(2, c.Alias("M-noTSX")!.Definition.Stepping);
        Assert.Equal(QcatWriter.Write(c), QcatWriter.Write(QcatReader.Read(QcatWriter.Write(c), "x.qcat")));
    }

    [Fact]
    public void AWrongPropChainIsRejectedWithTheLine()
    {
        string[] models =
        [
            ModelHeader,
            "M\t1\tM-v1\t\tGenuineIntel\t6\t1\t1\tM cpu\tfpu hle\t\t0xd\t0x80000008\t\t\t\t0\t",
            "M\t2\tM-v2\t\tGenuineIntel\t6\t1\t1\tM cpu\tfpu hle\t\t0xd\t0x80000008\t\thle=off\t\t0\t",
        ];
        var e = Import(Features, models);
        Assert.Equal("models.tsv", e.File);
        Assert.StartsWith("line 3: M-v2: applying the props", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedTablesNameTheLine()
    {
        var e = Import(["name\tkind"], [ModelHeader]);
        Assert.StartsWith("line 1: the header has no column 'aliases'", e.Problem, StringComparison.Ordinal);
        e = Import([FeatureHeader, "fpu\t\tcpuid\t0x1\t\tedx\t40\tyes\t\tFEAT_1_EDX"], [ModelHeader]);
        Assert.StartsWith("line 2: QEMU feature fpu: bit 40", e.Problem, StringComparison.Ordinal);
        e = Import([FeatureHeader, "fpu\t\tcpuid\tzz\t\tedx\t0\tyes\t\tFEAT_1_EDX"], [ModelHeader]);
        Assert.StartsWith("line 2: eax_in 'zz'", e.Problem, StringComparison.Ordinal);
        e = Import(Features, [ModelHeader, "M\t1\tM-v1\t\tGenuineIntel\t6\t1\t1\tM cpu\tfpu nosuch\t\t0xd\t0x80000008\t\t\t\t0\t"]);
        Assert.StartsWith("line 2: feature 'nosuch'", e.Problem, StringComparison.Ordinal);
        e = Import([FeatureHeader, "x\t\tcpuid\t0x1\t\tedx\t0\tyes\tcleared at expansion unless nothing is set\tFEAT_1_EDX"], [ModelHeader]);
        Assert.Contains("depends on nothing", e.Message, StringComparison.Ordinal);
    }
}
