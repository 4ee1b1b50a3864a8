using System.Security.Cryptography;
using System.Text;
using SecureVault.Crypto;
using SecureVault.Memory;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>
/// Attacks by someone who can write the vault file but knows no password (threat model A2),
/// each built from real, cryptographically valid items: wrapping needs only a public key, so
/// these are caught only by the vault's commitments and MACs (file-format sections 5 and 6).
/// Every one must end in an integrity error, with no value returned and nothing wrapped to the
/// attacker.
/// </summary>
public sealed class FileWriterAttackTests : IDisposable
{
    private const string Genuine = "genuine-value-5c1e";
    private const string Planted = "attacker-chosen-value-90ab";
    private const string PlantedName = "backup";
    private static readonly byte[] NewPassword = Encoding.UTF8.GetBytes("a different passphrase");
    private readonly TestVault _vault = new();
    private readonly FileWriter _attacker = new();

    public void Dispose()
    {
        _attacker.Dispose();
        _vault.Dispose();
    }

    private VaultKeyInfo Write(string name, string text, VaultEngine? engine = null)
    {
        using var value = SecretText.FromString(text);
        return (engine ?? _vault.Engine).SetKey(name, value);
    }

    private static void AssertUnlockRefused(VaultEngine engine, string? principal = null)
    {
        var e = Assert.Throws<VaultIntegrityException>(() => engine.Unlock(TestVault.Password, principal));
        Assert.Equal("IntegrityViolation", e.ErrorId);
        Assert.False(engine.IsUnlocked);
    }

    private static void AssertReadRefused(VaultEngine engine, string name)
    {
        SecretValue? value = null;
        var e = Assert.Throws<VaultIntegrityException>(() => value = engine.GetKey(name));
        Assert.Null(value);
        Assert.Equal("IntegrityViolation", e.ErrorId);
        Assert.DoesNotContain(Genuine, e.ToString());
        Assert.DoesNotContain(Planted, e.ToString());
    }

    private static bool FileContains(string path, byte[] needle) =>
        File.Exists(path) && File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0;

    #region Planted data key (file-format G1)

    /// <summary>
    /// Replaces the owner's wrapped data key of <paramref name="key"/> with one of the attacker's
    /// choosing (wrapped by a sender key the attacker inserted) and seals a value under it, so that
    /// without the data-key commitment the read would return the attacker's value.
    /// </summary>
    private void PlantDataKey(VaultKeyInfo key)
    {
        var dataKey = RandomNumberGenerator.GetBytes(32);
        _vault.Modify(f =>
        {
            var vaultId = FileWriter.VaultId(f);
            var ownerId = FileWriter.PrincipalId(f, "owner");
            var secretId = key.Id.ToByteArray();
            long senderId = _attacker.InsertSenderKey(f, ownerId);
            var wrapped = _attacker.WrapTo(FileWriter.EcdhPublic(f, ownerId), dataKey, new WrapContext(WrapPurpose.DataKey, vaultId, key.Id, ownerId));
            Assert.Equal(1, f.Execute("UPDATE secret_keys SET sender_id = $a2, nonce = $a3, cipher = $a4, tag = $a5 WHERE secret_id = $a0 AND principal_id = $a1",
                secretId, ownerId.ToByteArray(), senderId, wrapped.Nonce, wrapped.Ciphertext, wrapped.Tag));
            var box = FileWriter.SealValue(dataKey, Encoding.UTF8.GetBytes(Planted), vaultId, key.Id, key.Version, key.Type);
            Assert.Equal(1, f.Execute("UPDATE secret_versions SET nonce = $a2, cipher = $a3, tag = $a4 WHERE secret_id = $a0 AND version = $a1",
                secretId, key.Version, box.Nonce, box.Ciphertext, box.Tag));
        });
    }

    [Fact]
    public void A_planted_data_key_with_a_value_sealed_under_it_is_refused_on_read()
    {
        var key = Write("prod-db", Genuine);
        PlantDataKey(key);

        var engine = _vault.Engine;
        engine.Unlock(TestVault.Password);
        AssertReadRefused(engine, "prod-db");
    }

