using VirtCpu.Formats.LibvirtXml;

namespace VirtCpu.Live;

/// <summary>A running domain read from its daemon.</summary>
public static class LiveDomain
{
    /// <summary>
    /// Reads the definition a running domain is migrated with (<c>virsh dumpxml --migratable</c>:
    /// the live CPU as libvirt sends it, with the canonical machine type).
    /// </summary>
    /// <param name="virsh">virsh pointed at the domain's node.</param>
    /// <param name="name">The domain name.</param>
    /// <returns>The domain.</returns>
    /// <exception cref="InputException">The domain does not exist or is not running, or the daemon cannot be reached.</exception>
    public static LibvirtDomain ReadMigratable(Virsh virsh, string name)
    {
        ArgumentNullException.ThrowIfNull(virsh);
        ArgumentNullException.ThrowIfNull(name);
        var state = virsh.Run("domstate", name).Trim();
        if (state is not ("running" or "paused"))
        {
            throw new InputException(virsh.Target, $"domain '{name}' is {state}, not running: there is nothing to migrate");
        }

        var domain = LibvirtDomain.Parse(virsh.Run("dumpxml", "--migratable", name), $"{virsh.Target} domain {name}");
        return domain with { IsLive = true };
    }

    /// <summary>Captures a node into a folder and returns the profile's path.</summary>
    /// <param name="uri">The node's URI (null: virsh's default).</param>
    /// <param name="folder">The folder.</param>
    /// <param name="name">The profile's name.</param>
    /// <param name="virtType">The domain type whose view to capture (<c>kvm</c>, <c>qemu</c>), or null for the node's best.</param>
    /// <returns>The profile file.</returns>
    /// <exception cref="InputException">The node cannot be captured.</exception>
    public static string CaptureNode(string? uri, string folder, string name, string? virtType = null)
    {
        var path = Path.Combine(folder, name + ".json");
        NodeCapture.Read(new Virsh(uri), virtType).WriteProfile(path);
        return path;
    }
}
