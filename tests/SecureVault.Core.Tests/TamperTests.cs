using System.Buffers.Binary;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>
/// Changes to a real vault file, made behind the engine's back as an attacker with the file
/// would make them. Every one must be refused with an integrity error and release no plaintext.
/// </summary>
public sealed class TamperTests : IDisposable
{
    private const string Plaintext = "tamper-target-plaintext-7f3a";
    private const string OtherPlaintext = "other-key-plaintext-c21d";
    private readonly TestVault _vault = new();
    private readonly VaultKeyInfo _target;
    private readonly VaultKeyInfo _other;

    public TamperTests()
    {
        _target = Write("target", Plaintext);
        _other = Write("other", OtherPlaintext);
    }

    public void Dispose() => _vault.Dispose();

    private VaultKeyInfo Write(string name, string text)
    {
        using var value = SecretText.FromString(text);
        return _vault.Engine.SetKey(name, value);
    }

    private byte[] TargetId => _target.Id.ToByteArray();

    /// <summary>Applies the change, unlocks with the right password and asserts the read is refused with no plaintext.</summary>
    private void AssertReadRefused(Action<RawVaultFile> change, string name = "target", int? version = null)
    {
        var engine = _vault.Modify(change);
        engine.Unlock(TestVault.Password);
        SecretValue? value = null;
        var e = Assert.Throws<VaultIntegrityException>(() => value = engine.GetKey(name, version));
        Assert.Null(value);
        Assert.Equal("IntegrityViolation", e.ErrorId);
        Assert.DoesNotContain(Plaintext, e.ToString());
        Assert.DoesNotContain(OtherPlaintext, e.ToString());
    }

    /// <summary>Applies the change and asserts unlocking with the right password is refused as an integrity failure.</summary>
    private void AssertUnlockRefused(Action<RawVaultFile> change)
    {
        var engine = _vault.Modify(change);
        var e = Assert.Throws<VaultIntegrityException>(() => engine.Unlock(TestVault.Password));
        Assert.Equal("IntegrityViolation", e.ErrorId);
        Assert.False(engine.IsUnlocked);
    }

    [Theory]
    [InlineData("secret_versions", "cipher")]
    [InlineData("secret_versions", "nonce")]
    [InlineData("secret_versions", "tag")]
    [InlineData("secret_keys", "cipher")]
    [InlineData("secret_keys", "nonce")]
    [InlineData("secret_keys", "tag")]
    [InlineData("secrets", "meta_cipher")]
    [InlineData("secrets", "meta_nonce")]
    [InlineData("secrets", "meta_tag")]
    public void A_flipped_byte_in_a_stored_item_of_the_key_is_refused(string table, string column)
    {
        AssertReadRefused(f => f.FlipByte(table, column, "secret_id = $a0", TargetId));
    }

    [Fact]
    public void The_untouched_key_beside_a_damaged_one_still_reads()
    {
        var engine = _vault.Modify(f => f.FlipByte("secret_versions", "cipher", "secret_id = $a0", TargetId));
        engine.Unlock(TestVault.Password);
        Assert.Throws<VaultIntegrityException>(() => engine.GetKey("target"));
        Assert.Equal(OtherPlaintext, Secrets.ReadText(engine, "other"));
    }

    [Fact]
    public void A_flipped_byte_in_an_older_version_is_refused_when_that_version_is_read()
    {
        Write("target", "second");
        AssertReadRefused(f => f.FlipByte("secret_versions", "cipher", "secret_id = $a0 AND version = 1", TargetId), version: 1);
        Assert.Equal("second", Secrets.ReadText(_vault.Engine, "target"));
    }

    [Fact]
    public void A_value_ciphertext_moved_to_another_key_is_refused()
    {
        AssertReadRefused(f =>
        {
            foreach (var column in new[] { "nonce", "cipher", "tag" })
            {
                var bytes = f.ReadBlob("secret_versions", column, "secret_id = $a0", _other.Id.ToByteArray());
                f.WriteBlob("secret_versions", column, bytes, "secret_id = $a0", TargetId);
            }
        });
    }

    [Fact]
    public void A_value_ciphertext_moved_to_another_version_of_the_same_key_is_refused()
    {
        // Both versions share one data key: only the version in the AAD tells them apart.
        Write("target", "second version");
        AssertReadRefused(f =>
        {
            foreach (var column in new[] { "nonce", "cipher", "tag" })
            {
                var bytes = f.ReadBlob("secret_versions", column, "secret_id = $a0 AND version = 1", TargetId);
                f.WriteBlob("secret_versions", column, bytes, "secret_id = $a0 AND version = 2", TargetId);
            }
        });
    }

    [Fact]
    public void A_value_whose_stored_type_was_changed_is_refused()
    {
        AssertReadRefused(f => Assert.Equal(1, f.Execute("UPDATE secret_versions SET value_type = $a1 WHERE secret_id = $a0",
            TargetId, (int)SecretValueType.SecureString)));
    }

    [Fact]
    public void A_value_with_an_unknown_stored_type_is_refused()
    {
        AssertReadRefused(f => Assert.Equal(1, f.Execute("UPDATE secret_versions SET value_type = 99 WHERE secret_id = $a0", TargetId)));
    }

