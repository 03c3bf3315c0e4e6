using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace VirtCpu.Fuzz;

/// <summary>
/// The fallback when AFL++ cannot run: seeded random mutation of real inputs in process (byte flips,
/// truncation, duplication, splicing, XML/JSON-aware token insertion), with a per-input time check
/// (1 s) and a memory check (managed heap under 1 GiB after each input). Crashes are saved to
/// <c>crashes-TARGET/</c> in the current directory.
/// </summary>
internal static class Mutator
{
    private static readonly byte[][] Tokens =
    [
        .. new[]
        {
            "<", ">", "/>", "</", "<cpu>", "</cpu>", "<feature name='", "'/>", "<model>", "</model>", "<!DOCTYPE x>", "&amp;", "&#0;", "&#x110000;",
            "<![CDATA[", "]]>", "<?xml version='1.0'?>", "<!--", "-->", "='", "=\"", "0x", "0xffffffff", "0x100000000", "-1", "99999999999999999999",
            "{", "}", "[", "]", "\"", ":", ",", "null", "true", "1e999", "\\u0000", "\n", "\r\n", "\t", " ", "\0", "\u00e9", "\uFEFF",
            "CPU 0:", "eax=", "model ", "feature ", "vendor ", "  features ", "ancestor ", "alias-of ", "word ", "dep ", "sha256:",
        }.Select(Encoding.UTF8.GetBytes),
    ];

    /// <summary>Runs the campaign.</summary>
    /// <param name="name">The target name.</param>
    /// <param name="target">The target.</param>
    /// <param name="duration">How long.</param>
    /// <param name="seedDirectory">The seed inputs.</param>
    /// <returns>0 without crashes, 1 otherwise.</returns>
    public static int Run(string name, Action<byte[]> target, TimeSpan duration, string seedDirectory)
    {
        var seeds = Directory.EnumerateFiles(seedDirectory).Select(File.ReadAllBytes).Where(s => s.Length > 0).ToList();
        if (seeds.Count == 0)
        {
            Console.Error.WriteLine($"no seeds in {seedDirectory}");
            return 2;
        }

        var random = new Random(12345);
        var wall = Stopwatch.StartNew();
        long inputs = 0, accepted = 0, crashes = 0, slow = 0;
        var corpus = new List<byte[]>(seeds);
        while (wall.Elapsed < duration)
        {
            var input = Mutate(corpus[random.Next(corpus.Count)], corpus[random.Next(corpus.Count)], random);
            var one = Stopwatch.StartNew();
            try
            {
                if (FuzzTargets.Run(target, input))
                {
                    accepted++;
                    if (corpus.Count < 5000 && random.Next(64) == 0)
                    {
                        corpus.Add(input);
                    }
                }
            }
#pragma warning disable CA1031 // Every unexpected exception is a finding, saved and counted.
            catch (Exception e)
#pragma warning restore CA1031
            {
                crashes++;
                Save($"crashes-{name}", input, e.ToString());
            }

            if (one.ElapsedMilliseconds > 1000)
            {
                slow++;
                Save($"hangs-{name}", input, string.Create(CultureInfo.InvariantCulture, $"{one.ElapsedMilliseconds} ms"));
            }

            inputs++;
            if ((inputs & 0xfff) == 0 && GC.GetTotalMemory(false) > (1L << 30))
            {
                GC.Collect();
                if (GC.GetTotalMemory(true) > (1L << 30))
                {
                    Save($"memory-{name}", input, "managed heap over 1 GiB");
                    crashes++;
                }
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {inputs} inputs in {wall.Elapsed.TotalSeconds:F0} s ({inputs / wall.Elapsed.TotalSeconds:F0}/s), {accepted} accepted, {crashes} crashes, {slow} over 1 s"));
        return crashes + slow == 0 ? 0 : 1;
    }

    private static byte[] Mutate(byte[] a, byte[] b, Random random)
    {
        var data = new List<byte>(a);
        var rounds = 1 + random.Next(4);
        for (var r = 0; r < rounds; r++)
        {
            var at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(8))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = (byte)random.Next(256);
                    break;
                case 2:
                    data.RemoveRange(at, random.Next(data.Count - at + 1));
                    break;
                case 3 when data.Count > 0:
                    var len = random.Next(Math.Min(64, data.Count - at) + 1);
                    data.InsertRange(at, data.GetRange(at, len));
                    break;
                case 4:
                    var from = b.Length == 0 ? 0 : random.Next(b.Length);
                    data.InsertRange(at, b.AsSpan(from, random.Next(Math.Min(256, b.Length - from) + 1)).ToArray());
                    break;
                case 5 when data.Count > 0:
                    data.RemoveRange(at, Math.Min(random.Next(16), data.Count - at));
                    break;
                default:
                    data.InsertRange(at, Tokens[random.Next(Tokens.Length)]);
                    break;
            }
        }

        return [.. data];
    }

    private static void Save(string directory, byte[] input, string why)
    {
        Directory.CreateDirectory(directory);
        var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(input))[..16];
        File.WriteAllBytes(Path.Combine(directory, id), input);
        File.WriteAllText(Path.Combine(directory, id + ".txt"), why);
    }
}
