namespace MLNet.Segmentation.Data;

/// <summary>Deterministic seed derivation (SplitMix64), stable across processes unlike HashCode.</summary>
internal static class SeedMixer
{
    /// <summary>A well-mixed 64-bit value of the inputs.</summary>
    internal static ulong Mix(ulong a, ulong b = 0, ulong c = 0)
    {
        ulong state = Step(Step(Step(a) ^ b) ^ c);
        return state;
    }

    /// <summary>A non-negative 31-bit seed for <see cref="Random"/>.</summary>
    internal static int ToInt32(ulong value) => (int)(value >> 33);

    private static ulong Step(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
