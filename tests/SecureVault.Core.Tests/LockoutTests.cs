using SecureVault.Identity;
using SecureVault.Storage;

namespace SecureVault.Tests;

/// <summary>
/// Failed authentication locks a principal out: 5 failures in a row lock it for 15 minutes,
/// doubling with each further lockout; the count lives in the store, so every process sees it.
/// </summary>
public sealed class LockoutTests : IDisposable
{
    private readonly ManualClock _clock = new(); // 2025-01-01 12:00 UTC
    private readonly TestVault _vault;

    public LockoutTests()
    {
        _vault = new TestVault(_clock);
        _vault.Release();
    }

    public void Dispose() => _vault.Dispose();

    private VaultEngine Engine => _vault.Engine;

    private void Fail(VaultEngine engine, int times)
    {
        for (int i = 0; i < times; i++) Assert.Throws<VaultAuthenticationException>(() => engine.Unlock(TestVault.WrongPassword));
    }

    [Fact]
    public void Five_failures_lock_the_principal_out_for_15_minutes_even_with_the_right_password()
    {
        var engine = _vault.Reopen();
        Fail(engine, LockoutPolicy.MaxFailures);

        var refused = Assert.Throws<VaultPrincipalLockedOutException>(() => engine.Unlock(TestVault.Password));
        Assert.Equal("PrincipalLockedOut", refused.ErrorId);
        Assert.Contains("2025-01-01 12:15:00Z", refused.Message);
        Assert.False(engine.IsUnlocked);

        _clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Throws<VaultPrincipalLockedOutException>(() => engine.Unlock(TestVault.Password));
        _clock.Advance(TimeSpan.FromMinutes(1));
        engine.Unlock(TestVault.Password);
        Assert.True(engine.IsUnlocked);
    }

    [Fact]
    public void A_second_lockout_lasts_twice_as_long_and_a_success_starts_over()
    {
        var engine = _vault.Reopen();
        Fail(engine, LockoutPolicy.MaxFailures);
        _clock.Advance(TimeSpan.FromMinutes(15));
        Fail(engine, LockoutPolicy.MaxFailures);
        _clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Throws<VaultPrincipalLockedOutException>(() => engine.Unlock(TestVault.Password));
        _clock.Advance(TimeSpan.FromMinutes(1));
        engine.Unlock(TestVault.Password);
        engine.Lock();

        // The success cleared the run: four failures do not lock, and the next lockout is short again.
        Fail(engine, LockoutPolicy.MaxFailures - 1);
        engine.Unlock(TestVault.Password);
        engine.Lock();
        Fail(engine, LockoutPolicy.MaxFailures);
        _clock.Advance(TimeSpan.FromMinutes(15));
        engine.Unlock(TestVault.Password);
    }

    [Fact]
    public void Failures_counted_through_one_store_lock_out_another_as_in_another_process()
    {
        var first = _vault.Reopen();
        Fail(first, 3);
        // A second store over the same file has its own connections, as another process would.
        using var store = new SqliteVaultStore(_vault.Path);
        var second = new VaultEngine(store, _clock);
        Fail(second, 2);

        Assert.Throws<VaultPrincipalLockedOutException>(() => first.Unlock(TestVault.Password));
        Assert.Throws<VaultPrincipalLockedOutException>(() => second.Unlock(TestVault.Password));
    }

    [Fact]
    public void Wrong_current_passwords_of_a_password_change_count_too()
    {
        var engine = _vault.Reopen();
        for (int i = 0; i < LockoutPolicy.MaxFailures; i++)
            Assert.Throws<VaultAuthenticationException>(() => engine.ChangePassword(TestVault.WrongPassword, "another good password"u8));
        Assert.Throws<VaultPrincipalLockedOutException>(() => engine.ChangePassword(TestVault.Password, "another good password"u8));
        Assert.Throws<VaultPrincipalLockedOutException>(() => engine.Unlock(TestVault.Password));
    }

    [Fact]
    public void Every_attempt_is_audited_and_the_lockout_raises_an_alert()
    {
        var engine = _vault.Reopen();
        Fail(engine, LockoutPolicy.MaxFailures);
        Assert.Throws<VaultPrincipalLockedOutException>(() => engine.Unlock(TestVault.Password));
        _clock.Advance(TimeSpan.FromMinutes(15));
        engine.Unlock(TestVault.Password);

        var unlocks = engine.GetAuditLog(new AuditFilter { Action = "unlock" }).TakeLast(7).ToList();
        Assert.Equal(["AuthenticationFailed", "AuthenticationFailed", "AuthenticationFailed", "AuthenticationFailed", "AuthenticationFailed", "PrincipalLockedOut", null],
            unlocks.Select(r => r.Reason));
        Assert.Equal("locked out until 2025-01-01T12:15:00.000Z", unlocks[4].Detail);
        Assert.Equal("owner", unlocks[5].Principal);
        Assert.Contains(engine.GetAlerts(new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc)), a => a.Kind == AlertKinds.Lockout && a.Seq == unlocks[5].Seq);
    }

    [Fact]
    public void An_unknown_name_is_locked_out_like_a_real_one_so_the_lockout_does_not_tell_which_names_exist()
    {
        var engine = _vault.Reopen();
        for (int i = 0; i < LockoutPolicy.MaxFailures; i++)
            Assert.Throws<VaultAuthenticationException>(() => engine.Unlock(TestVault.Password, "nobody"));

        var refused = Assert.Throws<VaultPrincipalLockedOutException>(() => engine.Unlock(TestVault.Password, "NOBODY"));
        Assert.Contains("2025-01-01 12:15:00Z", refused.Message);
        // Guessing other names does not lock the real principal out.
        engine.Unlock(TestVault.Password, "owner");
    }
}
