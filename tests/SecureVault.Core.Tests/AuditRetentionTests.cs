using SecureVault.Audit;

namespace SecureVault.Tests;

/// <summary>
/// Retention: the audit policy, and pruning the oldest records behind a signed prune record so
/// that the rest of the chain still verifies. A manual clock stands in for the months between.
/// </summary>
public sealed class AuditRetentionTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly TestVault _vault;
    private readonly DateTime _start;

    public AuditRetentionTests()
    {
        // The session must outlive the hours the clock is moved on.
        _vault = new TestVault(_clock, idleTimeout: TimeSpan.FromDays(7));
        _start = _clock.UtcNow.UtcDateTime;
    }

    public void Dispose() => _vault.Dispose();

    private VaultEngine Engine => _vault.Engine;

    private long Head => Engine.GetStatus().AuditHead!.Value;

    private static void AssertValid(AuditVerification result, long firstSeq)
    {
        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(firstSeq, result.FirstSeq);
        Assert.Equal(result.HeadSeq - firstSeq + 1, result.RecordCount);
    }

    /// <summary>The stored prune record at <paramref name="seq"/>, read through a second connection to the live file.</summary>
    private AuditEntry StoredEntry(long seq)
    {
        using var file = new RawVaultFile(_vault.Path);
        return RawAuditLog.Entry(file, seq);
    }

    private byte[] LinkAfter(long seq)
    {
        using var file = new RawVaultFile(_vault.Path);
        return RawAuditLog.LinkBefore(file, seq + 1);
    }

    #region Policy

    [Fact]
    public void The_default_policy_keeps_a_year_without_forwarding_and_reads_while_locked()
    {
        Engine.Lock();

        var policy = Engine.GetAuditPolicy();

        Assert.Equal((365, AlertForwarding.None, _vault.Path), (policy.RetentionDays, policy.AlertForwarding, policy.Vault));
    }

    [Fact]
    public void Setting_the_policy_changes_only_what_is_given_and_is_kept_in_the_vault()
    {
        var first = Engine.SetAuditPolicy(retentionDays: 30);
        var second = Engine.SetAuditPolicy(forwarding: AlertForwarding.None);
        var reopened = _vault.Reopen().GetAuditPolicy();

        Assert.Equal((30, AlertForwarding.None), (first.RetentionDays, first.AlertForwarding));
        Assert.Equal(30, second.RetentionDays);
        Assert.Equal(30, reopened.RetentionDays);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(AuditPolicy.MaxRetentionDays + 1)]
    public void A_retention_out_of_range_is_refused_before_anything_is_recorded(int days)
    {
        long head = Head;

        var e = Assert.Throws<VaultInvalidInputException>(() => Engine.SetAuditPolicy(retentionDays: days));

        Assert.Equal("InvalidInput", e.ErrorId);
        Assert.Equal(head, Head);
        Assert.Equal(365, Engine.GetAuditPolicy().RetentionDays);
    }

    #endregion

    #region Pruning

    [Fact]
    public void A_date_younger_than_the_retention_period_is_refused_and_the_refusal_recorded()
    {
        Engine.SetAuditPolicy(retentionDays: 30);
        long records = Engine.GetStatus().AuditRecords;

        var tooRecent = Assert.Throws<VaultInvalidInputException>(() => Engine.PruneAudit(_start.AddDays(-29)));
        var allowed = Engine.PruneAudit(_start.AddDays(-30));

        Assert.Equal("InvalidInput", tooRecent.ErrorId);
        Assert.Contains("30 days", tooRecent.Message, StringComparison.Ordinal);
        Assert.Equal((0L, (long?)null), (allowed.Removed, allowed.Through));
        Assert.Equal(records + 2, Engine.GetStatus().AuditRecords);   // nothing removed, two prune records added
        var prunes = Engine.GetAuditLog(new AuditFilter { Action = "prune" });
        Assert.Equal(new[] { ("error", "InvalidInput"), ("success", (string?)null) }, prunes.Select(p => (p.Outcome, p.Reason)));
    }

    [Fact]
    public void With_the_default_policy_nothing_recent_can_be_pruned()
    {
        Assert.Throws<VaultInvalidInputException>(() => Engine.PruneAudit(_start));

        var result = Engine.PruneAudit();

        Assert.Equal(0, result.Removed);
        Assert.Equal(Head, result.PruneRecordSeq);
        AssertValid(Engine.VerifyAudit(), 1);
    }

    [Fact]
    public void Pruning_removes_the_records_before_the_date_behind_a_signed_prune_record_and_the_rest_still_verifies()
    {
        Secrets.WriteText(Engine, "alpha", "a");
        Secrets.ReadText(Engine, "alpha");
        Engine.SetAuditPolicy(retentionDays: 0);
        var oldAnchor = Engine.ExportAuditHead();
        long lastOld = Head;
        var linkAfterLastOld = LinkAfter(lastOld);
        _clock.Advance(TimeSpan.FromHours(1));
        Secrets.WriteText(Engine, "beta", "b");
        Secrets.ReadText(Engine, "beta");

        var result = Engine.PruneAudit(_start.AddMinutes(30));

        Assert.Equal((lastOld, (long?)lastOld, lastOld + 3), (result.Removed, result.Through, result.PruneRecordSeq));
        Assert.Equal(_vault.Path, result.Vault);
        var prune = StoredEntry(result.PruneRecordSeq);
        Assert.Equal(("prune", "success", (long?)lastOld, (long?)lastOld), (prune.Action, prune.Outcome, prune.Through, prune.Count));
        Assert.Equal(Convert.ToHexString(linkAfterLastOld).ToLowerInvariant(), prune.ThroughHash);
        Assert.Equal(lastOld + 1, Engine.GetAuditLog().First().Seq);
        AssertValid(Engine.VerifyAudit(), lastOld + 1);
        // An anchor from before the pruned range can no longer be checked; that is not a failure.
        var anchored = Engine.VerifyAudit(oldAnchor);
        AssertValid(anchored, lastOld + 1);
        Assert.False(anchored.AnchorChecked);
    }

    [Fact]
    public void A_second_prune_later_still_verifies()
    {
        Secrets.WriteText(Engine, "alpha", "a");
        Engine.SetAuditPolicy(retentionDays: 0);
        _clock.Advance(TimeSpan.FromHours(1));
        var first = Engine.PruneAudit(_start.AddMinutes(30));
        Secrets.ReadText(Engine, "alpha");
        var anchor = Engine.ExportAuditHead();
        long beforeSecond = Head;
        _clock.Advance(TimeSpan.FromHours(1));
        Secrets.WriteText(Engine, "beta", "b");

        // Removes the first prune record too: the newest one vouches for the whole removed range.
        var second = Engine.PruneAudit(_start.AddMinutes(90));

        Assert.Equal(beforeSecond, second.Through);
        Assert.Equal(beforeSecond - first.Through!.Value, second.Removed);
        AssertValid(Engine.VerifyAudit(), beforeSecond + 1);
        _vault.Reopen();
        Assert.Empty(Engine.Unlock(TestVault.Password).Warnings);
        var anchored = Engine.VerifyAudit(anchor);
        AssertValid(anchored, beforeSecond + 1);
        Assert.False(anchored.AnchorChecked);
    }

    [Fact]
    public void Pruning_every_record_leaves_a_chain_that_continues_from_the_base()
    {
        Secrets.WriteText(Engine, "alpha", "a");
        Engine.SetAuditPolicy(retentionDays: 0);
        long last = Head;
        _clock.Advance(TimeSpan.FromMinutes(1));

        var result = Engine.PruneAudit(_clock.UtcNow.UtcDateTime);
        var alone = Engine.VerifyAudit();
        Secrets.ReadText(Engine, "alpha");
        Engine.Lock();
        Engine.Unlock(TestVault.Password);

        Assert.Equal((last, (long?)last), (result.Removed, result.Through));
        AssertValid(alone, last + 1);
        Assert.Equal(1, alone.RecordCount);
        AssertValid(Engine.VerifyAudit(), last + 1);
    }

    [Fact]
    public void Records_removed_after_a_prune_without_a_new_prune_record_are_a_gap_after_the_pruned_range()
    {
        Secrets.WriteText(Engine, "alpha", "a");
        Engine.SetAuditPolicy(retentionDays: 0);
        _clock.Advance(TimeSpan.FromHours(1));
        Secrets.ReadText(Engine, "alpha");
        Secrets.ReadText(Engine, "alpha");
        var pruned = Engine.PruneAudit(_start.AddMinutes(30));
        long firstKept = pruned.Through!.Value + 1;

        // The two reads between the pruned range and the prune record go, and the base is moved
        // past them with the right link; the prune record still names the older base.
        var engine = _vault.Modify(f =>
        {
            var link = RawAuditLog.LinkBefore(f, pruned.PruneRecordSeq);
            Assert.Equal(2, RawAuditLog.Delete(f, firstKept, pruned.PruneRecordSeq - 1));
            Assert.Equal(1, f.Execute("UPDATE audit_base SET seq = $a0, link = $a1", pruned.PruneRecordSeq - 1, link));
        });
        engine.Unlock(TestVault.Password);
        var result = engine.VerifyAudit();

        Assert.False(result.IsValid);
        Assert.Equal(((long?)firstKept, AuditFailure.Gap), (result.FirstBadSeq, result.Reason));
    }

    #endregion
}