    [Fact]
    public void A_planted_data_key_is_never_reused_to_seal_the_next_version()
    {
        var key = Write("prod-db", Genuine);
        PlantDataKey(key);

        var engine = _vault.Engine;
        engine.Unlock(TestVault.Password);
        using (var rotated = SecretText.FromString("rotated-value-3d77"))
            Assert.Equal("IntegrityViolation", Assert.Throws<VaultIntegrityException>(() => engine.SetKey("prod-db", rotated)).ErrorId);

        // The refused write left nothing behind: no version was sealed under the planted key.
        _vault.Modify(f =>
        {
            Assert.Equal(1L, f.Scalar("SELECT COUNT(*) FROM secret_versions WHERE secret_id = $a0", key.Id.ToByteArray()));
            Assert.Equal((long)key.Version, f.Scalar("SELECT current_version FROM secrets WHERE secret_id = $a0", key.Id.ToByteArray()));
        });
    }

    #endregion

    #region Planted or altered principal (file-format G2)

    /// <summary>
    /// Inserts an Admin principal holding the attacker's public key, created after the owner. The
    /// attacker cannot compute its MAC (that needs the metadata key), so it stores a guess or a copy.
    /// </summary>
    private Guid PlantAdmin(RawVaultFile f, byte[] mac)
    {
        var id = Guid.NewGuid();
        Assert.Equal(1, f.Execute("""
            INSERT INTO principals (principal_id, name, name_key, role, ecdh_public, ecdsa_public, created_ms, mk_sender, mk_nonce, mk_cipher, mk_tag, principal_mac)
            SELECT $a0, $a1, upper($a1), 1, $a2, $a2, created_ms + 1, mk_sender, zeroblob(12), zeroblob(32), zeroblob(16), $a3 FROM principals WHERE name = 'owner'
            """, id.ToByteArray(), PlantedName, _attacker.PublicKey, mac));
        return id;
    }

    public static TheoryData<string> PlantedMacs => ["random", "copied from the owner"];

    private static byte[] PlantedMac(RawVaultFile f, string kind) =>
        kind == "random" ? RandomNumberGenerator.GetBytes(32) : f.ReadBlob("principals", "principal_mac", "name = 'owner'");

    [Theory]
    [MemberData(nameof(PlantedMacs))]
    public void A_planted_Admin_principal_receives_no_data_key(string macKind)
    {
        Write("existing", Genuine);
        var plantedId = Guid.Empty;
        var engine = _vault.Modify(f => plantedId = PlantAdmin(f, PlantedMac(f, macKind)));

        // The owner's own row is intact, so the owner still unlocks and reads.
        engine.Unlock(TestVault.Password, "owner");
        Assert.Equal(Genuine, Secrets.ReadText(engine, "existing"));
        // A new key would be wrapped to every Admin: the planted row is refused instead.
        using (var value = SecretText.FromString("created-after-tampering"))
            Assert.Equal("IntegrityViolation", Assert.Throws<VaultIntegrityException>(() => engine.SetKey("new-api-key", value)).ErrorId);
        Assert.Throws<VaultKeyNotFoundException>(() => engine.GetKeyInfo("new-api-key"));

        _vault.Modify(f =>
        {
            Assert.Equal(0L, f.Scalar("SELECT COUNT(*) FROM secret_keys WHERE principal_id = $a0", plantedId.ToByteArray()));
            Assert.Equal(1L, f.Scalar("SELECT COUNT(*) FROM secrets"));
        });
    }

    [Theory]
    [InlineData("UPDATE principals SET role = 3", null)]                          // Admin -> Viewer
    [InlineData("UPDATE principals SET role = 2", null)]                          // Admin -> User
    [InlineData("UPDATE principals SET name = 'mallory', name_key = 'MALLORY'", "mallory")]
    [InlineData("UPDATE principals SET name_key = 'MALLORY'", "mallory")]         // the lookup column alone (file-format G13)
    [InlineData("UPDATE principals SET created_ms = created_ms + 1", null)]
    [InlineData("UPDATE principals SET principal_mac = randomblob(32)", null)]
    [InlineData("UPDATE principals SET principal_mac = substr(principal_mac, 1, 31)", null)]
    [InlineData("UPDATE principals SET principal_mac = x''", null)]
    public void A_changed_owner_row_is_refused_at_unlock(string sql, string? principal)
    {
        var engine = _vault.Modify(f => Assert.Equal(1, f.Execute(sql)));
        AssertUnlockRefused(engine, principal);
    }

    #endregion

    #region Substituted metadata key (file-format G3)

