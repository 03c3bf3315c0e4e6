using System.Collections.Immutable;
using VirtCpu.Catalog;
using VirtCpu.Cpu;
using VirtCpu.Formats.HostCaptures;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Qemu;

namespace VirtCpu.Fleet;

/// <summary>The hosts of a capture directory resolved for one stack, and the files skipped.</summary>
/// <param name="Hosts">The hosts, in file order.</param>
/// <param name="Skipped">The unreadable files (read errors and names the catalogs do not know).</param>
public sealed record FleetInput(ImmutableArray<FleetHost> Hosts, ImmutableArray<SkippedCapture> Skipped)
{
    /// <summary>Reads and resolves a capture directory.</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="catalog">The management catalog.</param>
    /// <param name="hypervisor">The hypervisor catalog.</param>
    /// <param name="machine">The machine type.</param>
    /// <param name="withNodes">True to build each host's node (for guest checks).</param>
    /// <param name="progress">Called with (files done, files total) while reading, or null.</param>
    /// <returns>The input.</returns>
    /// <exception cref="InputException">The directory cannot be listed.</exception>
    public static FleetInput Load(string directory, CpuCatalog catalog, QemuHypervisorCatalog hypervisor, string machine, bool withNodes = false, Action<int, int>? progress = null)
    {
        var set = HostCaptureReader.ReadDirectory(directory, progress);
        var resolver = new FleetHostResolver(catalog, hypervisor, machine);
        var hosts = new FleetHost?[set.Hosts.Length];
        var errors = new SkippedCapture?[set.Hosts.Length];
        Parallel.For(0, set.Hosts.Length, i =>
        {
            try
            {
                hosts[i] = resolver.Resolve(set.Hosts[i], withNodes);
            }
            catch (InputException e)
            {
                errors[i] = new SkippedCapture(set.Hosts[i].File, e.Problem ?? e.Message);
            }
        });
        return new FleetInput([.. hosts.OfType<FleetHost>()], [.. set.Skipped, .. errors.OfType<SkippedCapture>()]);
    }

    /// <summary>Reads a directory of guest <c>&lt;cpu&gt;</c> definitions (one per file, named by the file without extension).</summary>
    /// <param name="directory">The directory.</param>
    /// <returns>The guests and the unreadable files.</returns>
    /// <exception cref="InputException">The directory does not exist.</exception>
    public static (ImmutableArray<(string Name, CpuDefinition Cpu)> Guests, ImmutableArray<SkippedCapture> Skipped) LoadGuests(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new InputException(directory, "not a directory");
        }

        var guests = ImmutableArray.CreateBuilder<(string, CpuDefinition)>();
        var skipped = ImmutableArray.CreateBuilder<SkippedCapture>();
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal))
        {
            try
            {
                guests.Add((Path.GetFileNameWithoutExtension(file), CpuXml.ReadAllFile(file, CpuType.Guest)[0]));
            }
            catch (InputException e)
            {
                skipped.Add(new SkippedCapture(file, e.Problem ?? e.Message));
            }
        }

        return (guests.ToImmutable(), skipped.ToImmutable());
    }
}
