using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>
/// Rows restored from an older genuine copy of themselves pass every cryptographic check; the
/// engine compares them with what the signed audit log says was written last (file-format G4,
/// threat-model T5 and T5b). Each test rebuilds the attack on a real vault file with plain SQL.
/// </summary>
public sealed class AuditCrossCheckTests : IDisposable
{
    private static readonly byte[] NewPassword = "a different correct password"u8.ToArray();
    private readonly TestVault _vault = new();

    [Fact]
    public void A_key_row_rolled_back_to_an_older_copy_with_its_versions_is_refused()
    {
        Write("target", "first");
        var saved = SaveSecretRow();
        Write("target", "second");

        var engine = _vault.Modify(f => RestoreSecretRow(f, saved));
        engine.Unlock(TestVault.Password);

        var refused = Assert.Throws<VaultIntegrityException>(() => engine.GetKey("target"));
        Assert.Contains("rolled back", refused.Message);
        Assert.Throws<VaultIntegrityException>(() => engine.GetKeyInfo("target"));
        using var third = SecretText.FromString("third");
        Assert.Throws<VaultIntegrityException>(() => engine.SetKey("target", third));
    }

    [Fact]
    public void A_removed_key_brought_back_from_an_older_copy_is_refused()
    {
        Write("target", "first");
        _vault.Release();
        object[] secret, key, version;
        using (var file = new RawVaultFile(_vault.Path))
        {
            secret = Row(file, "secrets", "secret_id, name_index, current_version, meta_nonce, meta_cipher, meta_tag");
            key = Row(file, "secret_keys", "secret_id, principal_id, sender_id, nonce, cipher, tag");
            version = Row(file, "secret_versions", "secret_id, version, value_type, nonce, cipher, tag, created_ms");
        }
        _vault.Reopen().Unlock(TestVault.Password);
        _vault.Engine.RemoveKey("target");

        var engine = _vault.Modify(f =>
        {
            f.Execute("INSERT INTO secrets VALUES ($a0, $a1, $a2, $a3, $a4, $a5)", secret);
            f.Execute("INSERT INTO secret_keys VALUES ($a0, $a1, $a2, $a3, $a4, $a5)", key);
            f.Execute("INSERT INTO secret_versions VALUES ($a0, $a1, $a2, $a3, $a4, $a5, $a6)", version);
        });
        engine.Unlock(TestVault.Password);

        var refused = Assert.Throws<VaultIntegrityException>(() => engine.GetKey("target"));
        Assert.Contains("was removed", refused.Message);
    }

    [Fact]
    public void A_keyslot_restored_from_before_a_password_change_is_refused()
    {
        _vault.Release();
        object[] keyslot;
        using (var file = new RawVaultFile(_vault.Path))
            keyslot = Row(file, "keyslots", "keyslot_id, principal_id, kind, kdf, verifier, nonce, sealed, tag, updated_ms");
        _vault.Reopen().ChangePassword(TestVault.Password, NewPassword);

        var engine = _vault.Modify(f =>
        {
            f.Execute("DELETE FROM keyslots");
            f.Execute("INSERT INTO keyslots VALUES ($a0, $a1, $a2, $a3, $a4, $a5, $a6, $a7, $a8)", keyslot);
        });

        // The old password opens the restored keyslot, but the signed log knows it was replaced.
        Assert.Throws<VaultIntegrityException>(() => engine.Unlock(TestVault.Password));
        Assert.False(engine.IsUnlocked);
        Assert.Throws<VaultIntegrityException>(() => engine.ChangePassword(TestVault.Password, NewPassword));
    }

    [Fact]
    public void Untouched_rows_pass_the_cross_check_after_many_changes()
    {
        for (int i = 0; i < 5; i++) Write("target", $"value {i}");
        _vault.Engine.RemoveKey("target");
        Write("target", "again");
        _vault.Engine.ChangePassword(TestVault.Password, NewPassword);
        var engine = _vault.Reopen();
        engine.Unlock(NewPassword);
        using var value = engine.GetKey("target");
        Secrets.AssertText("again", SecretValueType.String, value);
    }

    private void Write(string name, string text)
    {
        using var value = SecretText.FromString(text);
        _vault.Engine.SetKey(name, value);
    }

    private object[] SaveSecretRow()
    {
        _vault.Release();
        using var file = new RawVaultFile(_vault.Path);
        var row = Row(file, "secrets", "secret_id, name_index, current_version, meta_nonce, meta_cipher, meta_tag");
        _vault.Reopen().Unlock(TestVault.Password);
        return row;
    }

    private static void RestoreSecretRow(RawVaultFile file, object[] row) =>
        Assert.Equal(1, file.Execute("""
            UPDATE secrets SET current_version = $a2, meta_nonce = $a3, meta_cipher = $a4, meta_tag = $a5
            WHERE secret_id = $a0 AND name_index = $a1
            """, row));

    private static object[] Row(RawVaultFile file, string table, string columns)
    {
        var names = columns.Split(", ");
        return names.Select(c => file.Scalar($"SELECT {c} FROM {table} LIMIT 1")!).ToArray();
    }

    public void Dispose() => _vault.Dispose();
}