    /// <summary>
    /// Wraps a metadata key of the attacker's own to the owner and recomputes everything that key
    /// authenticates (the header MAC and the owner's principal MAC), so that only the keyslot's
    /// commitment to the genuine metadata key is left to notice.
    /// </summary>
    private void SubstituteMetadataKey(RawVaultFile f)
    {
        var vaultId = FileWriter.VaultId(f);
        var ownerId = FileWriter.PrincipalId(f, "owner");
        var ecdhPublic = FileWriter.EcdhPublic(f, ownerId);
        var metadataKey = RandomNumberGenerator.GetBytes(32);
        long senderId = _attacker.InsertSenderKey(f, ownerId);
        var wrapped = _attacker.WrapTo(ecdhPublic, metadataKey, new WrapContext(WrapPurpose.MetadataKey, vaultId, vaultId, ownerId));
        Assert.Equal(1, f.Execute("UPDATE principals SET mk_sender = $a1, mk_nonce = $a2, mk_cipher = $a3, mk_tag = $a4 WHERE principal_id = $a0",
            ownerId.ToByteArray(), senderId, wrapped.Nonce, wrapped.Ciphertext, wrapped.Tag));

        using var keys = new VaultKeys(SecureBuffer.CopyOf(metadataKey), vaultId);
        f.WriteBlob("vault_header", "header_mac", keys.HeaderMac(FileWriter.CanonicalHeader(f)), "id = 1");
        var ownerMac = keys.PrincipalMac(ownerId, (int)(long)f.Scalar("SELECT role FROM principals")!, (long)f.Scalar("SELECT created_ms FROM principals")!,
            ecdhPublic, f.ReadBlob("principals", "ecdsa_public", "principal_id = $a0", ownerId.ToByteArray()), (string)f.Scalar("SELECT name FROM principals")!);
        f.WriteBlob("principals", "principal_mac", ownerMac, "principal_id = $a0", ownerId.ToByteArray());
    }

    [Theory]
    [InlineData(false)] // an empty vault: no key's metadata would betray the substitution
    [InlineData(true)]
    public void A_substituted_metadata_key_with_a_recomputed_header_MAC_is_refused_at_unlock(bool withKeys)
    {
        if (withKeys) Write("existing", Genuine);
        var engine = _vault.Modify(SubstituteMetadataKey);
        AssertUnlockRefused(engine);
        // A refused unlock leaves no session behind: nothing can be written under the attacker's key.
        using var value = SecretText.FromString("payroll");
        Assert.Throws<VaultLockedException>(() => engine.SetKey("payroll/bank-api", value));
    }

    #endregion

    #region Values the reader must not misinterpret (file-format G9, G10)

    [Theory]
    [InlineData("keyslots", "kdf", true)]
    [InlineData("keyslots", "sealed", true)]
    [InlineData("keyslots", "verifier", true)]
    [InlineData("vault_header", "header_mac", true)]
    [InlineData("vault_header", "vault_id", true)]
    [InlineData("principals", "ecdh_public", true)]
    [InlineData("principals", "mk_cipher", true)]
    [InlineData("principals", "principal_mac", true)]
    [InlineData("sender_keys", "public_key", true)]
    [InlineData("secrets", "meta_cipher", false)]
    [InlineData("secrets", "secret_id", false)]
    [InlineData("secret_keys", "cipher", false)]
    [InlineData("secret_versions", "nonce", false)]
    [InlineData("secret_versions", "cipher", false)]
    public void A_binary_column_holding_text_is_an_integrity_failure(string table, string column, bool atUnlock)
    {
        Write("target", Genuine);
        var engine = _vault.Modify(f =>
        {
            Assert.True(f.Execute($"UPDATE {table} SET {column} = CAST({column} AS TEXT)") >= 1);
            Assert.Equal("text", f.Scalar($"SELECT typeof({column}) FROM {table} LIMIT 1"));
        });
        if (atUnlock)
        {
            AssertUnlockRefused(engine);
            return;
        }
        engine.Unlock(TestVault.Password);
        AssertReadRefused(engine, "target");
    }

    [Theory]
    [InlineData(257)]  // 0x101: narrowed to a byte it would read as 1, the genuine type
    [InlineData(513)]  // 0x201: likewise
    [InlineData(-255)] // narrowed to a byte: 1
    [InlineData(0)]
    [InlineData(6)]
    public void A_stored_value_type_outside_the_defined_types_is_refused(int storedType)
    {
        Assert.Equal(SecretValueType.String, Write("target", Genuine).Type);
        var engine = _vault.Modify(f => Assert.Equal(1, f.Execute("UPDATE secret_versions SET value_type = $a0", storedType)));
        engine.Unlock(TestVault.Password);
        AssertReadRefused(engine, "target");
    }

    #endregion

