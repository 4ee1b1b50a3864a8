namespace SecureVault.Bench;

/// <summary>
/// The targets of issue 2 ("Benchmarks"), checked against one run's figures: engine Get p50 at
/// most 0.1 ms and Set p50 at most 2 ms at every size, both flat (100k/1k p50 ratio at most 1.5),
/// unlock with the default KDF at most 1 s, listing 100k keys at most 1 s.
/// </summary>
public static class TargetEvaluator
{
    public const double GetP50Ms = 0.1;
    public const double SetP50Ms = 2.0;
    public const double MaxRatio = 1.5;
    public const double UnlockMs = 1000;
    public const double ListMs = 1000;
    public const int ListTargetKeys = 100_000;

    public static IReadOnlyList<TargetCheck> Targets(IReadOnlyList<EngineSizeResult> engine, UnlockResult? unlock, IReadOnlyList<RatioResult> ratios)
    {
        var checks = new List<TargetCheck>();
        if (unlock != null)
            checks.Add(new("Unlock, default KDF (median)", unlock.MedianMs, "ms", $"<= {UnlockMs:F0} ms", unlock.MedianMs <= UnlockMs));
        foreach (var size in engine)
        {
            checks.Add(new($"Engine Get p50 @ {size.Keys:N0}", size.Get.P50Ms, "ms", $"<= {GetP50Ms} ms", size.Get.P50Ms <= GetP50Ms));
            checks.Add(new($"Engine Set p50 @ {size.Keys:N0}", size.Set.P50Ms, "ms", $"<= {SetP50Ms} ms", size.Set.P50Ms <= SetP50Ms));
            bool listTarget = size.Keys >= ListTargetKeys;
            checks.Add(new($"ListKeys all @ {size.Keys:N0} (median)", size.ListMedianMs, "ms",
                listTarget ? $"<= {ListMs:F0} ms" : "-", listTarget ? size.ListMedianMs <= ListMs : null));
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
            bool official = small.Keys == 1_000 && large.Keys == 100_000;
            RatioResult Make(string figure, double from, double to, bool hasTarget)
            {
                double ratio = Math.Round(to / from, 2);
                bool targeted = hasTarget && official;
                return new(figure, small.Keys, large.Keys, ratio, targeted ? MaxRatio : null, targeted ? ratio <= MaxRatio : null);
            }
            ratios.Add(Make("Engine Get p50", small.Get.P50Ms, large.Get.P50Ms, true));
            ratios.Add(Make("Engine Set p50", small.Set.P50Ms, large.Set.P50Ms, true));
            ratios.Add(Make("Engine ListKeys median", small.ListMedianMs, large.ListMedianMs, false));
            ratios.Add(Make("File bytes per key", small.FileBytesPerKey, large.FileBytesPerKey, false));
        }
        if (cmdlets.Count >= 2)
        {
            var (small, large) = (cmdlets[0], cmdlets[^1]);
            ratios.Add(new("Get-VaultKey p50", small.Keys, large.Keys, Math.Round(large.GetVaultKey.P50Ms / small.GetVaultKey.P50Ms, 2), null, null));
            ratios.Add(new("Set-VaultKey p50", small.Keys, large.Keys, Math.Round(large.SetVaultKey.P50Ms / small.SetVaultKey.P50Ms, 2), null, null));
        }
        return ratios;
    }
}
