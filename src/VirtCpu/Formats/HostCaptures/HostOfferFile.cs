using System.Text.Json;
using VirtCpu.Formats.Input;
using VirtCpu.Formats.ProjectFiles;
using VirtCpu.Formats.QemuData;
using VirtCpu.Qemu;

namespace VirtCpu.Formats.HostCaptures;

/// <summary>
/// Reads a host offer from a file, detected from content: a QMP probe holding the <c>host</c>
/// model's expansion (exact), a QEMU reply file as libvirt's tests store them (exact: the
/// expansion of <c>host</c>), or raw CPU data, <c>&lt;cpudata&gt;</c> XML or <c>cpuid -r</c> text
/// (approximate, see <see cref="HostOffer.FromCpuid(QemuHypervisorCatalog, VirtCpu.Cpuid.CpuidData, string)"/>).
/// </summary>
public static class HostOfferFile
{
    /// <summary>Reads an offer.</summary>
    /// <param name="path">The file.</param>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <param name="accelerator">The accelerator (raw CPUID offers are completed for KVM).</param>
    /// <returns>The offer.</returns>
    /// <exception cref="InputException">When the file cannot be read or holds no host data.</exception>
    public static HostOffer Read(string path, QemuHypervisorCatalog catalog, QemuAccelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(catalog);
        if (IsProbe(path))
        {
            var probe = QemuProbeFile.ReadFile(path);
            return probe.Expansions.TryGetValue("host", out var host)
                ? HostOffer.FromExpansion(catalog, host, $"{path}: QEMU's host model expansion")
                : throw new InputException(path, "the probe has no expansion of the host model (probe with --accel kvm on the host)");
        }

        var input = CpuDataFile.Read(path);
        if (input.Raw is { } raw)
        {
            var offer = HostOffer.FromCpuid(catalog, raw, path);
            return accelerator == QemuAccelerator.Kvm ? offer.CompleteForKvm(catalog, BehaviourFile.For("qemu", catalog.QemuVersion, path)) : offer;
        }

        return HostOffer.FromExpansion(catalog, input.Qemu!.Expansion, $"{path}: QEMU's host model expansion");
    }

    private static bool IsProbe(string path)
    {
        var bytes = InputFile.ReadAllBytes(path, QemuProbeFile.MaxBytes);
        if (bytes.Length == 0 || bytes[0] != (byte)'{')
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("expansions", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
