using System.CommandLine;
using VirtCpu.Evolution;
using VirtCpu.Formats.Input;

namespace VirtCpu.Cli.Commands;

/// <summary><c>virtcpu catalog lock --check | --update [--reason TEXT] [--lock FILE]</c>: the fingerprints of the built-in catalogs' models.</summary>
internal static class CatalogLockCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var check = new Option<bool>("--check") { Description = "Compare the lock with the built-in catalogs (exit 1 on any difference)." };
        var update = new Option<bool>("--update") { Description = "Rewrite the lock from the built-in catalogs (refused when a versioned model changed)." };
        var reason = new Option<string>("--reason") { Description = "Why unversioned models changed (one sentence, kept in the lock).", HelpName = "TEXT" };
        var lockOption = new Option<string>("--lock") { Description = "The lock file (default: catalogs/catalogs.lock in the repository).", HelpName = "FILE" };
        var command = new Command("lock", "Check or update the catalog lock (fingerprints of every built-in model).");
        command.Options.Add(check);
        command.Options.Add(update);
        command.Options.Add(reason);
        command.Options.Add(lockOption);
        command.Validators.Add(result =>
        {
            var isCheck = result.GetValue(check);
            var isUpdate = result.GetValue(update);
            if (isCheck == isUpdate)
            {
                result.AddError("give exactly one of --check and --update");
            }
            else if (isCheck && result.GetResult(reason) is not null)
            {
                result.AddError("--reason goes with --update");
            }
        });
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetValue(lockOption) ?? Path.Combine(RepoPaths.Catalogs(), CatalogLock.FileName);
            var current = CatalogLock.Compute(CatalogLock.BuiltInSources());
            if (parseResult.GetValue(check))
            {
                var differences = CatalogLock.Check(CatalogLock.ReadFile(path).Entries, current);
                if (differences.IsEmpty)
                {
                    Console.Out.WriteLine($"{path}: {current.Length} models match the built-in catalogs");
                    return Cli.Ok;
                }

                Console.Out.WriteLine($"{path}: {differences.Length} difference(s) with the built-in catalogs:");
                foreach (var d in differences)
                {
                    Console.Out.WriteLine("  " + d);
                }

                if (differences.Any(d => d.IsForbidden))
                {
                    Console.Out.WriteLine("Versioned models never change: restore them and add a new version instead.");
                }
                else
                {
                    Console.Out.WriteLine("If the change is intended, run: virtcpu catalog lock --update --reason TEXT");
                }

                return Cli.Negative;
            }

            var locked = File.Exists(path) ? CatalogLock.ReadFile(path) : CatalogLockFile.Empty;
            var differences2 = CatalogLock.Check(locked.Entries, current);
            var forbidden = differences2.Where(d => d.IsForbidden).ToList();
            if (forbidden.Count > 0)
            {
                Console.Error.WriteLine($"virtcpu: {path}: refusing to update: versioned models never change (add a new version instead): {string.Join(", ", forbidden.Select(d => $"{d.Catalog} {d.Model}"))}");
                return Cli.Negative;
            }

            var updated = CatalogLock.Update(locked, current, parseResult.GetValue(reason));
            AtomicFile.WriteAllText(path, CatalogLock.WriteToString(updated));
            Console.Out.WriteLine($"{path}: {current.Length} models, {differences2.Length} difference(s) recorded");
            foreach (var d in differences2)
            {
                Console.Out.WriteLine("  " + d);
            }

            return Cli.Ok;
        });
        return command;
    }
}
