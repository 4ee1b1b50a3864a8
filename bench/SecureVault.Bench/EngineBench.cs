using System.Diagnostics;
using SecureVault.Values;

namespace SecureVault.Bench;

/// <summary>Engine figures at one vault size.</summary>
public sealed record EngineSizeResult(
    int Keys,
    bool FromCache,
    double? PopulateSeconds,
    double? PopulateSetsPerSecond,
    long FileBytes,
    double FileBytesPerKey,
    LatencySummary Get,
    LatencySummary GetColdSession,
    LatencySummary GetWarmAfterUnlock,
    LatencySummary GetAsGrantee,
    LatencySummary Set,
    LatencySummary SetNewVersion,
    LatencySummary SetNewKey,
    LatencySummary DiskFsyncJustBeforeSets,
    double ListMedianMs,
    double[] ListRunsMs,
    long AllocatedBytesPerGet,
    long AllocatedBytesPerSet,
    long AllocatedBytesPerList,
    long ListRetainedBytes,
    long? BytesWrittenPerSet,
    double PeakWorkingSetMiB,
    double GcHeapMiB);

/// <summary>
/// Times the engine at one size: random Gets of existing keys, Gets right after an unlock (the
/// first read must agree a pair key, one ECDH), full listings, then Sets (half new versions of
/// random existing keys, half new keys). One operation at a time, one Stopwatch per operation.
/// Gets and listings run before the Sets so they see exactly N keys.
/// </summary>
public sealed class EngineBench(BenchOptions options, TextWriter log)
{
    private static readonly TimeSpan WarmupTime = TimeSpan.FromSeconds(3);

    public EngineSizeResult Run(PopulatedVault vault, string workingPath)
    {
        var engine = VaultEngine.Open(workingPath);
        engine.Unlock(BenchData.Password);
        var random = new Random(vault.Keys); // reproducible key choice per size
        string RandomKey() => BenchData.KeyName(random.Next(vault.Keys));

        // Warm-up: the pooled connection and its prepared statements, the session's pair key and sender
        // key, the OS page cache, and the JIT. Tiered compilation (with dynamic PGO) replaces first-pass
        // and instrumented code with optimized code only after a method has run a while: on this machine
        // a Get costs about 0.12 ms for the first two seconds of a process and about half that after,
        // so the warm-up runs for a fixed time, not a count. Warm-up Sets write new versions of
        // existing keys, so the key count stays N.
        var warmup = Stopwatch.StartNew();
        while (warmup.Elapsed < WarmupTime) engine.GetKey(RandomKey()).Dispose();
        warmup.Restart();
        while (warmup.Elapsed < WarmupTime) SetOne(engine, RandomKey());

        var gets = new Samples(options.Ops);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < options.Ops; i++)
        {
            var name = RandomKey();
            gets.Time(() => engine.GetKey(name).Dispose());
        }
        long perGet = (GC.GetAllocatedBytesForCurrentThread() - allocated) / options.Ops;
        log.WriteLine($"    engine Get   p50 {gets.PercentileMs(50):F4} ms  p99 {gets.PercentileMs(99):F4} ms");

        // Cold: a new session has no pair keys, so its first read of a key costs one ECDH; the next read of a key with the same sender does not.
        var cold = new Samples(options.ColdRuns);
        var warmAfter = new Samples(options.ColdRuns);
        for (int i = 0; i < options.ColdRuns; i++)
        {
            engine.Lock();
            engine.Unlock(BenchData.Password);
            var first = RandomKey();
            var second = RandomKey();
            cold.Time(() => engine.GetKey(first).Dispose());
            warmAfter.Time(() => engine.GetKey(second).Dispose());
        }
        log.WriteLine($"    engine Get cold session p50 {cold.PercentileMs(50):F4} ms, next read p50 {warmAfter.PercentileMs(50):F4} ms");

        var granteeGets = GetsAsGrantee(engine, RandomKey);
        log.WriteLine($"    engine Get as a User through a grant p50 {granteeGets.PercentileMs(50):F4} ms  p99 {granteeGets.PercentileMs(99):F4} ms");