    [Fact]
    public void A_wrapped_data_key_moved_to_another_key_is_refused()
    {
        AssertReadRefused(f =>
        {
            foreach (var column in new[] { "nonce", "cipher", "tag" })
            {
                var bytes = f.ReadBlob("secret_keys", column, "secret_id = $a0", _other.Id.ToByteArray());
                f.WriteBlob("secret_keys", column, bytes, "secret_id = $a0", TargetId);
            }
        });
    }

    [Fact]
    public void Encrypted_metadata_moved_to_another_key_is_refused()
    {
        AssertReadRefused(f =>
        {
            foreach (var column in new[] { "meta_nonce", "meta_cipher", "meta_tag" })
            {
                var bytes = f.ReadBlob("secrets", column, "secret_id = $a0", _other.Id.ToByteArray());
                f.WriteBlob("secrets", column, bytes, "secret_id = $a0", TargetId);
            }
        });
    }

    [Fact]
    public void Swapped_blind_name_indexes_do_not_make_one_key_answer_for_another()
    {
        // Without a check, reading "target" would find the other key's row and return its value.
        AssertReadRefused(f =>
        {
            var targetIndex = f.ReadBlob("secrets", "name_index", "secret_id = $a0", TargetId);
            var otherIndex = f.ReadBlob("secrets", "name_index", "secret_id = $a0", _other.Id.ToByteArray());
            f.WriteBlob("secrets", "name_index", new byte[32], "secret_id = $a0", TargetId);
            f.WriteBlob("secrets", "name_index", targetIndex, "secret_id = $a0", _other.Id.ToByteArray());
            f.WriteBlob("secrets", "name_index", otherIndex, "secret_id = $a0", TargetId);
        });
        Assert.Throws<VaultIntegrityException>(() => _vault.Engine.GetKeyInfo("target"));
        Assert.Throws<VaultIntegrityException>(() => _vault.Engine.RemoveKey("target"));
        Assert.Throws<VaultIntegrityException>(() => _vault.Engine.ListKeys(new KeyFilter(Name: "target")));
        // A listing of everything names each row by its sealed name, so it is still truthful.
        Assert.Equal(["other", "target"], _vault.Engine.ListKeys().Select(k => k.Name));
        using var value = SecretText.FromString("overwrite");
        Assert.Throws<VaultIntegrityException>(() => _vault.Engine.SetKey("target", value));
    }

    [Fact]
    public void A_version_counter_rolled_back_to_an_older_version_is_refused()
    {
        Write("target", "second");
        Write("target", "third");
        AssertReadRefused(f => Assert.Equal(1, f.Execute("UPDATE secrets SET current_version = 1 WHERE secret_id = $a0", TargetId)));
        Assert.Throws<VaultIntegrityException>(() => _vault.Engine.GetKeyInfo("target"));
    }

    [Fact]
    public void A_version_counter_moved_forward_past_the_stored_versions_is_refused()
    {
        AssertReadRefused(f => Assert.Equal(1, f.Execute("UPDATE secrets SET current_version = 2 WHERE secret_id = $a0", TargetId)));
    }

    [Fact]
    public void A_deleted_current_version_is_refused()
    {
        AssertReadRefused(f => Assert.Equal(1, f.Execute("DELETE FROM secret_versions WHERE secret_id = $a0", TargetId)));
    }

    [Theory]
    [InlineData("secret_versions", "nonce", 11)]
    [InlineData("secret_versions", "nonce", 13)]
    [InlineData("secret_versions", "tag", 15)]
    [InlineData("secret_versions", "tag", 0)]
    [InlineData("secret_keys", "nonce", 11)]
    [InlineData("secret_keys", "cipher", 31)]
    [InlineData("secret_keys", "cipher", 33)]
    [InlineData("secrets", "meta_nonce", 11)]
    [InlineData("secrets", "meta_tag", 17)]
    [InlineData("secrets", "secret_id", 15)]
    public void A_stored_length_that_lies_is_refused(string table, string column, int length)
    {
        AssertReadRefused(f =>
        {
            var bytes = f.ReadBlob(table, column, "secret_id = $a0", TargetId);
            var resized = new byte[length];
            bytes.AsSpan(0, Math.Min(length, bytes.Length)).CopyTo(resized);
            f.WriteBlob(table, column, resized, "secret_id = $a0", TargetId);
        });
    }

    [Theory]
    [InlineData("vault_id")]
    [InlineData("header_mac")]
    public void A_flipped_byte_in_the_header_is_caught_at_unlock(string column)
    {
        AssertUnlockRefused(f => f.FlipByte("vault_header", column, "id = 1"));
    }

    [Theory]
    [InlineData("UPDATE vault_header SET created_ms = created_ms + 1")]
    [InlineData("UPDATE vault_header SET magic = 'SecureVaulT'")]
    [InlineData("UPDATE vault_header SET format_version = 2")]
    [InlineData("UPDATE vault_header SET vault_id = substr(vault_id, 1, 15)")]
    [InlineData("DELETE FROM vault_header")]
    public void A_changed_header_field_is_caught_at_unlock(string sql)
    {
        AssertUnlockRefused(f => Assert.Equal(1, f.Execute(sql)));
    }

