using System.Runtime.InteropServices;

namespace VirtCpu.Fuzz;

/// <summary>Runs a target over its seeds before fuzzing starts, so JIT and one-time loading are not timed.</summary>
internal static class WarmUp
{
    /// <summary>Runs the target once per seed, ignoring every outcome.</summary>
    /// <param name="target">The target.</param>
    /// <param name="seeds">The seed folder.</param>
    public static unsafe void Run(Action<byte[]> target, string seeds)
    {
        SharpFuzz.Common.Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(1 << 20);
        foreach (var f in Directory.EnumerateFiles(seeds))
        {
            try
            {
                FuzzTargets.Run(target, File.ReadAllBytes(f));
            }
#pragma warning disable CA1031 // Warm-up only: findings are reported by the fuzzer itself.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        SharpFuzz.Common.Trace.PrevLocation = 0;
    }
}