    #region What a password change and a removal leave behind (file-format G7)

    private static byte[] OldSealedKeyslot(RawVaultFile f) => f.ReadBlob("keyslots", "sealed", "kind = 1");

    [Fact]
    public void After_a_password_change_the_old_keyslot_is_in_neither_the_log_nor_the_file()
    {
        // The vault was just created: it was built aside in one file and renamed into place, so
        // its keyslot is in the vault file (and, once anything touched that page, in the log).
        byte[] oldSealed;
        using (var file = new RawVaultFile(_vault.Path)) oldSealed = OldSealedKeyslot(file);
        Assert.True(FileContains(_vault.Path, oldSealed) || FileContains(_vault.Path + "-wal", oldSealed), "precondition: the old keyslot is on disk");

        _vault.Engine.ChangePassword(TestVault.Password, NewPassword);

        Assert.False(FileContains(_vault.Path + "-wal", oldSealed), "the old keyslot is still in the -wal file");
        Assert.False(FileContains(_vault.Path, oldSealed), "the old keyslot is in the vault file");
    }

    [Fact]
    public void After_a_password_change_an_old_keyslot_already_in_the_file_is_overwritten()
    {
        byte[] oldSealed = [];
        // Modify closes every connection first, and the last one to close folds the log into the file.
        var engine = _vault.Modify(f => oldSealed = OldSealedKeyslot(f));
        Assert.True(FileContains(_vault.Path, oldSealed), "precondition: the old keyslot is in the vault file");

        engine.ChangePassword(TestVault.Password, NewPassword);

        Assert.False(FileContains(_vault.Path + "-wal", oldSealed), "the old keyslot is in the -wal file");
        Assert.False(FileContains(_vault.Path, oldSealed), "the old keyslot is still in the vault file");
        engine.Unlock(NewPassword);
        Assert.True(engine.IsUnlocked);
    }

    [Fact]
    public void A_removed_value_leaves_no_ciphertext_in_the_file()
    {
        Write("keep", Genuine);
        VaultKeyInfo removed;
        using (var value = SecretBytes.CopyOf(RandomNumberGenerator.GetBytes(600))) removed = _vault.Engine.SetKey("gone", value);
        byte[] ciphertext = [];
        var engine = _vault.Modify(f => ciphertext = f.ReadBlob("secret_versions", "cipher", "secret_id = $a0", removed.Id.ToByteArray()));
        Assert.True(FileContains(_vault.Path, ciphertext), "precondition: the ciphertext is in the vault file");

        engine.Unlock(TestVault.Password);
        engine.RemoveKey("gone");
        _vault.Release(); // fold the log into the file

        Assert.False(FileContains(_vault.Path, ciphertext), "the removed value's ciphertext is still in the vault file");
        Assert.False(FileContains(_vault.Path + "-wal", ciphertext), "the removed value's ciphertext is in the -wal file");
    }

    #endregion

    #region Sender keys (file-format G11)

    [Fact]
    public void A_refused_write_does_not_free_its_sender_key_id_for_another_session()
    {
        if (OperatingSystem.IsWindows()) return; // a symbolic link stands in for a second process; Windows needs a privilege for it
        // This session's first write is refused after its sender key was made (a planted principal
        // stops the wrap). Its sender key must stay stored, so that the id it cached is never
        // handed to another session's sender key.
        var engine = _vault.Modify(f => PlantAdmin(f, RandomNumberGenerator.GetBytes(32)));
        engine.Unlock(TestVault.Password, "owner");
        using (var value = SecretText.FromString("first"))
            Assert.Throws<VaultIntegrityException>(() => engine.SetKey("first", value));
        using (var file = new RawVaultFile(_vault.Path))
            Assert.Equal(1, file.Execute("DELETE FROM principals WHERE name = $a0", PlantedName));

        // Another session on the same file: a second path to it gets a session of its own.
        var alias = Path.Combine(_vault.Folder, "alias.vault");
        File.CreateSymbolicLink(alias, _vault.Path);
        var other = VaultEngine.Open(alias);
        try
        {
            other.Unlock(TestVault.Password, "owner");
            Write("from-other-session", Genuine, other);
            Assert.Equal(Genuine, Secrets.ReadText(engine, "from-other-session"));
            Write("first", "second attempt");
            Assert.Equal("second attempt", Secrets.ReadText(other, "first"));
        }
        finally
        {
            other.Lock();
            VaultEngine.ForgetStore(alias);
        }
    }

    #endregion
}
