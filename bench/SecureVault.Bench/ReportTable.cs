using System.Globalization;

namespace SecureVault.Bench;

/// <summary>Prints a run's figures as plain-text tables (the JSON file holds the same and more).</summary>
public static class ReportTable
{
    public static void Print(BenchResults results, TextWriter output)
    {
        var m = results.Machine;
        output.WriteLine();
        output.WriteLine($"Machine: {m.Cpu}, {m.Cores} cores, {m.MemoryGiB} GiB, {m.Os}, {m.Runtime}");
        output.WriteLine($"Load average at start: {results.Run.LoadAverageAtStart ?? "n/a"}, at end: {results.Run.LoadAverageAtEnd ?? "n/a"} (a busy machine inflates every figure)");
        output.WriteLine($"Per size: {results.Run.Ops} Gets and {results.Run.Ops} Sets (half new versions, half new keys), {results.Run.ValueBytes}-byte values; times in ms");
        output.WriteLine();

        var engine = new List<string[]> { new[] { "keys", "Get p50", "Get p99", "cold Get p50", "next Get p50", "grantee Get p50", "Set p50", "Set p99", "fsync p50", "new-version p50", "new-key p50", "List median", "bytes/key", "written/Set", "peak WS MiB" } };
        foreach (var s in results.Engine)
        {
            engine.Add([N(s.Keys), F(s.Get.P50Ms), F(s.Get.P99Ms), F(s.GetColdSession.P50Ms), F(s.GetWarmAfterUnlock.P50Ms), F(s.GetAsGrantee.P50Ms), F(s.Set.P50Ms), F(s.Set.P99Ms), F(s.DiskFsyncJustBeforeSets.P50Ms),
                F(s.SetNewVersion.P50Ms), F(s.SetNewKey.P50Ms), F(s.ListMedianMs, 1), F(s.FileBytesPerKey, 0), s.BytesWrittenPerSet?.ToString("N0", CultureInfo.InvariantCulture) ?? "n/a", F(s.PeakWorkingSetMiB, 0)]);
        }
        output.WriteLine("Engine (VaultEngine, durable writes: WAL + synchronous=FULL)");
        Write(engine, output);
        output.WriteLine($"References: one P-256 ECDH (import + agree) p50 {F(results.EcdhP256Reference.P50Ms)} ms; 4 KiB write + fsync p50 {F(results.Fsync4KReference.P50Ms)} ms, p99 {F(results.Fsync4KReference.P99Ms)} ms");
        output.WriteLine();

        output.WriteLine("Cmdlets (built module in a hosted runspace)");
        if (results.Cmdlets.Skipped != null)
        {
            output.WriteLine($"  skipped: {results.Cmdlets.Skipped}");
        }
        else
        {
            var cmdlets = new List<string[]> { new[] { "keys", "Get-VaultKey p50", "p99", "Set-VaultKey p50", "p99", "Get-VaultKeyInfo all", "peak WS MiB" } };
            foreach (var s in results.Cmdlets.Sizes)
                cmdlets.Add([N(s.Keys), F(s.GetVaultKey.P50Ms), F(s.GetVaultKey.P99Ms), F(s.SetVaultKey.P50Ms), F(s.SetVaultKey.P99Ms), F(s.GetVaultKeyInfoAllMedianMs, 1), F(s.PeakWorkingSetMiB, 0)]);
            Write(cmdlets, output);
            output.WriteLine($"  SecureVault.Core copies loaded: {results.Cmdlets.EngineCopiesLoaded} (1: the module shares the bench's engine and sessions)");
            output.WriteLine();
            output.WriteLine("SecretManagement path (& $module \"SecureVault.Extension\\<Command>\" @Params, SecretManagement's per-call script)");
            var extension = new List<string[]> { new[] { "keys", "Get-SecretInfo -Filter <exact name> p50", "p99", "Get-Secret -Name <name> p50", "p99" } };
            foreach (var s in results.Cmdlets.Sizes)
                extension.Add([N(s.Keys), F(s.ExtensionGetSecretInfo.P50Ms), F(s.ExtensionGetSecretInfo.P99Ms), F(s.ExtensionGetSecret.P50Ms), F(s.ExtensionGetSecret.P99Ms)]);
            Write(extension, output);
            if (results.Cmdlets.WriteVerboseStandIn == true)
                output.WriteLine("  Write-Verbose in that script: a stand-in cmdlet of the same shape (this host has no Microsoft.PowerShell.Utility)");
        }
        output.WriteLine();

        if (results.Unlock is { } u)
            output.WriteLine($"Unlock ({u.Kdf}): median {F(u.MedianMs, 0)} ms over {u.RunsMs.Length} runs (min {F(u.MinMs, 0)}, max {F(u.MaxMs, 0)}); create {F(u.CreateMs, 0)} ms");
        if (results.Audit is { } a) PrintAudit(a, results.Engine, output);
        if (results.Rotation.Count > 0) PrintRotation(results.Rotation, output);
        foreach (var r in results.Ratios)
            output.WriteLine($"Ratio {r.Figure} {N(r.ToKeys)}/{N(r.FromKeys)}: {F(r.Ratio, 2)}{(r.Target is { } t ? $" (target <= {t})" : "")}");
        output.WriteLine($"Peak working set of the whole run: {F(results.PeakWorkingSetMiB, 0)} MiB");
        output.WriteLine();

        var targets = new List<string[]> { new[] { "target", "value", "goal", "result" } };
        foreach (var c in results.Targets)
            targets.Add([c.Figure, $"{Value(c.Value)} {c.Unit}", c.Target, c.SupersededBy != null ? "SUPERSEDED" : c.Pass switch { true => "PASS", false => "FAIL", null => "-" }]);
        Write(targets, output);
        foreach (var reason in results.Targets.Select(c => c.SupersededBy).OfType<string>().Distinct())
            output.WriteLine($"  SUPERSEDED: the issue-2 target no longer applies: {reason}.");
    }

