using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>
/// No audit record, no operation. A trigger on the live vault file makes every insert into the
/// audit log fail (as a full disk or a broken store would); each operation must then fail with a
/// StorageError and leave the vault exactly as it was: nothing written, nothing read, nothing
/// removed, no session opened.
/// </summary>
public sealed class AuditFailClosedTests : IDisposable
{
    private const string Kept = "kept-value-0d4e";
    private readonly TestVault _vault = new();
    private readonly long _head;

    public AuditFailClosedTests()
    {
        Secrets.WriteText(_vault.Engine, "kept", Kept);
        _head = Engine.GetStatus().AuditHead!.Value;
    }

    public void Dispose() => _vault.Dispose();

    private VaultEngine Engine => _vault.Engine;

    /// <summary>Runs <paramref name="operation"/> while the audit log refuses inserts; returns the failure.</summary>
    private VaultStorageException FailsWithoutAudit(Action operation)
    {
        SetAudit(enabled: false);
        try
        {
            var e = Assert.Throws<VaultStorageException>(operation);
            Assert.Equal("StorageError", e.ErrorId);
            Assert.Contains("audit disabled", e.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(Kept, e.ToString(), StringComparison.Ordinal);
            return e;
        }
        finally
        {
            SetAudit(enabled: true);
        }
    }

    /// <summary>Adds or drops the trigger through a second connection to the live file (the engine keeps its own).</summary>
    private void SetAudit(bool enabled)
    {
        using var file = new RawVaultFile(_vault.Path);
        file.Execute(enabled
            ? "DROP TRIGGER no_audit"
            : "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit disabled'); END;");
    }

    private void AssertNothingRecorded() => Assert.Equal(_head, Engine.GetStatus().AuditHead);

    [Fact]
    public void A_write_whose_record_cannot_be_written_is_not_kept()
    {
        FailsWithoutAudit(() => Secrets.WriteText(Engine, "new", "never stored"));
        FailsWithoutAudit(() => Secrets.WriteText(Engine, "kept", "never stored either"));
        FailsWithoutAudit(() => Engine.UpdateKeyInfo("kept", new KeyUpdate(Description: "never stored")));

        AssertNothingRecorded();
        Assert.Throws<VaultKeyNotFoundException>(() => Engine.GetKeyInfo("new"));
        var kept = Engine.GetKeyInfo("kept");
        Assert.Equal((1, (string?)null), (kept.Version, kept.Description));
        Assert.Equal(Kept, Secrets.ReadText(Engine, "kept"));
    }

    [Fact]
    public void A_read_whose_record_cannot_be_written_returns_no_value()
    {
        SecretValue? value = null;

        FailsWithoutAudit(() => value = Engine.GetKey("kept"));

        Assert.Null(value);
        AssertNothingRecorded();
    }

    [Fact]
    public void Listings_and_log_reads_whose_record_cannot_be_written_return_nothing()
    {
        IReadOnlyList<VaultKeyInfo>? keys = null;
        IReadOnlyList<VaultAuditRecord>? log = null;

        FailsWithoutAudit(() => keys = Engine.ListKeys());
        FailsWithoutAudit(() => log = Engine.GetAuditLog());

        Assert.Null(keys);
        Assert.Null(log);
        AssertNothingRecorded();
    }

    [Fact]
    public void A_removal_whose_record_cannot_be_written_leaves_the_key()
    {
        FailsWithoutAudit(() => Engine.RemoveKey("kept"));

        AssertNothingRecorded();
        Assert.Equal(Kept, Secrets.ReadText(Engine, "kept"));
    }

    [Fact]
    public void An_unlock_whose_record_cannot_be_written_leaves_the_vault_locked()
    {
        Engine.Lock();
        long head = Engine.GetStatus().AuditHead!.Value;

        FailsWithoutAudit(() => Engine.Unlock(TestVault.Password));

        Assert.False(Engine.IsUnlocked);
        Assert.True(Engine.GetStatus().IsLocked);
        Assert.Equal(head, Engine.GetStatus().AuditHead);
        Engine.Unlock(TestVault.Password);   // and works again once the log takes records
    }

    [Fact]
    public void A_lock_whose_record_cannot_be_written_still_locks_and_then_reports_the_failure()
    {
        FailsWithoutAudit(() => Engine.Lock());

        Assert.False(Engine.IsUnlocked);
        AssertNothingRecorded();
    }

    [Fact]
    public void A_refusal_that_cannot_be_recorded_is_a_storage_error_carrying_the_refusal()
    {
        // The refusal stands, but nobody may think it was recorded.
        var missing = FailsWithoutAudit(() => Engine.GetKey("no-such-key"));
        var wrongPassword = FailsWithoutAudit(() => Engine.Unlock(TestVault.WrongPassword));

        Assert.IsType<VaultKeyNotFoundException>(missing.InnerException);
        Assert.IsType<VaultAuthenticationException>(wrongPassword.InnerException);
        Assert.True(Engine.IsUnlocked);   // the failed attempt did not touch the open session
        AssertNothingRecorded();
    }

    [Fact]
    public void A_password_change_whose_record_cannot_be_written_keeps_the_old_password()
    {
        FailsWithoutAudit(() => Engine.ChangePassword(TestVault.Password, "a new passphrase for the owner"u8));

        AssertNothingRecorded();
        Engine.Lock();
        Engine.Unlock(TestVault.Password);
    }
}
