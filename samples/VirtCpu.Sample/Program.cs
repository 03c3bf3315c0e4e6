using VirtCpu.Cpuid;
using VirtCpu.Engine;
using VirtCpu.Formats;

var catalog = BuiltInCatalogs.Get("libvirt-11.3");          // libvirt 11.3's cpu_map, built in
var input = CpuDataFile.Read(args[0]);                       // cpudata XML, `cpuid -r` text or QEMU replies
var data = CpuData.FromRaw(input.Raw!, catalog);             // raw CPUID/MSR data -> the catalog's features
var host = new CpuDecoder(catalog).DecodeHost(data);         // libvirt's host CPU decode
Console.WriteLine($"{host.Model} ({host.Vendor}), {host.Features.Length} extra features");
Console.Write(CpuXml.Format(host));                          // byte-identical to libvirt's <cpu> XML
