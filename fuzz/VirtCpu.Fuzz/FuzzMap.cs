namespace VirtCpu.Fuzz;

/// <summary>
/// The <c>cpu-map</c> target: a minimal libvirt cpu_map directory (index, vendors, a small features
/// file) in a temporary folder, whose third include, <c>x86_fuzz.xml</c>, holds the fuzzed bytes.
/// </summary>
internal static class FuzzMap
{
    /// <summary>The vendors file.</summary>
    public const string Vendors = "<cpus>\n  <vendor name='Intel' string='GenuineIntel'/>\n  <vendor name='AMD' string='AuthenticAMD'/>\n</cpus>\n";

    /// <summary>A small features file (a subset of libvirt's, hand-written).</summary>
    public const string Features = "<cpus>\n" +
        "  <feature name='fpu'>\n    <cpuid eax_in='0x00000001' edx='0x00000001'/>\n  </feature>\n" +
        "  <feature name='vme'>\n    <cpuid eax_in='0x00000001' edx='0x00000002'/>\n  </feature>\n" +
        "  <feature name='de'>\n    <cpuid eax_in='0x00000001' edx='0x00000004'/>\n  </feature>\n" +
        "  <feature name='pse'>\n    <cpuid eax_in='0x00000001' edx='0x00000008'/>\n  </feature>\n" +
        "  <feature name='tsc'>\n    <cpuid eax_in='0x00000001' edx='0x00000010'/>\n  </feature>\n" +
        "  <feature name='msr'>\n    <cpuid eax_in='0x00000001' edx='0x00000020'/>\n  </feature>\n" +
        "  <feature name='pae'>\n    <cpuid eax_in='0x00000001' edx='0x00000040'/>\n  </feature>\n" +
        "  <feature name='mce'>\n    <cpuid eax_in='0x00000001' edx='0x00000080'/>\n  </feature>\n" +
        "  <feature name='cx8'>\n    <cpuid eax_in='0x00000001' edx='0x00000100'/>\n  </feature>\n" +
        "  <feature name='apic'>\n    <cpuid eax_in='0x00000001' edx='0x00000200'/>\n  </feature>\n" +
        "  <feature name='sep'>\n    <cpuid eax_in='0x00000001' edx='0x00000800'/>\n  </feature>\n" +
        "  <feature name='mtrr'>\n    <cpuid eax_in='0x00000001' edx='0x00001000'/>\n  </feature>\n" +
        "  <feature name='pge'>\n    <cpuid eax_in='0x00000001' edx='0x00002000'/>\n  </feature>\n" +
        "  <feature name='mca'>\n    <cpuid eax_in='0x00000001' edx='0x00004000'/>\n  </feature>\n" +
        "  <feature name='cmov'>\n    <cpuid eax_in='0x00000001' edx='0x00008000'/>\n  </feature>\n" +
        "  <feature name='pat'>\n    <cpuid eax_in='0x00000001' edx='0x00010000'/>\n  </feature>\n" +
        "  <feature name='pse36'>\n    <cpuid eax_in='0x00000001' edx='0x00020000'/>\n  </feature>\n" +
        "  <feature name='clflush'>\n    <cpuid eax_in='0x00000001' edx='0x00080000'/>\n  </feature>\n" +
        "  <feature name='mmx'>\n    <cpuid eax_in='0x00000001' edx='0x00800000'/>\n  </feature>\n" +
        "  <feature name='fxsr'>\n    <cpuid eax_in='0x00000001' edx='0x01000000'/>\n  </feature>\n" +
        "  <feature name='sse'>\n    <cpuid eax_in='0x00000001' edx='0x02000000'/>\n  </feature>\n" +
        "  <feature name='sse2'>\n    <cpuid eax_in='0x00000001' edx='0x04000000'/>\n  </feature>\n" +
        "  <feature name='pni'>\n    <cpuid eax_in='0x00000001' ecx='0x00000001'/>\n  </feature>\n" +
        "  <feature name='ssse3'>\n    <cpuid eax_in='0x00000001' ecx='0x00000200'/>\n  </feature>\n" +
        "  <feature name='cx16'>\n    <cpuid eax_in='0x00000001' ecx='0x00002000'/>\n  </feature>\n" +
        "  <feature name='sse4.1'>\n    <cpuid eax_in='0x00000001' ecx='0x00080000'/>\n  </feature>\n" +
        "  <feature name='sse4.2'>\n    <cpuid eax_in='0x00000001' ecx='0x00100000'/>\n  </feature>\n" +
        "  <feature name='popcnt'>\n    <cpuid eax_in='0x00000001' ecx='0x00800000'/>\n  </feature>\n" +
        "  <feature name='x2apic'>\n    <cpuid eax_in='0x00000001' ecx='0x00200000'/>\n  </feature>\n" +
        "  <feature name='syscall'>\n    <cpuid eax_in='0x80000001' edx='0x00000800'/>\n  </feature>\n" +
        "  <feature name='nx'>\n    <cpuid eax_in='0x80000001' edx='0x00100000'/>\n  </feature>\n" +
        "  <feature name='lm'>\n    <cpuid eax_in='0x80000001' edx='0x20000000'/>\n  </feature>\n" +
        "  <feature name='lahf_lm'>\n    <cpuid eax_in='0x80000001' ecx='0x00000001'/>\n  </feature>\n" +
        "  <feature name='rdctl-no'>\n    <msr index='0x0000010a' edx='0x00000000' eax='0x00000001'/>\n  </feature>\n" +
        "</cpus>\n";

