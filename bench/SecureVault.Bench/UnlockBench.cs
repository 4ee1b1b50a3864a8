using SecureVault.Crypto;

namespace SecureVault.Bench;

/// <summary>Unlock with the default KDF: Argon2id dominates; the rest is one ECDH and a few reads.</summary>
public sealed record UnlockResult(string Kdf, double CreateMs, double MedianMs, double MinMs, double MaxMs, double[] RunsMs, double PeakWorkingSetMiB);

/// <summary>Creates a vault with <see cref="KdfParameters.Default"/> and times several unlocks of it.</summary>
public sealed class UnlockBench(BenchPaths paths, BenchOptions options, TextWriter log)
{
    public UnlockResult Run()
    {
        var path = Path.Combine(paths.WorkFolder, "unlock-default-kdf.vault");
        BenchPaths.DeleteVault(path);
        var engine = VaultEngine.Open(path);
        var create = new Samples(1);
        // Creating runs Argon2id once too, which also warms up (JITs) the KDF code before the timed unlocks.
        create.Time(() => engine.Create(BenchData.Password, "bench", KdfParameters.Default));
        engine.Lock();

        var unlocks = new Samples(options.UnlockRuns);
        for (int i = 0; i < options.UnlockRuns; i++)
        {
            unlocks.Time(() => engine.Unlock(BenchData.Password));
            engine.Lock();
        }
        BenchPaths.TryDeleteVault(path);
        log.WriteLine($"    unlock ({KdfParameters.Default}) median {unlocks.MedianMs:F0} ms, min {unlocks.MinMs:F0}, max {unlocks.MaxMs:F0}");
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new UnlockResult(KdfParameters.Default.ToString(), Math.Round(create.MedianMs, 1), Math.Round(unlocks.MedianMs, 1),
            Math.Round(unlocks.MinMs, 1), Math.Round(unlocks.MaxMs, 1), unlocks.AllMs().Select(ms => Math.Round(ms, 1)).ToArray(),
            Math.Round(process.PeakWorkingSet64 / 1048576.0, 1));
    }
}