    /// <summary>The audit section: verification throughput, the signatures behind it, and what auditing costs each operation.</summary>
    private static void PrintAudit(AuditResult a, IReadOnlyList<EngineSizeResult> engine, TextWriter output)
    {
        output.WriteLine($"Audit chain verification (VerifyAudit, {N(a.Keys)}-key vault, {N(a.Records)} signed records): median {F(a.CallMedianMs, 0)} ms over {a.Runs} runs " +
            $"(min {F(a.CallMs.Min(), 0)}, max {F(a.CallMs.Max(), 0)}) = {N(a.RecordsPerSecondMedian)} records/s ({N(a.RecordsPerSecondMin)}-{N(a.RecordsPerSecondMax)}); engine's own walk median {F(a.EngineDurationMedianMs, 0)} ms");
        output.WriteLine($"  signatures checked per pass: {a.SignaturesChecked} (the newest per signing key); one core verifies {N(a.EcdsaVerifyPerSecond)} ECDSA P-256 signatures/s " +
            $"(p50 {F(a.EcdsaVerify.P50Ms)} ms), so checking every record's would take {F(a.EverySignatureSeconds, 1)} s");
        output.WriteLine($"  every audited operation signs its record: ECDSA P-256 sign p50 {F(a.EcdsaSign.P50Ms)} ms ({N(a.EcdsaSignPerSecond)}/s on one core), and commits it durably: " +
            $"Get p50 {string.Join(" / ", engine.Select(s => F(s.Get.P50Ms)))} ms, Set p50 {string.Join(" / ", engine.Select(s => F(s.Set.P50Ms)))} ms at {string.Join(" / ", engine.Select(s => N(s.Keys)))} keys");
    }

    /// <summary>The rotation section (issue 6): figures only, the issue sets no target for them.</summary>
    private static void PrintRotation(IReadOnlyList<RotationSizeResult> sizes, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"Rotation (issue 6; no target: figures only). Status: median of {sizes[0].Status.Runs} calls. Rotation run: RotateKeys '{RotationBench.RotationPattern}' " +
            $"({N(RotationBench.RotationKeys)} keys; each an audited read and an audited write). Rekey: RekeyVault on a fresh copy, batches of {RotationBench.RekeyBatchSize} keys");
        var rows = new List<string[]> { new[] { "keys", "status all ms", "status -Due ms", "due", "rotate s", "keys/s", "per key p50", "p99", "written/key", "rekey s", "data keys s", "data keys/s", "batch p50", "written/data key", "metadata tx s", "metadata records" } };
        foreach (var s in sizes)
        {
            var r = s.Rekey;
            rows.Add([N(s.Keys), F(s.Status.MedianMs, 1), F(s.StatusDueOnly.MedianMs, 1), N(s.StatusDueOnly.Returned), F(s.Rotation.TotalSeconds, 2), N(s.Rotation.KeysPerSecond),
                F(s.Rotation.PerKey.P50Ms, 3), F(s.Rotation.PerKey.P99Ms, 3), Bytes(s.Rotation.BytesWrittenPerKey),
                r is null ? "skipped" : F(r.TotalSeconds, 2), r is null ? "-" : F(r.DataKeysSeconds, 2), r is null ? "-" : N(r.DataKeysPerSecond),
                r is null ? "-" : F(r.Batch.P50Ms, 1), r is null ? "-" : Bytes(r.BytesWrittenPerDataKey), r is null ? "-" : F(r.MetadataSeconds, 3), r is null ? "-" : N(r.MetadataRecords)]);
        }
        Write(rows, output);
        foreach (var s in sizes.Where(s => s.RekeySkipped != null))
            output.WriteLine($"  rekey at {N(s.Keys)} keys skipped: {s.RekeySkipped}");
        output.WriteLine();
    }

    private static string Value(double value) => value >= 1000 ? N(value) : F(value, value >= 10 ? 1 : 4);

    private static void Write(List<string[]> rows, TextWriter output)
    {
        int columns = rows[0].Length;
        var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => r[c].Length)).ToArray();
        for (int r = 0; r < rows.Count; r++)
        {
            output.WriteLine("  " + string.Join("  ", rows[r].Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
            if (r == 0) output.WriteLine("  " + string.Join("  ", widths.Select(w => new string('-', w))));
        }
    }

    private static string Bytes(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "n/a";

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value, int digits = 4) => value.ToString("F" + digits, CultureInfo.InvariantCulture);
}
