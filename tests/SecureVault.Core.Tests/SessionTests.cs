using SecureVault.Sessions;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>The process-wide session: idle timeout (on an injected clock), explicit lock, status while locked.</summary>
public sealed class SessionTests : IDisposable
{
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);
    private readonly ManualClock _clock = new();
    private readonly TestVault _vault;

    public SessionTests()
    {
        _vault = new TestVault(_clock, idleTimeout: FiveMinutes);
        using var value = SecretText.FromString("session value");
        _vault.Engine.SetKey("k", value);
    }

    public void Dispose() => _vault.Dispose();

    private VaultEngine Engine => _vault.Engine;

    [Fact]
    public void After_the_idle_timeout_reads_fail_as_locked_and_the_session_is_gone()
    {
        var session = SessionRegistry.Find(_vault.Path);
        Assert.NotNull(session);
        _clock.Advance(FiveMinutes);

        var e = Assert.Throws<VaultLockedException>(() => Engine.GetKey("k"));
        Assert.Equal("VaultLocked", e.ErrorId);
        Assert.False(Engine.IsUnlocked);
        Assert.Null(SessionRegistry.Find(_vault.Path));
        // The expired session's keys were zeroized and released, not only forgotten.
        Assert.Throws<ObjectDisposedException>(() => { _ = session.Keys.MetadataKey.Length; });
        Assert.True(Engine.GetStatus().IsLocked);
    }

    [Fact]
    public void Just_before_the_timeout_the_vault_is_still_unlocked()
    {
        _clock.Advance(FiveMinutes - TimeSpan.FromSeconds(1));
        Assert.True(Engine.IsUnlocked);
        Assert.Equal(TimeSpan.FromSeconds(1), Engine.GetStatus().TimeLeft);
        Assert.Equal("session value", Secrets.ReadText(Engine, "k"));
    }

    [Fact]
    public void Every_use_restarts_the_idle_timer()
    {
        for (int i = 0; i < 4; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(4));
            Assert.Equal("session value", Secrets.ReadText(Engine, "k"));
        }
        Assert.Equal(FiveMinutes, Engine.GetStatus().TimeLeft);
        _clock.Advance(FiveMinutes);
        Assert.Throws<VaultLockedException>(() => Engine.ListKeys());
    }

    [Fact]
    public void Reading_the_status_does_not_keep_the_session_alive()
    {
        _clock.Advance(TimeSpan.FromMinutes(4));
        Assert.False(Engine.GetStatus().IsLocked);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(Engine.GetStatus().IsLocked);
    }

    [Fact]
    public void The_default_idle_timeout_is_900_seconds()
    {
        var engine = _vault.Reopen();
        engine.Unlock(TestVault.Password);
        Assert.Equal(TimeSpan.FromSeconds(900), engine.GetStatus().IdleTimeout);
        _clock.Advance(TimeSpan.FromSeconds(899));
        Assert.True(engine.IsUnlocked);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(engine.IsUnlocked);
    }

    [Fact]
    public void The_idle_timeout_given_at_unlock_applies()
    {
        var engine = _vault.Reopen();
        engine.Unlock(TestVault.Password, idleTimeout: TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(30), engine.GetStatus().IdleTimeout);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Throws<VaultLockedException>(() => engine.GetKey("k"));
    }

    [Fact]
    public void An_idle_timeout_under_one_second_is_refused_because_a_bare_number_means_ticks()
    {
        var engine = _vault.Reopen();
        Assert.Throws<VaultInvalidInputException>(() => engine.Unlock(TestVault.Password, idleTimeout: TimeSpan.FromTicks(60)));
        Assert.False(engine.IsUnlocked);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(7 * 24 * 3600 + 1)]
    public void An_idle_timeout_out_of_range_is_refused_and_does_not_unlock(int seconds)
    {
        var engine = _vault.Reopen();
        Assert.Throws<VaultInvalidInputException>(() => engine.Unlock(TestVault.Password, idleTimeout: TimeSpan.FromSeconds(seconds)));
        Assert.False(engine.IsUnlocked);
    }

    [Fact]
    public void Lock_locks_now_and_every_operation_then_reports_the_vault_locked()
    {
        var session = SessionRegistry.Find(_vault.Path)!;
        Assert.True(Engine.Lock());
        Assert.False(Engine.Lock());

        Assert.False(Engine.IsUnlocked);
        Assert.Throws<ObjectDisposedException>(() => { _ = session.Keys.MetadataKey.Length; });
        Assert.Throws<VaultLockedException>(() => session.Use(_ => 0));
        Assert.Throws<VaultLockedException>(() => Engine.GetKey("k"));
        Assert.Throws<VaultLockedException>(() => Engine.GetKeyInfo("k"));
        Assert.Throws<VaultLockedException>(() => Engine.ListKeys());
        Assert.Throws<VaultLockedException>(() => Engine.RemoveKey("k"));
        using (var value = SecretText.FromString("x")) Assert.Throws<VaultLockedException>(() => Engine.SetKey("k", value));

        Engine.Unlock(TestVault.Password);
        Assert.Equal("session value", Secrets.ReadText(Engine, "k"));
    }

    [Fact]
    public void A_locked_vault_still_reports_its_status()
    {
        Engine.Lock();

        var status = Engine.GetStatus();
        Assert.True(status.IsLocked);
        Assert.Null(status.Principal);
        Assert.Null(status.Role);
        Assert.Null(status.TimeLeft);
        Assert.Null(status.IdleTimeout);
        Assert.Equal(_vault.Path, status.Vault);
        Assert.Equal("SQLite", status.Store);
        Assert.Equal(VaultEngine.FormatVersion, status.FormatVersion);
        Assert.Equal("Argon2id m=1 MiB, t=1, p=1", status.Kdf);
        Assert.Equal(1, status.KeyCount);
        Assert.False(string.IsNullOrWhiteSpace(status.MemoryLockDetail));
    }

    [Fact]
    public void An_unlocked_vault_reports_principal_role_and_time_left()
    {
        _clock.Advance(TimeSpan.FromMinutes(2));

        var status = Engine.GetStatus();
        Assert.False(status.IsLocked);
        Assert.Equal("owner", status.Principal);
        Assert.Equal("Admin", status.Role);
        Assert.Equal(FiveMinutes, status.IdleTimeout);
        Assert.Equal(TimeSpan.FromMinutes(3), status.TimeLeft);
    }

    [Fact]
    public void Unlocking_again_replaces_the_session_and_zeroizes_the_old_one()
    {
        var first = SessionRegistry.Find(_vault.Path)!;
        Engine.Unlock(TestVault.Password);

        var second = SessionRegistry.Find(_vault.Path);
        Assert.NotNull(second);
        Assert.NotSame(first, second);
        Assert.Throws<ObjectDisposedException>(() => { _ = first.Keys.MetadataKey.Length; });
        Assert.Equal("session value", Secrets.ReadText(Engine, "k"));
    }

    [Fact]
    public void A_failed_unlock_keeps_the_existing_session()
    {
        Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock("wrong password"u8));
        Assert.True(Engine.IsUnlocked);
        Assert.Equal("session value", Secrets.ReadText(Engine, "k"));
    }
}

/// <summary>LockAll touches every session in the process, so it runs alone.</summary>
[Collection(ProcessWideState.Name)]
public sealed class LockAllTests
{
    [Fact]
    public void LockAll_locks_every_unlocked_vault_of_the_process()
    {
        using var first = new TestVault();
        using var second = new TestVault();
        Assert.True(first.Engine.IsUnlocked && second.Engine.IsUnlocked);

        Assert.True(VaultEngine.LockAll() >= 2);

        Assert.False(first.Engine.IsUnlocked);
        Assert.False(second.Engine.IsUnlocked);
        Assert.Throws<VaultLockedException>(() => first.Engine.ListKeys());
        Assert.Throws<VaultLockedException>(() => second.Engine.ListKeys());
        Assert.Equal(0, VaultEngine.LockAll());
    }

    [Fact]
    public void A_vault_whose_file_was_deleted_while_unlocked_still_locks_without_an_error()
    {
        using var vault = new TestVault();
        foreach (var file in new[] { vault.Path, vault.Path + "-wal", vault.Path + "-shm" }) File.Delete(file);

        Assert.True(vault.Engine.Lock());

        Assert.False(vault.Engine.IsUnlocked);
    }
}
