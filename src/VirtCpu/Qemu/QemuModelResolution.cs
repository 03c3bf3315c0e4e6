namespace VirtCpu.Qemu;

/// <summary>What kind of model name was given.</summary>
public enum QemuModelNameKind
{
    /// <summary>A versioned name, <c>X-vN</c>: always itself.</summary>
    Versioned,

    /// <summary>An alias name fixed to one version (<c>EPYC-IBPB</c>).</summary>
    Alias,

    /// <summary>An unversioned base name (<c>Haswell</c>): resolved by the machine type.</summary>
    Unversioned,
}

/// <summary>
/// A model name resolved under a machine type: keeps both the name given (which is also the QOM
/// class per-model compat properties match) and what it resolved to, an <c>X-vN</c> version or the
/// legacy base definition.
/// </summary>
/// <param name="Given">The name as given.</param>
/// <param name="Kind">The kind of name.</param>
/// <param name="Machine">The machine type.</param>
/// <param name="Base">The base model.</param>
/// <param name="Version">The version, or null for LEGACY (the base definition only).</param>
public sealed record QemuModelResolution(string Given, QemuModelNameKind Kind, QemuMachineType Machine, QemuBaseModel Base, QemuModelVersion? Version)
{
    /// <summary>The resolved version's name (<c>Haswell-v1</c>), or <c>legacy</c>.</summary>
    public string Resolved => Version?.Name ?? "legacy";

    /// <summary>True for LEGACY resolution.</summary>
    public bool IsLegacy => Version is null;

    /// <summary>The definition that is loaded.</summary>
    public QemuModelDefinition Definition => Version?.Definition ?? Base.Definition;

    /// <summary>
    /// What <c>query-cpu-definitions</c> reports as <c>alias-of</c>: for unversioned and alias
    /// names the version, but only when the machine type does not default to LEGACY; null for
    /// versioned names.
    /// </summary>
    public string? AliasOf => Kind == QemuModelNameKind.Versioned || Machine.DefaultVersion == QemuDefaultVersion.Legacy ? null : Version?.Name;

    /// <summary>Resolves a model name (QEMU's <c>x86_cpu_model_resolve_version</c>).</summary>
    /// <param name="catalog">The hypervisor catalog.</param>
    /// <param name="name">The model name: <c>X-vN</c>, an alias, or an unversioned name.</param>
    /// <param name="machine">The machine type.</param>
    /// <returns>The resolution.</returns>
    /// <exception cref="InputException">When the catalog has no such model.</exception>
    public static QemuModelResolution Resolve(QemuHypervisorCatalog catalog, string name, QemuMachineType machine)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(machine);
        if (catalog.Model(name) is { } unversioned)
        {
            var version = machine.DefaultVersion switch
            {
                QemuDefaultVersion.V1 => unversioned.Versions[0],
                QemuDefaultVersion.Latest => unversioned.Latest,
                _ => null,
            };
            return new QemuModelResolution(name, QemuModelNameKind.Unversioned, machine, unversioned, version);
        }

        if (catalog.Alias(name) is { } alias)
        {
            return new QemuModelResolution(name, QemuModelNameKind.Alias, machine, catalog.Model(alias.BaseName)!, alias);
        }

        var dash = name.LastIndexOf("-v", StringComparison.Ordinal);
        if (dash > 0 && int.TryParse(name.AsSpan(dash + 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            && catalog.Model(name[..dash]) is { } model && model.Version(n) is { } v && v.Name == name)
        {
            return new QemuModelResolution(name, QemuModelNameKind.Versioned, machine, model, v);
        }

        var special = name is "host" or "max" or "base" ? " (host, max and base are not table models; VirtCpu models table models only)" : "";
        throw new InputException(null, $"CPU model '{name}' not found in {catalog.Name}{special}");
    }
}
