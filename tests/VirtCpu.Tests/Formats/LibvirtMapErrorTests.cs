using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Tests.Formats;

/// <summary>Tiny hand-written cpu_maps in temporary folders, each breaking one rule of the map format.</summary>
public sealed class LibvirtMapErrorTests : IDisposable
{
    private const string Vendors = "<cpus>\n  <vendor name='Intel' string='GenuineIntel'/>\n</cpus>\n";

    private const string Features = """
        <cpus>
          <feature name='fpu'>
            <cpuid eax_in='0x01' edx='0x01'/>
          </feature>
          <feature name='sse'>
            <alias name='sse1' source='qemu'/>
            <cpuid eax_in='0x01' edx='0x02000000'/>
          </feature>
          <feature name='arch-caps'>
            <msr index='0x10a' eax='0x01' edx='0'/>
          </feature>
          <feature name='invtsc' migratable='no'>
            <cpuid eax_in='0x80000007' edx='0x0100'/>
          </feature>
        </cpus>
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("virtcpu-map-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Minimal_map_loads_with_libvirt_rules()
    {
        Write(
            "index.xml",
            """
            <cpus>
              <arch name='ppc64'><include filename='missing.xml'/></arch>
              <arch name='x86'>
                <include filename='v.xml'/>
                <include filename='f.xml'/>
                <group><include filename='ignored.xml'/></group>
                <group name='models'>
                  <include filename='base.xml'/>
                  <include filename='base-v1.xml'/>
                  <include filename='base-v2.xml'/>
                </group>
              </arch>
            </cpus>
            """);
        Write("v.xml", Vendors);
        Write("f.xml", Features);
        Write("base.xml", """
            <cpus>
              <model name='Base'>
                <check partial='compat'/>
                <decode host='on' guest='on'/>
                <signature family='6' model='85' stepping='1,3-4'/>
                <signature family='6' model='0x10'/>
                <vendor name='Intel'/>
                <feature name='fpu'/>
                <feature name='sse' removed='yes'/>
                <feature name='arch-caps' added='yes'/>
              </model>
            </cpus>
            """.Replace("model='0x10'", "model='16'", StringComparison.Ordinal));
        Write("base-v1.xml", "<cpus><model name='Base-v1'><decode host='on' guest='off'/><model name='Base'/></model></cpus>");
        Write("base-v2.xml", "<cpus><model name='Base-v2'><decode host='on' guest='off'/><model name='Base'/><feature name='invtsc'/></model></cpus>");

        var catalog = LibvirtMapReader.Load(_dir, "tiny");
        Assert.Equal("tiny", catalog.Name);
        Assert.Equal(["fpu", "sse", "arch-caps", "invtsc"], catalog.Features.Select(f => f.Name));
        Assert.False(catalog.FindFeature("invtsc")!.Migratable);
        Assert.Equal("sse1", Assert.Single(catalog.FindFeature("sse")!.Aliases).Name);
        var b = catalog.FindModel("Base")!;
        Assert.True(b.CompatCheck);
        Assert.Equal((ushort)0b11010, b.Signatures[0].Steppings);
        Assert.Null(b.Signatures[1].Steppings);
        Assert.Equal([1], b.RemovedFeatures);
        Assert.Equal([2], b.AddedFeatures);
        Assert.Equal(["fpu"], catalog.NamesOf(b.Features));
        Assert.Equal("Base-v1", b.Canonical);
        var v1 = catalog.FindModel("Base-v1")!;
        Assert.True(v1.IsAlias);
        Assert.False(v1.CompatCheck);
        Assert.Empty(v1.RemovedFeatures);
        Assert.Equal(b.Signatures, v1.Signatures);
        var v2 = catalog.FindModel("Base-v2")!;
        Assert.False(v2.IsAlias);
        Assert.Equal("Base", v2.Ancestor);
        Assert.Equal(["fpu", "invtsc"], catalog.NamesOf(v2.Features));
        Assert.Equal("Intel", v2.Vendor!.Name);
    }

    [Fact]
    public void Default_name_is_the_directory_name()
    {
        WriteMinimal(models: "<cpus/>");
        Assert.Equal(Path.GetFileName(_dir), LibvirtMapReader.Load(_dir).Name);
    }

    [Fact]
    public void Duplicate_feature_is_rejected()
    {
        WriteMinimal(features: Features.Replace("'sse'", "'fpu'", StringComparison.Ordinal));
        AssertError("f.xml", "duplicate feature fpu");
    }

    [Fact]
    public void Duplicate_vendor_is_rejected()
    {
        WriteMinimal(vendors: "<cpus><vendor name='Intel' string='GenuineIntel'/><vendor name='Intel' string='GenuineIotel'/></cpus>");
        AssertError("v.xml", "duplicate vendor Intel");
    }

    [Fact]
    public void Duplicate_model_is_rejected()
    {
        WriteMinimal(models: "<cpus><model name='A'><decode host='on' guest='on'/></model><model name='A'><decode host='on' guest='on'/></model></cpus>");
        AssertError("m.xml", "duplicate model A");
    }

    [Fact]
    public void Unknown_feature_in_model_is_rejected()
    {
        WriteMinimal(models: "<cpus><model name='A'><decode host='on' guest='on'/><feature name='avx9'/></model></cpus>");
        AssertError("m.xml", "model A: unknown feature avx9");
    }

    [Fact]
    public void Unknown_vendor_in_model_is_rejected()
    {
        WriteMinimal(models: "<cpus><model name='A'><decode host='on' guest='on'/><vendor name='AMD'/></model></cpus>");
        AssertError("m.xml", "model A: unknown vendor AMD");
    }

    [Fact]
    public void Ancestor_defined_later_is_rejected()
    {
        WriteMinimal(models: "<cpus><model name='A-v1'><decode host='on' guest='off'/><model name='A'/></model><model name='A'><decode host='on' guest='on'/></model></cpus>");
        AssertError("m.xml", "model A-v1: ancestor A not found");
    }

    [Fact]
    public void Second_pure_alias_of_one_model_is_rejected()
    {
        WriteMinimal(models: "<cpus><model name='A'><decode host='on' guest='on'/></model><model name='A-v1'><decode host='on' guest='off'/><model name='A'/></model><model name='A-v2'><decode host='on' guest='off'/><model name='A'/></model></cpus>");
        AssertError("m.xml", "model A-v2: model A already has a canonical model");
    }

    [Fact]
    public void Missing_decode_is_rejected()
    {
        WriteMinimal(models: "<cpus><model name='A'><feature name='fpu'/></model></cpus>");
        AssertError("m.xml", "model A: missing <decode> element");
    }

    [Fact]
    public void Decode_without_guest_is_rejected()
    {
        WriteMinimal(models: "<cpus><model name='A'><decode host='on'/></model></cpus>");
        AssertError("m.xml", "model A: <decode> lacks the guest attribute");
    }

    [Fact]
    public void Bad_check_is_rejected()
    {
        WriteMinimal(models: "<cpus><model name='A'><check partial='full'/><decode host='on' guest='on'/></model></cpus>");
        AssertError("m.xml", "model A: unsupported check partial='full'");
    }

    [Fact]
    public void Zero_family_is_rejected()
    {
        WriteMinimal(models: "<cpus><model name='A'><decode host='on' guest='on'/><signature family='0' model='1'/></model></cpus>");
        AssertError("m.xml", "model A: signature family must not be 0");
    }

    [Fact]
    public void Bad_stepping_is_rejected()
    {
        WriteMinimal(models: "<cpus><model name='A'><decode host='on' guest='on'/><signature family='6' model='1' stepping='3-16'/></model></cpus>");
        AssertError("m.xml", "stepping='3-16' is not a set of steppings 0-15");
    }

    [Fact]
    public void Bad_vendor_string_length_is_rejected()
    {
        WriteMinimal(vendors: "<cpus><vendor name='Intel' string='GenuineIntelX'/></cpus>");
        AssertError("v.xml", "vendor Intel: string 'GenuineIntelX' must be exactly 12 ASCII characters");
    }

    [Fact]
    public void Msr_without_index_is_rejected()
    {
        WriteMinimal(features: "<cpus><feature name='arch-caps'><msr eax='0x01' edx='0'/></feature></cpus>");
        AssertError("f.xml", "feature arch-caps: <msr> lacks the index attribute");
    }

    [Fact]
    public void Any_other_element_is_read_as_an_msr()
    {
        WriteMinimal(features: "<cpus><feature name='odd'><register eax='0x01' edx='0'/></feature></cpus>");
        AssertError("f.xml", "feature odd: <register> lacks the index attribute");
    }

    [Fact]
    public void Cpuid_without_eax_in_is_rejected()
    {
        WriteMinimal(features: "<cpus><feature name='x'><cpuid ecx='0x01'/></feature></cpus>");
        AssertError("f.xml", "feature x: <cpuid> lacks the eax_in attribute");
    }

    [Fact]
    public void Feature_without_data_is_rejected()
    {
        WriteMinimal(features: "<cpus><feature name='x'/></cpus>");
        AssertError("f.xml", "feature x: no x86 CPU data found");
    }

    [Fact]
    public void Bad_number_is_rejected()
    {
        WriteMinimal(features: "<cpus><feature name='x'><cpuid eax_in='0x1' ecx='0xZZ'/></feature></cpus>");
        AssertError("f.xml", "feature x: ecx='0xZZ' is not an unsigned 32-bit number");
    }

    [Fact]
    public void Octal_and_decimal_numbers_are_read_like_c()
    {
        WriteMinimal(features: "<cpus><feature name='x'><cpuid eax_in='07' ebx='010'/></feature><feature name='y'><cpuid eax_in='1' ecx='16'/></feature></cpus>", models: "<cpus/>");
        var catalog = LibvirtMapReader.Load(_dir);
        Assert.Equal(new VirtCpu.Catalog.FeatureBits(VirtCpu.Catalog.CpuDataKey.Cpuid(7), VirtCpu.Catalog.CpuRegister.Ebx, 8), Assert.Single(catalog.FindFeature("x")!.Bits));
        Assert.Equal(16u, Assert.Single(catalog.FindFeature("y")!.Bits).Mask);
    }

    [Fact]
    public void Element_without_name_is_rejected()
    {
        WriteMinimal(models: "<cpus><model><decode host='on' guest='on'/></model></cpus>");
        AssertError("m.xml", "<model> without a name attribute");
    }

    [Fact]
    public void Missing_include_file_is_rejected()
    {
        WriteMinimal();
        File.Delete(Path.Combine(_dir, "m.xml"));
        AssertError("index.xml", "included file m.xml does not exist");
    }

    [Fact]
    public void Missing_x86_arch_is_rejected()
    {
        Write("index.xml", "<cpus><arch name='ppc64'/></cpus>");
        AssertError("index.xml", "no <arch name='x86'> element");
    }

    [Fact]
    public void Missing_directory_is_rejected()
    {
        var e = Assert.Throws<InputException>(() => LibvirtMapReader.Load(Path.Combine(_dir, "nope")));
        Assert.Contains("no such cpu_map directory", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_with_a_dtd_and_entity_is_rejected()
    {
        WriteMinimal(vendors: "<?xml version='1.0'?>\n<!DOCTYPE cpus [<!ENTITY v 'GenuineIntel'>]>\n<cpus><vendor name='Intel' string='&v;'/></cpus>");
        var e = AssertError("v.xml", "malformed XML");
        Assert.Contains("DTD is prohibited", e.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Malformed_xml_names_line_and_column()
    {
        WriteMinimal(models: "<cpus>\n  <model name='A'>\n</cpus>");
        AssertError("m.xml", "malformed XML at line 3, column");
    }

    private InputException AssertError(string file, string problem)
    {
        var e = Assert.Throws<InputException>(() => LibvirtMapReader.Load(_dir));
        Assert.Equal(Path.Combine(_dir, file), e.File);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        return e;
    }

    private void WriteMinimal(string? vendors = null, string? features = null, string? models = null)
    {
        Write("index.xml", "<cpus><arch name='x86'><include filename='v.xml'/><include filename='f.xml'/><group name='g'><include filename='m.xml'/></group></arch></cpus>");
        Write("v.xml", vendors ?? Vendors);
        Write("f.xml", features ?? Features);
        Write("m.xml", models ?? "<cpus><model name='A'><decode host='on' guest='on'/><feature name='fpu'/></model></cpus>");
    }

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(_dir, name), text);
}
