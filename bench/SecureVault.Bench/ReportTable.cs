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

        var engine = new List<string[]> { new[] { "keys", "Get p50", "Get p99", "cold Get p50", "next Get p50", "Set p50", "Set p99", "fsync p50", "new-version p50", "new-key p50", "List median", "bytes/key", "written/Set", "peak WS MiB" } };
        foreach (var s in results.Engine)
        {
            engine.Add([N(s.Keys), F(s.Get.P50Ms), F(s.Get.P99Ms), F(s.GetColdSession.P50Ms), F(s.GetWarmAfterUnlock.P50Ms), F(s.Set.P50Ms), F(s.Set.P99Ms), F(s.DiskFsyncJustBeforeSets.P50Ms),
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
        foreach (var r in results.Ratios)
            output.WriteLine($"Ratio {r.Figure} {N(r.ToKeys)}/{N(r.FromKeys)}: {F(r.Ratio, 2)}{(r.Target is { } t ? $" (target <= {t})" : "")}");
        output.WriteLine($"Peak working set of the whole run: {F(results.PeakWorkingSetMiB, 0)} MiB");
        output.WriteLine();

        var targets = new List<string[]> { new[] { "target", "value", "goal", "result" } };
        foreach (var c in results.Targets)
            targets.Add([c.Figure, $"{F(c.Value, c.Value >= 10 ? 1 : 4)} {c.Unit}", c.Target, c.Pass switch { true => "PASS", false => "FAIL", null => "-" }]);
        Write(targets, output);
    }

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

    private static string N(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value, int digits = 4) => value.ToString("F" + digits, CultureInfo.InvariantCulture);
}
