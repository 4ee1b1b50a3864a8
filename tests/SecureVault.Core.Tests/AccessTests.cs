using System.Text;
using SecureVault.Access;
using SecureVault.Crypto;
using SecureVault.Identity;
using SecureVault.Sessions;
using SecureVault.Storage;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>
/// Roles, principals and grants in the engine: who may do what, that every refusal is a typed
/// AccessDenied naming the permission and an audit record, and that the rules also hold for the
/// wrapped keys in the file.
/// </summary>
public sealed class AccessTests : IDisposable
{
    private static readonly byte[] BobPassword = Encoding.UTF8.GetBytes("bob's own long passphrase");
    private static readonly byte[] VeraPassword = Encoding.UTF8.GetBytes("vera's own long passphrase");
    private static readonly byte[] AdaPassword = Encoding.UTF8.GetBytes("ada's own long passphrase!");
    private readonly ManualClock _clock = new();
    private readonly TestVault _vault;

    public AccessTests()
    {
        _vault = new TestVault(_clock);
        Engine.NewPrincipal("bob", Role.User, BobPassword);
        Engine.NewPrincipal("vera", Role.Viewer, VeraPassword);
        Secrets.WriteText(Engine, "owner-key", "owner's value");
    }

    public void Dispose() => _vault.Dispose();

    private VaultEngine Engine => _vault.Engine;

    /// <summary>Ends the current session and opens one as <paramref name="name"/>.</summary>
    private VaultEngine As(string name, byte[] password)
    {
        Engine.Lock();
        Engine.Unlock(password, name);
        return Engine;
    }

    private VaultEngine AsOwner() => As("owner", TestVault.Password);

    [Fact]
    public void The_matrix_names_at_least_20_permissions_and_an_Admin_holds_all_of_them()
    {
        Assert.True(Permissions.Matrix.Count >= 20, $"{Permissions.Matrix.Count} permissions");
        Assert.All(Permissions.Matrix, p => Assert.Equal(PermissionScope.All, p.Admin));
        string[] writes = [Permissions.Create, Permissions.Write, Permissions.Rotate, Permissions.Delete, Permissions.Grant, Permissions.Revoke];
        Assert.All(writes, w => Assert.Equal(PermissionScope.None, Permissions.ScopeOf(Role.Viewer, w)));
        Assert.Equal(PermissionScope.Granted, Permissions.ScopeOf(Role.Viewer, Permissions.Read));
        Assert.Equal(PermissionScope.OwnAndGranted, Permissions.ScopeOf(Role.User, Permissions.Read));
        Assert.Equal(Permissions.Matrix.Count, Permissions.Matrix.Select(p => p.Permission).Distinct().Count());
    }

    [Fact]
    public void A_new_principal_unlocks_with_its_own_password_and_is_listed_with_its_role()
    {
        var engine = As("bob", BobPassword);
        Assert.Equal(("bob", "User"), (engine.GetStatus().Principal, engine.GetStatus().Role));

        var all = engine.GetPrincipals();
        Assert.Equal(["owner", "bob", "vera"], all.Select(p => p.Name));
        Assert.Equal([Role.Admin, Role.User, Role.Viewer], all.Select(p => p.Role));
        Assert.All(all, p => Assert.Equal(["Password"], p.Credentials));
        Assert.Throws<VaultAuthenticationException>(() => { engine.Lock(); engine.Unlock(VeraPassword, "bob"); });
    }

    [Fact]
    public void Principal_names_are_unique_and_only_an_Admin_adds_principals()
    {
        var duplicate = Assert.Throws<VaultPrincipalExistsException>(() => Engine.NewPrincipal("BOB", Role.User, BobPassword));
        Assert.Equal("PrincipalExists", duplicate.ErrorId);

        var engine = As("bob", BobPassword);
        var denied = Assert.Throws<VaultAccessDeniedException>(() => engine.NewPrincipal("mallory", Role.Admin, BobPassword));
        Assert.Equal(Permissions.ManagePrincipals, denied.Permission);
        AsOwner();
        Assert.DoesNotContain(Engine.GetPrincipals(), p => p.Name == "mallory");
        var record = Engine.GetAuditLog().Last(r => r.Action == "principal-add");
        Assert.Equal(("bob", "denied", "AccessDenied"), (record.Principal, record.Outcome, record.Reason));
        Assert.Contains("manage-principals", record.Detail);
    }

