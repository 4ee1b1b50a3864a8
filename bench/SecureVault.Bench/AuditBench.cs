using System.Diagnostics;

namespace SecureVault.Bench;

/// <summary>
/// The audit figures of one run (issue 4): how fast <see cref="VaultEngine.VerifyAudit"/> checks a
/// chain of genuinely signed records, and the ECDSA P-256 costs that explain its design and the
/// price every audited operation now pays for its record.
/// </summary>
/// <param name="Keys">The populated vault whose chain was verified (its size in keys).</param>
/// <param name="Records">Records in the chain (one per durable operation that built the vault, plus the verifications of this run).</param>
/// <param name="Runs">Timed verifications (one untimed one ran first).</param>
/// <param name="CallMs">Each verification as the caller sees it: the whole VerifyAudit call, including the record of the verification itself.</param>
/// <param name="CallMedianMs">Median of <paramref name="CallMs"/>.</param>
/// <param name="RecordsPerSecondMedian">Records over the median call time: the figure the target is about.</param>
/// <param name="RecordsPerSecondMin">Records over the slowest call.</param>
/// <param name="RecordsPerSecondMax">Records over the fastest call.</param>
/// <param name="EngineDurationMedianMs">Median of the engine's own AuditVerification.Duration (the walk alone, without the session gate and the verification's record).</param>
/// <param name="SignaturesChecked">ECDSA signatures the verifier checked in one pass (the newest per signing key).</param>
/// <param name="UnsignedTail">Failed-authentication records after the last signed one (0 for the bench vaults).</param>
/// <param name="EcdsaVerify">One ECDSA P-256 VerifyHash (32-byte hash, IEEE P1363 signature), as the verifier calls it.</param>
/// <param name="EcdsaVerifyPerSecond">One core's verification rate: 1000 / mean ms.</param>
/// <param name="EcdsaSign">One ECDSA P-256 SignHash of a 32-byte hash, as every audited operation calls it.</param>
/// <param name="EcdsaSignPerSecond">One core's signing rate: 1000 / mean ms.</param>
/// <param name="EverySignatureSeconds">What checking every record's signature would cost on one core: records / verify rate.</param>
public sealed record AuditResult(
    int Keys,
    long Records,
    int Runs,
    double[] CallMs,
    double CallMedianMs,
    double RecordsPerSecondMedian,
    double RecordsPerSecondMin,
    double RecordsPerSecondMax,
    double EngineDurationMedianMs,
    long SignaturesChecked,
    long UnsignedTail,
    LatencySummary EcdsaVerify,
    double EcdsaVerifyPerSecond,
    LatencySummary EcdsaSign,
    double EcdsaSignPerSecond,
    double EverySignatureSeconds);

/// <summary>
/// Verifies the audit chain of a populated vault several times. The populated vaults need no
/// separate build: each was written one durable SetKey at a time, and every SetKey leaves one
/// signed record, so the 100,000-key vault holds a chain of about 100,000 genuinely signed
/// records (plus the create, unlock and lock records of its population). The bench works on a
/// fresh copy of the cached vault, so the chain is exactly what population left, not grown by the
/// engine measurements (whose warm-ups alone add thousands of records).
/// </summary>
public sealed class AuditBench(BenchOptions options, TextWriter log)
{
    /// <summary>Signatures timed for each ECDSA reference (after 200 untimed ones).</summary>
    private const int EcdsaRuns = 2000;

    public AuditResult Run(PopulatedVault vault, string workingPath)
    {
        var engine = VaultEngine.Open(workingPath);
        engine.Unlock(BenchData.Password);
        try
        {
            // One untimed pass: JIT of the verifier and the parser, and the file's pages into the OS cache.
            Check(engine.VerifyAudit());

            var calls = new Samples(options.AuditRuns);
            var durations = new Samples(options.AuditRuns);
            AuditVerification? last = null;
            for (int i = 0; i < options.AuditRuns; i++)
            {
                long start = Stopwatch.GetTimestamp();
                var result = engine.VerifyAudit();
                calls.Add(Stopwatch.GetTimestamp() - start);
                durations.Add((long)(result.Duration.TotalSeconds * Stopwatch.Frequency));
                last = Check(result);
            }
            // The chain grows by one record per verification (its own record); the difference is below 0.01 %.
            long records = last!.RecordCount;
            log.WriteLine($"    VerifyAudit of {records:N0} records: median {calls.MedianMs:F0} ms ({records / (calls.MedianMs / 1000):N0} records/s), " +
                $"min {calls.MinMs:F0}, max {calls.MaxMs:F0}; {last.SignaturesChecked} signature(s) checked");

            var (verify, sign) = CryptoReference.EcdsaP256(EcdsaRuns);
            double verifyPerSecond = 1000 / verify.MeanMs, signPerSecond = 1000 / sign.MeanMs;
            log.WriteLine($"    ECDSA P-256 on one core: verify p50 {verify.P50Ms:F4} ms ({verifyPerSecond:N0}/s), sign p50 {sign.P50Ms:F4} ms ({signPerSecond:N0}/s)");

            return new AuditResult(
                vault.Keys, records, options.AuditRuns,
                calls.AllMs().Select(ms => Math.Round(ms, 1)).ToArray(), Math.Round(calls.MedianMs, 1),
                Math.Round(records / (calls.MedianMs / 1000)), Math.Round(records / (calls.MaxMs / 1000)), Math.Round(records / (calls.MinMs / 1000)),
                Math.Round(durations.MedianMs, 1), last.SignaturesChecked, last.UnsignedTail,
                verify, Math.Round(verifyPerSecond), sign, Math.Round(signPerSecond),
                Math.Round(records / verifyPerSecond, 1));
        }
        finally
        {
            engine.Lock();
        }
    }

    /// <summary>A populated vault's chain is intact; anything else means the figures would describe a failure path.</summary>
    private static AuditVerification Check(AuditVerification result) => result.IsValid
        ? result
        : throw new InvalidOperationException(
            $"The audit chain of the bench vault does not verify: record {result.FirstBadSeq}, {result.Reason} ({result.Detail}). Rebuild the populated vaults with --rebuild.");
}