    private const string Index = "<cpus>\n  <arch name='x86'>\n    <include filename='x86_vendors.xml'/>\n    <include filename='x86_features.xml'/>\n    <group name='fuzz'>\n      <include filename='x86_fuzz.xml'/>\n    </group>\n  </arch>\n</cpus>\n";

    private static readonly Lazy<string> Directory = new(Create);

    /// <summary>The map's folder, also the base directory of fuzzed node profiles (it holds <c>host.xml</c>, <c>reply.json</c> and <c>index.xml</c>).</summary>
    public static string BaseDirectory => Directory.Value;

    /// <summary>Loads the map with the fuzzed bytes as its model file.</summary>
    /// <param name="data">The bytes.</param>
    public static void Load(byte[] data)
    {
        File.WriteAllBytes(Path.Combine(Directory.Value, "x86_fuzz.xml"), data);
        _ = VirtCpu.Formats.LibvirtXml.LibvirtMapReader.Load(Directory.Value, "fuzz");
    }

    private static string Create()
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("virtcpu-fuzz-map-").FullName;
        File.WriteAllText(Path.Combine(dir, "index.xml"), Index);
        File.WriteAllText(Path.Combine(dir, "x86_vendors.xml"), Vendors);
        File.WriteAllText(Path.Combine(dir, "x86_features.xml"), Features);
        File.WriteAllText(Path.Combine(dir, "x86_fuzz.xml"), "<cpus/>\n");
        File.WriteAllText(Path.Combine(dir, "host.xml"), "<cpudata arch='x86'>\n  <cpuid eax_in='0x00000000' ecx_in='0x00' eax='0x0000000d' ebx='0x756e6547' ecx='0x6c65746e' edx='0x49656e69'/>\n  <cpuid eax_in='0x00000001' ecx_in='0x00' eax='0x000906ea' ebx='0x00100800' ecx='0x7ffafbbf' edx='0xbfebfbff'/>\n</cpudata>\n");
        File.WriteAllText(Path.Combine(dir, "reply.json"), "{\"return\": {\"model\": {\"name\": \"base\", \"props\": {\"vendor\": \"GenuineIntel\", \"family\": 6, \"sse\": true}}}}\n");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => System.IO.Directory.Delete(dir, recursive: true);
        return dir;
    }
}