    [Fact]
    public void A_User_creates_and_reads_its_own_keys_but_not_others_until_granted()
    {
        var engine = As("bob", BobPassword);
        Secrets.WriteText(engine, "bob-key", "bob's value");
        Secrets.AssertText("bob's value", SecretValueType.String, engine.GetKey("bob-key"));

        var denied = Assert.Throws<VaultAccessDeniedException>(() => engine.GetKey("owner-key"));
        Assert.Equal(("AccessDenied", "read", "owner-key"), (denied.ErrorId, denied.Permission, denied.Target));
        Assert.Contains("'read'", denied.Message);
        Assert.Throws<VaultAccessDeniedException>(() => Secrets.WriteText(engine, "owner-key", "overwrite"));
        Assert.Throws<VaultAccessDeniedException>(() => engine.RemoveKey("owner-key"));
        Assert.Contains(engine.ListKeys(), k => k.Name == "owner-key"); // metadata is listed to every role

        AsOwner();
        Engine.GrantAccess("owner-key", "bob", KeyPermissions.Read);
        engine = As("bob", BobPassword);
        Secrets.AssertText("owner's value", SecretValueType.String, engine.GetKey("owner-key"));
        var writeDenied = Assert.Throws<VaultAccessDeniedException>(() => Secrets.WriteText(engine, "owner-key", "overwrite"));
        Assert.Equal("write", writeDenied.Permission);
    }

    [Fact]
    public void A_Viewer_lists_reads_only_what_is_granted_and_never_writes()
    {
        var engine = As("vera", VeraPassword);
        Assert.Single(engine.ListKeys());
        Assert.Equal("create", Assert.Throws<VaultAccessDeniedException>(() => Secrets.WriteText(engine, "vera-key", "x")).Permission);
        Assert.Equal("read", Assert.Throws<VaultAccessDeniedException>(() => engine.GetKey("owner-key")).Permission);

        AsOwner();
        var refused = Assert.Throws<VaultInvalidInputException>(() => Engine.GrantAccess("owner-key", "vera", KeyPermissions.Read | KeyPermissions.Write));
        Assert.Contains("Viewer", refused.Message);
        Engine.GrantAccess("owner-key", "vera", KeyPermissions.Read);
        engine = As("vera", VeraPassword);
        Secrets.AssertText("owner's value", SecretValueType.String, engine.GetKey("owner-key"));
        Assert.Equal("write", Assert.Throws<VaultAccessDeniedException>(() => Secrets.WriteText(engine, "owner-key", "x")).Permission);
        Assert.Equal("read-audit", Assert.Throws<VaultAccessDeniedException>(() => engine.GetAuditLog()).Permission);
    }

    [Fact]
    public void Every_refusal_is_an_audit_record_naming_the_missing_permission()
    {
        var engine = As("vera", VeraPassword);
        Assert.Throws<VaultAccessDeniedException>(() => engine.GetKey("owner-key"));
        Assert.Throws<VaultAccessDeniedException>(() => engine.RemoveKey("owner-key"));
        Assert.Throws<VaultAccessDeniedException>(() => engine.SetLockoutPolicy(maxFailures: 9));
        AsOwner();
        var denied = Engine.GetAuditLog().Where(r => r.Outcome == "denied").ToList();
        Assert.Equal(["get", "remove", "lockout-policy"], denied.Select(r => r.Action));
        Assert.All(denied, r => Assert.Equal(("vera", "AccessDenied"), (r.Principal, r.Reason)));
        Assert.Equal(["missing permission: read", "missing permission: delete", "missing permission: manage-lockout-policy"], denied.Select(r => r.Detail));
        Assert.Equal(["owner-key", "owner-key", null], denied.Select(r => r.Name));
    }

    [Fact]
    public void A_grant_by_wildcard_covers_every_matching_key_and_adds_to_what_was_granted()
    {
        Secrets.WriteText(Engine, "api/one", "1");
        Secrets.WriteText(Engine, "api/two", "2");
        var granted = Engine.GrantAccess("api/*", "bob", KeyPermissions.Read);
        Assert.Equal(["api/one", "api/two"], granted.Select(g => g.Key).Order());
        Engine.GrantAccess("api/one", "bob", KeyPermissions.Write);

        var access = Engine.GetAccess(principal: "bob");
        Assert.Equal([("api/one", KeyPermissions.Read | KeyPermissions.Write), ("api/two", KeyPermissions.Read)],
            access.Select(a => (a.Key, a.Permissions)));
        Assert.All(access, a => Assert.Equal("owner", a.GrantedBy));
        Assert.Throws<VaultKeyNotFoundException>(() => Engine.GrantAccess("nothing/*", "bob", KeyPermissions.Read));
        Assert.Throws<VaultPrincipalNotFoundException>(() => Engine.GrantAccess("api/one", "nobody", KeyPermissions.Read));
    }