        engine.ListKeys(); // unrecorded: the listing path has its own code to JIT and pages to read
        var lists = new Samples(options.ListRuns);
        // The whole process, not this thread: ListKeys opens metadata on every core (Parallel.For).
        allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < options.ListRuns; i++)
        {
            IReadOnlyList<VaultKeyInfo>? listed = null;
            lists.Time(() => listed = engine.ListKeys());
            if (listed!.Count != vault.Keys) throw new InvalidOperationException($"ListKeys returned {listed.Count} keys, expected {vault.Keys}.");
        }
        long perList = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / options.ListRuns;
        // What a caller holding the full listing keeps alive (the rest of perList is short-lived garbage).
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var held = engine.ListKeys();
        long retained = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        GC.KeepAlive(held);
        log.WriteLine($"    engine ListKeys median {lists.MedianMs:F1} ms");

        // The disk's own fsync latency right now: on a shared machine it moves with other processes' I/O, and a durable Set cannot beat it.
        var fsync = DiskReference.Fsync4K(Path.GetDirectoryName(workingPath)!, 100);
        var sets = new Samples(options.Ops);
        var updates = new Samples(options.Ops / 2 + 1);
        var creates = new Samples(options.Ops / 2 + 1);
        allocated = GC.GetAllocatedBytesForCurrentThread();
        long? writtenBefore = ProcessIo.BytesWritten();
        for (int i = 0; i < options.Ops; i++)
        {
            bool create = (i & 1) == 1;
            var name = create ? $"new-{i:D7}" : RandomKey();
            using var value = BenchData.NewValue(); // made outside the timed window
            long start = Stopwatch.GetTimestamp();
            engine.SetKey(name, value);
            long elapsed = Stopwatch.GetTimestamp() - start;
            sets.Add(elapsed);
            (create ? creates : updates).Add(elapsed);
        }
        long perSet = (GC.GetAllocatedBytesForCurrentThread() - allocated) / options.Ops;
        long? writtenPerSet = ProcessIo.BytesWritten() - writtenBefore is { } written ? written / options.Ops : null;
        log.WriteLine($"    engine Set   p50 {sets.PercentileMs(50):F4} ms  p99 {sets.PercentileMs(99):F4} ms (disk fsync p50 just before: {fsync.P50Ms:F4} ms)");

        using var process = Process.GetCurrentProcess();
        return new EngineSizeResult(
            vault.Keys, vault.PopulateSeconds is null, Round(vault.PopulateSeconds), Round(vault.PopulateSetsPerSecond),
            vault.FileBytes, Math.Round(vault.BytesPerKey, 1),
            gets.Summarize(), cold.Summarize(), warmAfter.Summarize(), granteeGets.Summarize(),
            sets.Summarize(), updates.Summarize(), creates.Summarize(), fsync,
            Math.Round(lists.MedianMs, 2), lists.AllMs().Select(ms => Math.Round(ms, 2)).ToArray(),
            perGet, perSet, perList, retained, writtenPerSet,
            Math.Round(process.PeakWorkingSet64 / 1048576.0, 1),
            Math.Round(GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0, 1));
    }

    /// <summary>
    /// Gets by a User reading keys granted to it: besides the owner's path, the access check reads
    /// its grant. The working copy gets the principal and 500 grants, then loses them again (removing
    /// the principal rotates those 500 data keys); the session ends as the owner.
    /// </summary>
    private Samples GetsAsGrantee(VaultEngine engine, Func<string> randomKey)
    {
        var owner = engine.GetStatus().Principal;
        if (!engine.GetPrincipals().Any(p => p.Name == BenchData.Grantee))
            engine.NewPrincipal(BenchData.Grantee, Identity.Role.User, BenchData.GranteePassword);
        var granted = Enumerable.Range(0, 500).Select(_ => randomKey()).Distinct().ToList();
        foreach (var name in granted) engine.GrantAccess(name, BenchData.Grantee, Access.KeyPermissions.Read);
        engine.Lock();
        engine.Unlock(BenchData.GranteePassword, BenchData.Grantee);
        var random = new Random(granted.Count);
        var warmup = Stopwatch.StartNew();
        while (warmup.Elapsed < WarmupTime) engine.GetKey(granted[random.Next(granted.Count)]).Dispose();
        var samples = new Samples(options.Ops);
        for (int i = 0; i < options.Ops; i++)
        {
            var name = granted[random.Next(granted.Count)];
            samples.Time(() => engine.GetKey(name).Dispose());
        }
        engine.Lock();
        engine.Unlock(BenchData.Password, owner);
        // Later runs (cmdlets, audit) unlock the working copy as its only principal.
        engine.RemovePrincipal(BenchData.Grantee);
        return samples;
    }

    private static void SetOne(VaultEngine engine, string name)
    {
        using var value = BenchData.NewValue();
        engine.SetKey(name, value);
    }

    private static double? Round(double? value) => value is null ? null : Math.Round(value.Value, 2);
}
