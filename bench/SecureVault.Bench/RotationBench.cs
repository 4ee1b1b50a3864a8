using System.Diagnostics;
using SecureVault.Rotation;

namespace SecureVault.Bench;

/// <summary>
/// The rotation figures of one vault size (issue 6). Issue 6 sets no performance target; these
/// are figures to read, not to pass.
/// </summary>
/// <param name="Keys">The populated vault measured (its size in keys).</param>
/// <param name="Status">GetRotationStatus() of every key.</param>
/// <param name="StatusDueOnly">GetRotationStatus(dueOnly: true): the same walk, keeping only Warning, Overdue and Blocked keys.</param>
/// <param name="Rotation">A rotation run (RotateKeys) over 1,000 keys.</param>
/// <param name="Rekey">RekeyVault() of a fresh copy, or null when skipped.</param>
/// <param name="RekeySkipped">Why the rekey was not measured at this size, when it was not.</param>
public sealed record RotationSizeResult(int Keys, StatusTiming Status, StatusTiming StatusDueOnly, RotationRunResult Rotation, RekeyTiming? Rekey, string? RekeySkipped);

/// <summary>Timed status calls: each call as the caller sees it (one audited read transaction that opens every key's metadata).</summary>
/// <param name="Returned">Keys in the result of the last call.</param>
public sealed record StatusTiming(int Runs, double MedianMs, double MinMs, double MaxMs, double[] RunsMs, int Returned);

/// <summary>
/// One RotateKeys run. Each attempt is an audited read of the current value, the producer, and an
/// audited write of the new version (two durable commits).
/// </summary>
/// <param name="Pattern">The name wildcard given to RotateKeys.</param>
/// <param name="Rotated">Keys whose outcome was Rotated (every one, or the harness stops).</param>
/// <param name="SelectionMs">The RotateKeys call itself: it chooses the keys up front with one status read over the whole vault.</param>
/// <param name="TotalSeconds">From the call to the last result: selection plus every attempt.</param>
/// <param name="KeysPerSecond">Rotated keys over <paramref name="TotalSeconds"/>.</param>
/// <param name="PerKey">Each key's attempt, from one result to the next.</param>
/// <param name="BytesWrittenPerKey">Bytes handed to write calls over the run, per key (WAL frames of both commits plus a share of checkpoints); null off Linux.</param>
public sealed record RotationRunResult(string Pattern, int Rotated, double SelectionMs, double TotalSeconds, double KeysPerSecond, LatencySummary PerKey, long? BytesWrittenPerKey);

/// <summary>
/// One RekeyVault run, split by the engine's progress reports: phase 1 (every data key rotated,
/// in transactions of <paramref name="BatchSize"/> keys, preceded by the small transaction that
/// records the start) ends at the report "Re-encrypting metadata ...", which the engine makes just
/// before the single metadata transaction; that transaction and the session's switch to the new
/// keys run from there to the return.
/// </summary>
/// <param name="Batch">Each batch's time, from one progress report to the next (the first from the call).</param>
/// <param name="BytesWrittenPerDataKey">Phase 1's bytes handed to write calls, per data key rotated; null off Linux.</param>
/// <param name="MetadataBytesWritten">The same for the metadata phase, in all; null off Linux.</param>
public sealed record RekeyTiming(int BatchSize, int DataKeysRotated, int MetadataRecords, double TotalSeconds, double DataKeysSeconds,
    double DataKeysPerSecond, double MetadataSeconds, LatencySummary Batch, long? BytesWrittenPerDataKey, long? MetadataBytesWritten);

/// <summary>
/// Times the issue-6 engine calls that walk many keys, each size on fresh copies of its populated
/// vault (the cache is never written): the rotation status of every key, a rotation run over
/// 1,000 keys, and a rekey of the whole vault on a second copy, so the rekey sees exactly the
/// populated vault (one version per key), not the versions the rotation run added. The read path's
/// policy check needs no separate measurement: every timed engine Get runs it (EngineBench).
/// </summary>
public sealed class RotationBench(BenchOptions options, PopulatedVaults vaults, TextWriter log)
{
    /// <summary>Keys named key-0000000 to key-0000999: 1,000 in every populated vault (all of the 1,000-key one).</summary>
    public const string RotationPattern = "key-0000???";
    public const int RotationKeys = 1_000;