    [Fact]
    public void A_grantee_may_pass_on_only_what_it_holds()
    {
        Engine.NewPrincipal("carol", Role.User, AdaPassword);
        Engine.GrantAccess("owner-key", "bob", KeyPermissions.Read | KeyPermissions.Grant);
        var engine = As("bob", BobPassword);
        engine.GrantAccess("owner-key", "vera", KeyPermissions.Read);
        var denied = Assert.Throws<VaultAccessDeniedException>(() => engine.GrantAccess("owner-key", "carol", KeyPermissions.Delete));
        Assert.Equal("delete", denied.Permission);
        engine = As("vera", VeraPassword);
        Secrets.AssertText("owner's value", SecretValueType.String, engine.GetKey("owner-key"));
    }

    [Fact]
    public void An_expired_grant_is_refused_at_once_and_removed_from_the_store()
    {
        Engine.GrantAccess("owner-key", "bob", KeyPermissions.Read, _clock.UtcNow.AddHours(1));
        var engine = As("bob", BobPassword);
        Secrets.AssertText("owner's value", SecretValueType.String, engine.GetKey("owner-key"));

        _clock.Advance(TimeSpan.FromHours(1));
        engine = As("bob", BobPassword); // the idle timeout ended the session meanwhile
        var denied = Assert.Throws<VaultAccessDeniedException>(() => engine.GetKey("owner-key"));
        Assert.Contains("expired at 2025-01-01T13:00:00", denied.Message);
        AsOwner();
        Assert.Empty(Engine.GetAccess());
        _vault.Release();
        using var file = new RawVaultFile(_vault.Path);
        Assert.Equal(0L, file.Scalar("SELECT COUNT(*) FROM grants"));
        var bob = FileWriter.PrincipalId(file, "bob");
        Assert.Equal(0L, file.Scalar("SELECT COUNT(*) FROM secret_keys WHERE principal_id = $a0", bob.ToByteArray()));
    }

    [Fact]
    public void An_expiry_in_the_past_is_refused()
    {
        var refused = Assert.Throws<VaultInvalidInputException>(() => Engine.GrantAccess("owner-key", "bob", KeyPermissions.Read, _clock.UtcNow.AddSeconds(-1)));
        Assert.Contains("in the past", refused.Message);
        Assert.Empty(Engine.GetAccess());
    }

    [Fact]
    public void A_revoked_principal_cannot_decrypt_even_reading_the_store_with_its_own_keys()
    {
        Engine.GrantAccess("owner-key", "bob", KeyPermissions.Read);
        var stolen = StealAsBob();
        Assert.Equal("owner's value", stolen.Decrypt()); // the thief's method works while bob holds access

        Engine.RevokeAccess("owner-key", "bob", rotateNow: true);

        Assert.Null(StealAsBob().WrappedKey); // no copy of the data key is left for bob
        Assert.Null(stolen.DecryptWithOldKeyNow()); // the data key bob saw opens nothing the vault holds now
        var engine = As("bob", BobPassword);
        Assert.Equal("read", Assert.Throws<VaultAccessDeniedException>(() => engine.GetKey("owner-key")).Permission);
        AsOwner();
        Secrets.AssertText("owner's value", SecretValueType.String, Engine.GetKey("owner-key"));
    }

    [Fact]
    public void Without_RotateNow_revocation_rotates_the_data_key_at_the_next_write()
    {
        Engine.GrantAccess("owner-key", "bob", KeyPermissions.Read);
        var stolen = StealAsBob();
        Engine.RevokeAccess("owner-key", "bob");
        Assert.Equal("owner's value", stolen.DecryptWithOldKeyNow()); // not rotated yet: what bob could read, he could read before

        Secrets.WriteText(Engine, "owner-key", "after revocation");
        Assert.Null(stolen.DecryptWithOldKeyNow());
        Secrets.AssertText("after revocation", SecretValueType.String, Engine.GetKey("owner-key"));
        Secrets.AssertText("owner's value", SecretValueType.String, Engine.GetKey("owner-key", 1)); // old versions re-encrypted, still readable
    }

