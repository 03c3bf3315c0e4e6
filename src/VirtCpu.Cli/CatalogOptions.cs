using System.CommandLine;
using VirtCpu.Catalog;
using VirtCpu.Formats.LibvirtXml;
using VirtCpu.Formats.ProjectFiles;

namespace VirtCpu.Cli;

/// <summary>
/// The catalog choice shared by every command that needs one: <c>--catalog NAME</c> (a built-in
/// catalog, default <see cref="BuiltInCatalogs.Default"/>) or <c>--map DIR</c> (a libvirt cpu_map
/// directory read at run time); the two are mutually exclusive.
/// </summary>
internal sealed class CatalogOptions
{
    private CatalogOptions(Option<string> catalog, Option<string> map)
    {
        Catalog = catalog;
        Map = map;
    }

    /// <summary>The <c>--catalog NAME</c> option.</summary>
    public Option<string> Catalog { get; }

    /// <summary>The <c>--map DIR</c> option.</summary>
    public Option<string> Map { get; }

    /// <summary>Adds <c>--catalog</c> and <c>--map</c> to a command, with their exclusivity check.</summary>
    /// <param name="command">The command.</param>
    /// <returns>The options, to resolve the catalog in the command's action.</returns>
    public static CatalogOptions AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var catalog = new Option<string>("--catalog")
        {
            Description = $"Built-in catalog to use: {string.Join(", ", BuiltInCatalogs.Names)} (default {BuiltInCatalogs.Default}).",
            HelpName = "NAME",
        };
        var map = new Option<string>("--map")
        {
            Description = "Use a libvirt cpu_map directory (holding index.xml) instead of a built-in catalog.",
            HelpName = "DIR",
        };
        command.Options.Add(catalog);
        command.Options.Add(map);
        command.Validators.Add(result =>
        {
            if (result.GetResult(catalog) is not null && result.GetResult(map) is not null)
            {
                result.AddError("--catalog and --map are mutually exclusive: give one of them");
            }
        });
        return new CatalogOptions(catalog, map);
    }

    /// <summary>The catalog the command line asks for.</summary>
    /// <param name="parseResult">The parse result.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="InputException">The catalog name is unknown or the map cannot be read.</exception>
    public CpuCatalog Resolve(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var map = parseResult.GetValue(Map);
        if (map is not null)
        {
            return LibvirtMapReader.Load(map);
        }

        return BuiltInCatalogs.Get(parseResult.GetValue(Catalog) ?? BuiltInCatalogs.Default);
    }
}