    [Theory]
    [InlineData("sealed")]
    [InlineData("nonce")]
    [InlineData("tag")]
    public void A_flipped_byte_in_the_keyslot_is_an_integrity_failure_not_a_wrong_password(string column)
    {
        AssertUnlockRefused(f => f.FlipByte("keyslots", column, "kind = 1"));
    }

    [Theory]
    [InlineData("sealed", 63)]
    [InlineData("nonce", 11)]
    [InlineData("tag", 12)]
    public void A_keyslot_part_of_the_wrong_length_is_refused(string column, int length)
    {
        AssertUnlockRefused(f => f.WriteBlob("keyslots", column, new byte[length], "kind = 1"));
    }

    [Fact]
    public void A_keyslot_KDF_blob_whose_salt_length_byte_is_wrong_is_refused()
    {
        AssertUnlockRefused(f =>
        {
            var kdf = f.ReadBlob("keyslots", "kdf", "kind = 1");
            kdf[14] = 15;
            f.WriteBlob("keyslots", "kdf", kdf, "kind = 1");
        });
    }

    [Theory]
    [InlineData(2, 0u)]           // memory 0 KiB
    [InlineData(2, 512u)]         // below the 1 MiB floor
    [InlineData(2, 0xFFFFFFFFu)]  // 4 TiB: must be refused, never allocated
    [InlineData(6, 0u)]           // no iterations
    [InlineData(6, 1000u)]        // iterations above the ceiling
    [InlineData(10, 0u)]          // no lanes
    [InlineData(10, 4096u)]       // lanes above the ceiling
    public void A_keyslot_KDF_parameter_out_of_range_is_refused(int offset, uint value)
    {
        AssertUnlockRefused(f =>
        {
            var kdf = f.ReadBlob("keyslots", "kdf", "kind = 1");
            BinaryPrimitives.WriteUInt32LittleEndian(kdf.AsSpan(offset), value);
            f.WriteBlob("keyslots", "kdf", kdf, "kind = 1");
        });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(14)]
    [InlineData(30)]
    [InlineData(32)]
    public void A_keyslot_KDF_blob_of_the_wrong_length_is_refused(int length)
    {
        AssertUnlockRefused(f =>
        {
            var kdf = f.ReadBlob("keyslots", "kdf", "kind = 1");
            var resized = new byte[length];
            kdf.AsSpan(0, Math.Min(length, kdf.Length)).CopyTo(resized);
            f.WriteBlob("keyslots", "kdf", resized, "kind = 1");
        });
    }

    [Theory]
    [InlineData("mk_cipher")]
    [InlineData("mk_nonce")]
    [InlineData("mk_tag")]
    [InlineData("ecdh_public")]
    [InlineData("ecdsa_public")]
    public void A_flipped_byte_in_the_principal_record_is_caught_at_unlock(string column)
    {
        AssertUnlockRefused(f => f.FlipByte("principals", column, "name = 'owner'"));
    }

    [Fact]
    public void A_flipped_byte_in_the_sender_key_of_the_metadata_key_is_caught_at_unlock()
    {
        AssertUnlockRefused(f => f.FlipByte("sender_keys", "public_key", "sender_id = (SELECT mk_sender FROM principals)"));
    }

    [Fact]
    public void A_truncated_file_is_an_integrity_failure_not_a_crash()
    {
        // Enough keys that the file spans many pages.
        for (int i = 0; i < 200; i++) Write($"filler/{i:D3}", new string('x', 200));

        _vault.Modify(f => f.Checkpoint());
        _vault.Release();
        long size = new FileInfo(_vault.Path).Length;
        Assert.True(size > 64 * 1024, $"the vault file should span many pages, it is {size} bytes");
        Assert.False(File.Exists(_vault.Path + "-wal") && new FileInfo(_vault.Path + "-wal").Length > 0, "the write-ahead log should be empty");
        using (var stream = new FileStream(_vault.Path, FileMode.Open, FileAccess.Write)) stream.SetLength(size / 2);

        var engine = _vault.Reopen();
        var e = Assert.Throws<VaultIntegrityException>(() =>
        {
            engine.Unlock(TestVault.Password);
            for (int i = 0; i < 200; i++) engine.GetKey($"filler/{i:D3}").Dispose();
            engine.GetKey("target").Dispose();
        });
        Assert.Equal("IntegrityViolation", e.ErrorId);
        Assert.Throws<VaultIntegrityException>(() => engine.GetStatus());
    }

    [Fact]
    public void A_file_that_is_not_a_vault_is_an_integrity_failure()
    {
        _vault.Release();
        File.WriteAllBytes(_vault.Path, new byte[8192]);
        File.Delete(_vault.Path + "-wal");
        File.Delete(_vault.Path + "-shm");

        var engine = _vault.Reopen();
        Assert.Throws<VaultIntegrityException>(() => engine.Unlock(TestVault.Password));
    }
}