    /// <summary>
    /// A rekey grows with the vault; a larger size is rekeyed only when the largest one measured so
    /// far, scaled linearly, says it finishes within this budget (otherwise the run would be
    /// dominated by it). The skip and its estimate are reported.
    /// </summary>
    public static readonly TimeSpan RekeyBudget = TimeSpan.FromMinutes(2);

    public const int RekeyBatchSize = 100; // the engine's default, as Update-VaultEncryptionKey and the CLI use it
    private const string MetadataActivityPrefix = "Re-encrypting metadata";

    private RekeyTiming? _largestRekey;

    public RotationSizeResult Run(PopulatedVault vault)
    {
        var statusCopy = vaults.WorkingCopy(vault, $"rotation-{vault.Keys}");
        var engine = VaultEngine.Open(statusCopy);
        engine.Unlock(BenchData.Password);
        StatusTiming all, due;
        RotationRunResult rotation;
        try
        {
            all = TimeStatus(engine, dueOnly: false);
            if (all.Returned != vault.Keys) throw new InvalidOperationException($"GetRotationStatus returned {all.Returned} keys, expected {vault.Keys}.");
            log.WriteLine($"    GetRotationStatus, all keys: median {all.MedianMs:F1} ms (min {all.MinMs:F1}, max {all.MaxMs:F1})");
            due = TimeStatus(engine, dueOnly: true);
            log.WriteLine($"    GetRotationStatus -Due: median {due.MedianMs:F1} ms, {due.Returned} due");
            rotation = RotateThousand(engine);
            log.WriteLine($"    RotateKeys '{rotation.Pattern}': {rotation.Rotated:N0} keys in {rotation.TotalSeconds:F2} s ({rotation.KeysPerSecond:N0} keys/s; " +
                $"selection {rotation.SelectionMs:F1} ms, per key p50 {rotation.PerKey.P50Ms:F3} ms, p99 {rotation.PerKey.P99Ms:F3} ms, {rotation.BytesWrittenPerKey:N0} bytes written per key)");
        }
        finally
        {
            engine.Lock();
            BenchPaths.TryDeleteVault(statusCopy);
        }

        if (RekeySkipReason(vault.Keys) is { } skip)
        {
            log.WriteLine($"    RekeyVault skipped: {skip}");
            return new RotationSizeResult(vault.Keys, all, due, rotation, null, skip);
        }
        var rekey = TimeRekey(vault);
        _largestRekey = rekey;
        log.WriteLine($"    RekeyVault: {rekey.TotalSeconds:F2} s; data keys {rekey.DataKeysRotated:N0} in {rekey.DataKeysSeconds:F2} s ({rekey.DataKeysPerSecond:N0}/s, " +
            $"batch of {rekey.BatchSize} p50 {rekey.Batch.P50Ms:F0} ms, {rekey.BytesWrittenPerDataKey:N0} bytes written per key); " +
            $"metadata transaction ({rekey.MetadataRecords:N0} records) {rekey.MetadataSeconds:F2} s, {rekey.MetadataBytesWritten / 1048576.0:F1} MiB written");
        return new RotationSizeResult(vault.Keys, all, due, rotation, rekey, null);
    }

    /// <summary>One untimed call (JIT, the file's pages into the OS cache), then the timed ones.</summary>
    private StatusTiming TimeStatus(VaultEngine engine, bool dueOnly)
    {
        engine.GetRotationStatus(dueOnly: dueOnly);
        var calls = new Samples(options.ListRuns);
        IReadOnlyList<VaultRotationStatus>? last = null;
        for (int i = 0; i < options.ListRuns; i++) calls.Time(() => last = engine.GetRotationStatus(dueOnly: dueOnly));
        return new StatusTiming(options.ListRuns, Math.Round(calls.MedianMs, 2), Math.Round(calls.MinMs, 2), Math.Round(calls.MaxMs, 2),
            calls.AllMs().Select(ms => Math.Round(ms, 2)).ToArray(), last!.Count);
    }