    [Fact]
    public void Adding_an_Admin_wraps_every_key_to_it_and_removing_it_rotates_them()
    {
        Secrets.WriteText(Engine, "second", "2");
        Engine.NewPrincipal("ada", Role.Admin, AdaPassword);
        var engine = As("ada", AdaPassword);
        Secrets.AssertText("owner's value", SecretValueType.String, engine.GetKey("owner-key"));
        var stolen = StealAs("ada", AdaPassword, "owner-key");

        AsOwner();
        Engine.RemovePrincipal("ada");

        Assert.Null(stolen.DecryptWithOldKeyNow());
        Assert.Throws<VaultAuthenticationException>(() => As("ada", AdaPassword));
        AsOwner();
        Assert.DoesNotContain(Engine.GetPrincipals(), p => p.Name == "ada");
        Secrets.AssertText("2", SecretValueType.String, Engine.GetKey("second"));
        Assert.True(Engine.VerifyAudit().IsValid); // ada's signed records still verify after she is gone
    }

    [Fact]
    public void Demoting_an_Admin_takes_away_the_keys_it_neither_owns_nor_was_granted()
    {
        Engine.NewPrincipal("ada", Role.Admin, AdaPassword);
        var engine = As("ada", AdaPassword);
        Secrets.WriteText(engine, "ada-key", "ada's value");
        var stolen = StealAs("ada", AdaPassword, "owner-key");

        AsOwner();
        Engine.SetPrincipal("ada", role: Role.User);

        Assert.Null(stolen.DecryptWithOldKeyNow());
        engine = As("ada", AdaPassword);
        Assert.Equal("read", Assert.Throws<VaultAccessDeniedException>(() => engine.GetKey("owner-key")).Permission);
        Secrets.AssertText("ada's value", SecretValueType.String, engine.GetKey("ada-key"));
    }

    [Fact]
    public void The_last_Admin_can_be_neither_removed_nor_demoted_nor_disabled()
    {
        Assert.Contains("last enabled Admin", Assert.Throws<VaultInvalidInputException>(() => Engine.RemovePrincipal("owner")).Message);
        Assert.Throws<VaultInvalidInputException>(() => Engine.SetPrincipal("owner", role: Role.User));
        Assert.Throws<VaultInvalidInputException>(() => Engine.SetPrincipal("owner", disabled: true));
        Assert.Equal(Role.Admin, Engine.GetPrincipals("owner").Single().Role);
    }

