namespace SecureVault.Bench;

/// <summary>
/// The targets of issue 2 ("Benchmarks"), checked against one run's figures: engine Get p50 at
/// most 0.1 ms and Set p50 at most 2 ms at every size, both flat (100k/1k p50 ratio at most 1.5),
/// unlock with the default KDF at most 1 s, listing 100k keys at most 1 s. And the one of issue 3
/// (SecretManagement extension): Get-SecretInfo with an exact name, the first call of every
/// Get-Secret without -Vault, flat as well (100k/1k p50 ratio at most 1.5: a lookup, not a scan).
/// And the one of issue 4 (audit trail): verifying a chain of 100,000 records at no less than
/// 50,000 records per second.
/// </summary>
/// <remarks>
/// Issue 4 made every read audited, its record committed durably before the value is returned
/// (fail closed), so an engine Get now costs a durable, signed write. The Get p50 target of 0.1 ms
/// was set before that and cannot hold any more; its check is shown with the figure measured and
/// marked superseded, not passed or failed. The flatness targets still stand.
/// </remarks>
public static class TargetEvaluator
{
    public const double GetP50Ms = 0.1;
    public const double SetP50Ms = 2.0;
    public const double MaxRatio = 1.5;
    public const double UnlockMs = 1000;
    public const double ListMs = 1000;
    public const int ListTargetKeys = 100_000;
    public const double AuditRecordsPerSecond = 50_000;
    public const long AuditTargetRecords = 100_000;

    /// <summary>Why the issue-2 Get target no longer applies.</summary>
    public const string GetTargetSuperseded = "issue 4: reads are audited, fail closed (each Get commits its signed record durably)";

    public static IReadOnlyList<TargetCheck> Targets(IReadOnlyList<EngineSizeResult> engine, UnlockResult? unlock, AuditResult? audit, IReadOnlyList<RatioResult> ratios)
    {
        var checks = new List<TargetCheck>();
        if (unlock != null)
            checks.Add(new("Unlock, default KDF (median)", unlock.MedianMs, "ms", $"<= {UnlockMs:F0} ms", unlock.MedianMs <= UnlockMs));
        foreach (var size in engine)
        {
            checks.Add(new($"Engine Get p50 @ {size.Keys:N0}", size.Get.P50Ms, "ms", $"<= {GetP50Ms} ms", null, GetTargetSuperseded));
            checks.Add(new($"Engine Set p50 @ {size.Keys:N0}", size.Set.P50Ms, "ms", $"<= {SetP50Ms} ms", size.Set.P50Ms <= SetP50Ms));
            bool listTarget = size.Keys >= ListTargetKeys;
            checks.Add(new($"ListKeys all @ {size.Keys:N0} (median)", size.ListMedianMs, "ms",
                listTarget ? $"<= {ListMs:F0} ms" : "-", listTarget ? size.ListMedianMs <= ListMs : null));
        }
        if (audit != null)
        {
            // The target is stated for a chain of 100,000 records; a smaller chain (a --quick run) is reported without a verdict.
            bool auditTarget = audit.Records >= AuditTargetRecords;
            checks.Add(new($"Audit verify @ {audit.Records:N0} records (median)", audit.RecordsPerSecondMedian, "records/s",
                auditTarget ? $">= {AuditRecordsPerSecond:N0} records/s" : "-", auditTarget ? audit.RecordsPerSecondMedian >= AuditRecordsPerSecond : null));
        }
        foreach (var ratio in ratios.Where(r => r.Target != null))
            checks.Add(new($"{ratio.Figure} ratio {ratio.ToKeys / 1000:N0}k/{ratio.FromKeys / 1000:N0}k", ratio.Ratio, "x", $"<= {ratio.Target}", ratio.Pass));
        return checks;
    }

    /// <summary>
    /// Largest-size p50 over smallest-size p50. The flatness target is stated for 100k/1k; a run
    /// with other sizes reports its ratio without a pass or fail.
    /// </summary>
    public static IReadOnlyList<RatioResult> Ratios(IReadOnlyList<EngineSizeResult> engine, IReadOnlyList<CmdletSizeResult> cmdlets)
    {
        var ratios = new List<RatioResult>();
        if (engine.Count >= 2)
        {
            var (small, large) = (engine[0], engine[^1]);
            ratios.Add(Make("Engine Get p50", small.Keys, large.Keys, small.Get.P50Ms, large.Get.P50Ms, true));
            ratios.Add(Make("Engine Set p50", small.Keys, large.Keys, small.Set.P50Ms, large.Set.P50Ms, true));
            ratios.Add(Make("Engine ListKeys median", small.Keys, large.Keys, small.ListMedianMs, large.ListMedianMs, false));
            ratios.Add(Make("File bytes per key", small.Keys, large.Keys, small.FileBytesPerKey, large.FileBytesPerKey, false));
        }
        if (cmdlets.Count >= 2)
        {
            var (small, large) = (cmdlets[0], cmdlets[^1]);
            ratios.Add(Make("Get-VaultKey p50", small.Keys, large.Keys, small.GetVaultKey.P50Ms, large.GetVaultKey.P50Ms, false));
            ratios.Add(Make("Set-VaultKey p50", small.Keys, large.Keys, small.SetVaultKey.P50Ms, large.SetVaultKey.P50Ms, false));
            ratios.Add(Make("Extension Get-SecretInfo exact-name p50", small.Keys, large.Keys, small.ExtensionGetSecretInfo.P50Ms, large.ExtensionGetSecretInfo.P50Ms, true));
            ratios.Add(Make("Extension Get-Secret p50", small.Keys, large.Keys, small.ExtensionGetSecret.P50Ms, large.ExtensionGetSecret.P50Ms, false));
        }
        return ratios;
    }

    /// <summary>One ratio; it carries the flatness target only when it has one and the sizes are the official 1k and 100k.</summary>
    private static RatioResult Make(string figure, int fromKeys, int toKeys, double from, double to, bool hasTarget)
    {
        double ratio = Math.Round(to / from, 2);
        bool targeted = hasTarget && fromKeys == 1_000 && toKeys == 100_000;
        return new(figure, fromKeys, toKeys, ratio, targeted ? MaxRatio : null, targeted ? ratio <= MaxRatio : null);
    }
}