    /// <summary>
    /// RotateKeys over <see cref="RotationPattern"/> with a producer that returns a new random
    /// 40-byte text value (made in a secure buffer, as every bench value is). The results are
    /// streamed; the time between two of them is one key's attempt. Any outcome but Rotated stops
    /// the harness: figures of a failure path would mean something else.
    /// </summary>
    private static RotationRunResult RotateThousand(VaultEngine engine)
    {
        var perKey = new Samples(RotationKeys);
        int rotated = 0;
        long? writtenBefore = ProcessIo.BytesWritten();
        long start = Stopwatch.GetTimestamp();
        var results = engine.RotateKeys(RotationPattern, dueOnly: false, (_, _) => BenchData.NewValue());
        long selected = Stopwatch.GetTimestamp();
        using (var stream = results.GetEnumerator())
        {
            long before = selected;
            while (stream.MoveNext())
            {
                long after = Stopwatch.GetTimestamp();
                perKey.Add(after - before);
                var result = stream.Current;
                if (result.Outcome != RotationOutcome.Rotated)
                    throw new InvalidOperationException($"Rotating '{result.Name}' gave {result.Outcome}: {result.Reason}");
                rotated++;
                before = Stopwatch.GetTimestamp();
            }
        }
        double totalSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long? writtenPerKey = ProcessIo.BytesWritten() - writtenBefore is { } written ? written / RotationKeys : null;
        if (rotated != RotationKeys) throw new InvalidOperationException($"RotateKeys '{RotationPattern}' rotated {rotated} keys, expected {RotationKeys}.");
        return new RotationRunResult(RotationPattern, rotated, Math.Round(Stopwatch.GetElapsedTime(start, selected).TotalMilliseconds, 2),
            Math.Round(totalSeconds, 3), Math.Round(rotated / totalSeconds, 1), perKey.Summarize(), writtenPerKey);
    }

    /// <summary>Null when this size is to be rekeyed; otherwise why not, with the estimate behind it.</summary>
    private string? RekeySkipReason(int keys)
    {
        if (_largestRekey is not { } measured || measured.DataKeysRotated >= keys) return null;
        double estimate = measured.TotalSeconds * keys / measured.DataKeysRotated;
        return estimate <= RekeyBudget.TotalSeconds ? null
            : $"the {measured.DataKeysRotated:N0}-key rekey took {measured.TotalSeconds:F1} s, so {keys:N0} keys would take about {estimate:F0} s (scaled linearly), over the {RekeyBudget.TotalSeconds:F0} s budget";
    }

    /// <summary>RekeyVault of a fresh copy, timed once: a rekey is a one-off operation, and a second one would not see the same vault.</summary>
    private RekeyTiming TimeRekey(PopulatedVault vault)
    {
        var copy = vaults.WorkingCopy(vault, $"rekey-{vault.Keys}");
        var engine = VaultEngine.Open(copy);
        engine.Unlock(BenchData.Password);
        try
        {
            var batches = new Samples(vault.Keys / RekeyBatchSize + 1);
            long? writtenAtStart = ProcessIo.BytesWritten(), writtenAtMetadata = null;
            long start = Stopwatch.GetTimestamp(), lastReport = start;
            long? metadataStarted = null;
            var result = engine.RekeyVault(progress =>
            {
                long now = Stopwatch.GetTimestamp();
                if (progress.Activity.StartsWith(MetadataActivityPrefix, StringComparison.Ordinal))
                {
                    metadataStarted = now;
                    writtenAtMetadata = ProcessIo.BytesWritten();
                }
                else
                {
                    batches.Add(now - lastReport);
                    lastReport = now;
                }
            }, RekeyBatchSize);
            long end = Stopwatch.GetTimestamp();
            long? writtenAtEnd = ProcessIo.BytesWritten();
            if (result.DataKeysRotated != vault.Keys || result.Resumed)
                throw new InvalidOperationException($"RekeyVault rotated {result.DataKeysRotated} data keys (resumed: {result.Resumed}), expected {vault.Keys} in a fresh run.");
            if (metadataStarted is not { } metadataStart)
                throw new InvalidOperationException($"RekeyVault gave no progress report starting '{MetadataActivityPrefix}'; the harness cannot separate its phases.");
            double dataSeconds = Stopwatch.GetElapsedTime(start, metadataStart).TotalSeconds;
            return new RekeyTiming(RekeyBatchSize, result.DataKeysRotated, result.MetadataRecords,
                Math.Round(Stopwatch.GetElapsedTime(start, end).TotalSeconds, 3), Math.Round(dataSeconds, 3),
                Math.Round(result.DataKeysRotated / dataSeconds, 1), Math.Round(Stopwatch.GetElapsedTime(metadataStart, end).TotalSeconds, 3),
                batches.Summarize(), (writtenAtMetadata - writtenAtStart) / result.DataKeysRotated, writtenAtEnd - writtenAtMetadata);
        }
        finally
        {
            engine.Lock();
            BenchPaths.TryDeleteVault(copy);
        }
    }
}
