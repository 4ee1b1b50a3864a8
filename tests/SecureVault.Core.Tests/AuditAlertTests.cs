namespace SecureVault.Tests;

/// <summary>
/// Security alerts derived from the audit log: repeated failed authentications within the window,
/// failed verifications, integrity failures; and GetAlerts filtering by time. A manual clock sets
/// the time of every record.
/// </summary>
public sealed class AuditAlertTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly TestVault _vault;
    private readonly DateTime _start;

    public AuditAlertTests()
    {
        _vault = new TestVault(_clock, idleTimeout: TimeSpan.FromDays(7));
        _start = _clock.UtcNow.UtcDateTime;
    }

    public void Dispose() => _vault.Dispose();

    private VaultEngine Engine => _vault.Engine;

    /// <summary>Fails to unlock once at each of these minutes after the start; returns the seq of each failure record.</summary>
    private List<long> FailUnlocksAt(string? principal, params int[] minutes)
    {
        var seqs = new List<long>();
        foreach (int minute in minutes)
        {
            _clock.Advance(_start.AddMinutes(minute) - _clock.UtcNow.UtcDateTime);
            Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(TestVault.WrongPassword, principal));
            seqs.Add(Engine.GetStatus().AuditHead!.Value);
        }
        return seqs;
    }

    [Fact]
    public void Three_failed_unlocks_within_15_minutes_raise_one_alert_for_the_burst()
    {
        Engine.Lock();
        var failures = FailUnlocksAt("owner", 0, 5, 10, 14);
        Engine.Unlock(TestVault.Password);

        var alert = Assert.Single(Engine.GetAlerts(_start));

        Assert.Equal((AlertKinds.RepeatedFailedUnlock, AlertSeverity.Warning, failures[2], 3), (alert.Kind, alert.Severity, alert.Seq, alert.Count));
        Assert.Equal(("owner", "unlock", (Guid?)null), (alert.Principal, alert.Action, alert.TargetId));
        Assert.Equal(_start.AddMinutes(10), alert.Time);
        Assert.Equal(_vault.Path, alert.Vault);
        Assert.Contains("3 failed authentications within 15 minutes", alert.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Three_failed_unlocks_spread_over_20_minutes_raise_none()
    {
        Engine.Lock();
        FailUnlocksAt("owner", 0, 10, 20);
        Engine.Unlock(TestVault.Password);
        Secrets.WriteText(Engine, "alpha", "a");
        Secrets.ReadText(Engine, "alpha");

        Assert.Empty(Engine.GetAlerts(_start.AddHours(-1)));
    }

    [Fact]
    public void Failed_unlocks_of_an_unknown_name_count_together_and_name_no_principal()
    {
        FailUnlocksAt("nobody", 0, 1);
        FailUnlocksAt("someone-else", 2);

        var alert = Assert.Single(Engine.GetAlerts(_start));

        Assert.Equal((AlertKinds.RepeatedFailedUnlock, (string?)null, 3), (alert.Kind, alert.Principal, alert.Count));
    }

    [Fact]
    public void Failed_password_changes_count_as_failed_authentications()
    {
        for (int i = 0; i < 3; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Throws<VaultAuthenticationException>(() => Engine.ChangePassword(TestVault.WrongPassword, "a new passphrase for the owner"u8));
        }

        var alert = Assert.Single(Engine.GetAlerts(_start));

        Assert.Equal((AlertKinds.RepeatedFailedUnlock, "password", "owner"), (alert.Kind, alert.Action, alert.Principal));
    }

    [Fact]
    public void A_failed_verification_raises_a_critical_alert()
    {
        var engine = _vault.Modify(f => RawAuditLog.Rewrite(f, 1, e => e with { Pid = e.Pid + 1 }));
        engine.Unlock(TestVault.Password);

        Assert.False(engine.VerifyAudit().IsValid);
        long verifySeq = engine.GetStatus().AuditHead!.Value;
        var alert = Assert.Single(engine.GetAlerts(_start));

        Assert.Equal((AlertKinds.AuditVerificationFailed, AlertSeverity.Critical, verifySeq, "verify"), (alert.Kind, alert.Severity, alert.Seq, alert.Action));
        Assert.Contains("HashMismatch", alert.Message, StringComparison.Ordinal);
        Assert.Contains("first bad record 1", alert.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_integrity_failure_on_a_read_raises_a_critical_alert_naming_the_key_by_id()
    {
        var id = Secrets.WriteText(Engine, "damaged", "value").Id;
        var engine = _vault.Modify(f => f.FlipByte("secret_versions", "cipher", "secret_id = $a0", id.ToByteArray()));
        engine.Unlock(TestVault.Password);

        Assert.Throws<VaultIntegrityException>(() => engine.GetKey("damaged"));
        long readSeq = engine.GetStatus().AuditHead!.Value;
        var alert = Assert.Single(engine.GetAlerts(_start));

        Assert.Equal((AlertKinds.IntegrityViolation, AlertSeverity.Critical, readSeq), (alert.Kind, alert.Severity, alert.Seq));
        Assert.Equal(("get", (Guid?)id, "owner"), (alert.Action, alert.TargetId, alert.Principal));
        Assert.DoesNotContain("damaged", alert.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Alerts_are_filtered_by_time_counting_a_burst_that_began_before_since_whole()
    {
        var first = FailUnlocksAt("owner", 0, 1, 2)[2];
        Engine.Unlock(TestVault.Password, idleTimeout: TimeSpan.FromDays(7)); // a success ends the run of failures before it reaches a lockout
        var second = FailUnlocksAt("owner", 180, 181, 182)[2];

        var all = Engine.GetAlerts(_start);
        var later = Engine.GetAlerts(_start.AddHours(1));
        var fromMidBurst = Engine.GetAlerts(_start.AddMinutes(1.5));
        var lastDay = Engine.GetAlerts();
        _clock.Advance(TimeSpan.FromHours(25));
        var lastDayLater = Engine.GetAlerts();

        Assert.Equal(new[] { first, second }, all.Select(a => a.Seq));
        Assert.Equal(new[] { second }, later.Select(a => a.Seq));
        Assert.Equal(3, fromMidBurst[0].Count);
        Assert.Equal(new[] { first, second }, fromMidBurst.Select(a => a.Seq));
        Assert.Equal(new[] { first, second }, lastDay.Select(a => a.Seq));
        Assert.Empty(lastDayLater);
    }
}