    [Fact]
    public void A_disabled_principal_cannot_unlock_and_its_open_session_is_refused()
    {
        var engine = As("bob", BobPassword);
        Secrets.WriteText(engine, "bob-key", "bob's value");
        // An Admin in another process disables bob while bob's session is open here.
        var bobSession = SessionRegistry.Detach(_vault.Path)!;
        Engine.Unlock(TestVault.Password, "owner");
        Engine.SetPrincipal("bob", disabled: true);
        SessionRegistry.Add(bobSession);
        Assert.Equal("PrincipalDisabled", Assert.Throws<VaultPrincipalDisabledException>(() => engine.GetKey("bob-key")).ErrorId);
        Engine.Lock();

        var refused = Assert.Throws<VaultPrincipalDisabledException>(() => Engine.Unlock(BobPassword, "bob"));
        Assert.Equal("PrincipalDisabled", refused.ErrorId);
        Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(VeraPassword, "bob")); // a wrong password learns nothing
        AsOwner();
        Engine.SetPrincipal("bob", disabled: false);
        engine = As("bob", BobPassword);
        Secrets.AssertText("bob's value", SecretValueType.String, engine.GetKey("bob-key"));
    }

    [Fact]
    public void An_Admin_changes_the_lockout_policy_and_clears_a_lockout()
    {
        Engine.SetLockoutPolicy(maxFailures: 2, lockoutDuration: TimeSpan.FromMinutes(5));
        Engine.Lock();
        Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(VeraPassword, "bob"));
        Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(VeraPassword, "bob"));
        var locked = Assert.Throws<VaultPrincipalLockedOutException>(() => Engine.Unlock(BobPassword, "bob"));
        Assert.Contains("12:05:00", locked.Message);

        AsOwner();
        Assert.NotNull(Engine.GetPrincipals("bob").Single().LockedUntil);
        Engine.UnlockPrincipal("bob");
        Assert.Null(Engine.GetPrincipals("bob").Single().LockedUntil);
        As("bob", BobPassword);
        Assert.Equal(2, Engine.GetLockoutPolicy().MaxFailures);
        Assert.Throws<VaultInvalidInputException>(() => { AsOwner(); Engine.SetLockoutPolicy(maxFailures: 0); });
    }

    #region Reading the file as a principal would, without the engine

    private sealed class StolenCopy
    {
        public required string Path { get; init; }
        public required Guid SecretId { get; init; }
        public required Guid VaultId { get; init; }
        public required byte[]? WrappedKey { get; init; }
        public required byte[]? DataKey { get; init; }

        /// <summary>The current value, opened with the data key as unwrapped when the copy was taken.</summary>
        public string? Decrypt() => DecryptWithOldKeyNow();

        /// <summary>Opens the current version in the file as it is now with the data key taken earlier; null when it fails.</summary>
        public string? DecryptWithOldKeyNow()
        {
            if (DataKey is null) return null;
            using var file = new RawVaultFile(Path);
            var row = file.Rows("SELECT v.version, v.value_type, v.nonce, v.cipher, v.tag FROM secret_versions v JOIN secrets s ON s.secret_id = v.secret_id AND v.version = s.current_version WHERE s.secret_id = $a0",
                SecretId.ToByteArray()).Single();
            var box = new SealedBox((byte[])row[2]!, (byte[])row[3]!, (byte[])row[4]!);
            var aad = VaultEngine.ValueAad(VaultId, SecretId, (int)(long)row[0]!, (SecretValueType)(long)row[1]!);
            var plain = new byte[box.Ciphertext.Length];
            if (!Aead.TryOpen(DataKey, box, aad, plain)) return null;
            using var value = SecretCodec.Decode((SecretValueType)(long)row[1]!, plain);
            return value is SecretText text ? Encoding.UTF8.GetString(text.Utf8.ToArray()) : null;
        }
    }

    private StolenCopy StealAsBob() => StealAs("bob", BobPassword, "owner-key");

    /// <summary>
    /// What a principal can get out of the file with its own password and nothing else: its keyslot
    /// opens its private key, which unwraps its copy of a key's data key (if it has one).
    /// </summary>
    private StolenCopy StealAs(string principal, byte[] password, string keyName)
    {
        var secretId = Engine.GetKeyInfo(keyName).Id;
        // Read beside the engine's open connections, as another program on the machine could.
        using var file = new RawVaultFile(_vault.Path);
        var vaultId = FileWriter.VaultId(file);
        var principalId = FileWriter.PrincipalId(file, principal);
        var slot = file.Rows("SELECT keyslot_id, kdf, verifier, nonce, sealed, tag FROM keyslots WHERE principal_id = $a0", principalId.ToByteArray()).Single();
        var keyslot = new KeyslotRecord(new Guid((byte[])slot[0]!), principalId, PasswordKeyslot.Kind, (byte[])slot[1]!, (byte[])slot[2]!,
            new SealedBox((byte[])slot[3]!, (byte[])slot[4]!, (byte[])slot[5]!), 0);
        using var scalars = PasswordKeyslot.Open(vaultId, keyslot, password, principal);
        var wrapped = file.Rows("SELECT k.nonce, k.cipher, k.tag, sk.public_key FROM secret_keys k JOIN sender_keys sk ON sk.sender_id = k.sender_id WHERE k.secret_id = $a0 AND k.principal_id = $a1",
            secretId.ToByteArray(), principalId.ToByteArray()).SingleOrDefault();
        byte[]? dataKey = null;
        if (wrapped != null)
        {
            var ecdhPublic = FileWriter.EcdhPublic(file, principalId);
            using var own = EcKeys.ImportEcdhPrivate(scalars.ReadOnlySpan[..EcKeys.PrivateKeySize], ecdhPublic, "own key");
            using var sender = EcKeys.ImportEcdhPublic((byte[])wrapped[3]!, "sender");
            using var pair = KeyWrap.PairKey(own, sender, (byte[])wrapped[3]!, ecdhPublic);
            using var key = KeyWrap.Unwrap(pair.ReadOnlySpan, new SealedBox((byte[])wrapped[0]!, (byte[])wrapped[1]!, (byte[])wrapped[2]!),
                new WrapContext(WrapPurpose.DataKey, vaultId, secretId, principalId), "data key");
            dataKey = key.ToArray();
        }
        return new StolenCopy { Path = _vault.Path, SecretId = secretId, VaultId = vaultId, WrappedKey = wrapped is null ? null : (byte[])wrapped[1]!, DataKey = dataKey };
    }

    #endregion
}
