using System.Security.Cryptography.X509Certificates;
using SecureVault.Access;
using SecureVault.Identity;
using SecureVault.Rotation;
using SecureVault.Sessions;

namespace SecureVault.Tests;

/// <summary>
/// Update-VaultEncryptionKey in the engine: every data key rotated and the metadata key replaced,
/// checked in the file itself with keys taken out of it beforehand; every principal (password and
/// certificate) still reads everything; the audit trail still verifies and names its keys; other
/// sessions must unlock again; an interrupted rekey leaves a readable vault and resumes.
/// </summary>
public sealed class RekeyTests : IDisposable
{
    private readonly RotationVault _v = new();
    private readonly X509Certificate2 _jobCertificate;

    /// <summary>Every key and the value of its current version.</summary>
    private readonly Dictionary<string, string> _values = new()
    {
        ["a"] = "a second",
        ["b"] = "b value",
        ["bob-key"] = "bob's value",
        ["job-key"] = "job's value",
    };

    public RekeyTests()
    {
        _jobCertificate = _v.NewCertificate("rotation-job");
        Engine.NewPrincipal("bob", Role.User, RotationVault.BobPassword);
        Engine.NewPrincipal("rotation-job", Role.User, _jobCertificate);
        _v.Write("a", "a first");
        _v.Write("a", "a second");
        _v.Write("b", "b value", new KeyUpdate(Service: "billing"));
        Engine.GrantAccess("a", "bob", KeyPermissions.Read);
        Engine.GrantAccess("a", "rotation-job", KeyPermissions.Read | KeyPermissions.Rotate);
        Engine.SetRotationPolicy("b", new RotationPolicyChange(MaxAge: TimeSpan.FromDays(30), Warning: TimeSpan.FromDays(5)));
        Engine.AddRotationExemption("billing", null, "billing freeze", _v.Clock.UtcNow.AddDays(60));
        Secrets.WriteText(_v.As("bob", RotationVault.BobPassword), "bob-key", "bob's value");
        Secrets.WriteText(_v.As(_jobCertificate), "job-key", "job's value");
        _v.AsOwner();
    }

    public void Dispose()
    {
        _v.Dispose();
        _jobCertificate.Dispose();
    }

    private VaultEngine Engine => _v.Engine;

    private string Path => _v.Vault.Path;

    [Fact]
    public void A_rekey_rotates_every_data_key_and_wraps_a_new_metadata_key_to_every_principal()
    {
        var wrappedBefore = WrappedDataKeys();
        var principalsBefore = WrappedMetadataKeys();
        var ids = Engine.ListKeys().ToDictionary(k => k.Name, k => k.Id);
        var oldDataKeys = ids.ToDictionary(k => k.Key, k => StolenKeys.DataKey(Path, "owner", TestVault.Password, k.Value)!);
        var oldMetadataKey = StolenKeys.MetadataKey(Path, "owner", TestVault.Password);

        var result = Engine.RekeyVault();

        Assert.Equal((4, 1, false), (result.DataKeysRotated, result.Generation, result.Resumed));
        Assert.True(result.MetadataRecords >= 4 + 3, $"{result.MetadataRecords} metadata records");
        Assert.Equal(Path, result.Vault);

        var wrappedAfter = WrappedDataKeys();
        Assert.Equal(wrappedBefore.Keys.Order(), wrappedAfter.Keys.Order()); // the same holders
        Assert.All(wrappedBefore, w => Assert.NotEqual(w.Value, wrappedAfter[w.Key]));
        var principalsAfter = WrappedMetadataKeys();
        Assert.Equal(principalsBefore.Keys.Order(), principalsAfter.Keys.Order());
        Assert.All(principalsBefore, p => Assert.NotEqual(p.Value, principalsAfter[p.Key]));

        foreach (var (name, id) in ids)
        {
            // Every kept version is now under a new data key: the old one opens none of them.
            var (openedByOld, versions) = StolenKeys.VersionsOpenedBy(Path, id, oldDataKeys[name]);
            Assert.True(openedByOld == 0, $"{name}: the old data key still opens {openedByOld} of {versions} versions");
            var newDataKey = StolenKeys.DataKey(Path, "owner", TestVault.Password, id)!;
            Assert.Equal((versions, versions), StolenKeys.VersionsOpenedBy(Path, id, newDataKey));
        }
        var newMetadataKey = StolenKeys.MetadataKey(Path, "owner", TestVault.Password);
        Assert.Equal((0, 4), StolenKeys.MetadataOpenedBy(Path, oldMetadataKey));
        Assert.Equal((4, 4), StolenKeys.MetadataOpenedBy(Path, newMetadataKey));
        Assert.False(StolenKeys.FindsName(Path, oldMetadataKey, "a"));
        Assert.True(StolenKeys.FindsName(Path, newMetadataKey, "a"));

        using var file = new RawVaultFile(Path);
        Assert.Equal(1L, file.Scalar("SELECT COUNT(*) FROM metadata_key_links"));
        Assert.Equal(0L, file.Scalar("SELECT COUNT(*) FROM rekey_progress"));
    }

    [Fact]
    public void After_a_rekey_every_key_reads_the_same_for_the_Admin_a_password_User_and_a_certificate_principal()
    {
        Engine.RekeyVault();

        AssertEveryKeyReads(Engine); // the rekeying session goes on
        Assert.Equal("a first", Secrets.ReadText(Engine, "a", 1));
        AssertEveryKeyReads(_v.AsOwner());
        var bob = _v.As("bob", RotationVault.BobPassword);
        Assert.Equal(_values["bob-key"], Secrets.ReadText(bob, "bob-key"));
        Assert.Equal(_values["a"], Secrets.ReadText(bob, "a"));
        Assert.Equal("read", Assert.Throws<VaultAccessDeniedException>(() => bob.GetKey("b")).Permission); // access unchanged
        var job = _v.As(_jobCertificate);
        Assert.Equal(_values["job-key"], Secrets.ReadText(job, "job-key"));
        Assert.Equal(_values["a"], Secrets.ReadText(job, "a"));
        Assert.Equal(3, _v.Rotate("a", "rotated by the job").Version); // its Rotate grant survived (re-MAC'd)
    }

    [Fact]
    public void Rotation_policies_and_exemptions_survive_a_rekey()
    {
        Engine.RekeyVault();
        var engine = _v.AsOwner();
        Assert.Equal(TimeSpan.FromDays(30), Assert.Single(engine.GetRotationPolicy("b")).MaxAge);
        Assert.Equal("billing freeze", Assert.Single(engine.GetRotationExemptions()).Reason);
        Assert.Equal(RotationState.Exempt, _v.State("b"));
    }

    [Fact]
    public void The_audit_chain_still_verifies_and_records_from_before_the_rekey_still_name_their_keys()
    {
        var namesBefore = SetRecordNames(Engine);
        Assert.Equal(["a", "a", "b", "bob-key", "job-key"], namesBefore);

        Engine.RekeyVault();

        Assert.True(Engine.VerifyAudit().IsValid);
        Assert.Equal(namesBefore, SetRecordNames(Engine));
        var engine = _v.AsOwner();
        Assert.Equal(namesBefore, SetRecordNames(engine));
        var verification = engine.VerifyAudit();
        Assert.True(verification.IsValid, $"{verification.Reason}: {verification.Detail}");
        var rekeys = engine.GetAuditLog(new AuditFilter { Action = "rekey" });
        Assert.NotEmpty(rekeys);
        Assert.All(rekeys, r => Assert.Equal(("owner", "success"), (r.Principal, r.Outcome)));
    }

    [Fact]
    public void A_session_opened_before_the_rekey_elsewhere_must_unlock_again()
    {
        // Bob's session in "another process": taken out of this process's registry while the Admin rekeys.
        _v.As("bob", RotationVault.BobPassword);
        var bobSession = SessionRegistry.Detach(Path)!;
        Engine.Unlock(TestVault.Password, "owner");
        Engine.RekeyVault();
        SessionRegistry.Detach(Path)!.Dispose();
        SessionRegistry.Add(bobSession);

        var locked = Assert.Throws<VaultLockedException>(() => Engine.GetKey("bob-key"));
        Assert.Equal("VaultLocked", locked.ErrorId);
        Assert.Throws<VaultLockedException>(() => Engine.ListKeys());

        Engine.Lock();
        Engine.Unlock(RotationVault.BobPassword, "bob");
        Assert.Equal(_values["bob-key"], Secrets.ReadText(Engine, "bob-key"));
    }

    [Fact]
    public void A_session_from_before_the_rekey_cannot_write_under_the_old_metadata_key()
    {
        _v.As("bob", RotationVault.BobPassword);
        var bobSession = SessionRegistry.Detach(Path)!;
        Engine.Unlock(TestVault.Password, "owner");
        Engine.RekeyVault();
        var ownerSession = SessionRegistry.Detach(Path)!;
        SessionRegistry.Add(bobSession);

        Assert.Throws<VaultLockedException>(() => Secrets.WriteText(Engine, "bob-new", "written with the old keys"));

        SessionRegistry.Add(ownerSession); // replaces (and closes) bob's session
        Assert.DoesNotContain(Engine.ListKeys(), k => k.Name == "bob-new");
        AssertEveryKeyReads(Engine);
        using var file = new RawVaultFile(Path);
        Assert.Equal(4L, file.Scalar("SELECT COUNT(*) FROM secrets"));
    }

    [Fact]
    public void A_second_rekey_makes_generation_2_and_everything_still_reads_and_verifies()
    {
        var namesBefore = SetRecordNames(Engine);
        var first = StolenKeys.MetadataKey(Path, "owner", TestVault.Password);
        Assert.Equal(1, Engine.RekeyVault().Generation);
        var second = StolenKeys.MetadataKey(Path, "owner", TestVault.Password);
        _v.Rotate("b", "b between rekeys");
        _values["b"] = "b between rekeys";

        var result = Engine.RekeyVault();

        Assert.Equal((2, false, 4), (result.Generation, result.Resumed, result.DataKeysRotated));
        Assert.Equal((0, 4), StolenKeys.MetadataOpenedBy(Path, first));
        Assert.Equal((0, 4), StolenKeys.MetadataOpenedBy(Path, second));
        AssertEveryKeyReads(_v.AsOwner());
        Assert.Equal(_values["a"], Secrets.ReadText(_v.As("bob", RotationVault.BobPassword), "a"));
        Assert.Equal(_values["job-key"], Secrets.ReadText(_v.As(_jobCertificate), "job-key"));
        var engine = _v.AsOwner();
        Assert.True(engine.VerifyAudit().IsValid);
        Assert.Equal(namesBefore, SetRecordNames(engine).Take(namesBefore.Count));
        using var file = new RawVaultFile(Path);
        Assert.Equal([1L, 2L], file.Rows("SELECT generation FROM metadata_key_links ORDER BY generation").Select(r => (long)r[0]!));
    }

    [Fact]
    public void An_interrupted_rekey_leaves_every_key_readable_and_the_next_run_resumes_where_it_stopped()
    {
        for (int i = 0; i < 4; i++)
        {
            _v.Write($"more-{i}", $"more value {i}");
            _values[$"more-{i}"] = $"more value {i}";
        }
        using var cancel = new CancellationTokenSource();
        var progress = new List<RotationProgressInfo>();

        Assert.ThrowsAny<OperationCanceledException>(() => Engine.RekeyVault(p =>
        {
            progress.Add(p);
            if (p.Done >= 2) cancel.Cancel();
        }, batchSize: 1, cancellation: cancel.Token));

        Assert.Equal(2, progress[^1].Done);
        Assert.All(progress, p => Assert.Equal(8, p.Total));
        using (var file = new RawVaultFile(Path))
        {
            Assert.Equal(1L, file.Scalar("SELECT COUNT(*) FROM rekey_progress"));
            Assert.Equal(0L, file.Scalar("SELECT COUNT(*) FROM metadata_key_links")); // the metadata key is not replaced yet
        }
        AssertEveryKeyReads(Engine);
        Assert.Equal(_values["a"], Secrets.ReadText(_v.As("bob", RotationVault.BobPassword), "a"));
        Assert.Equal(_values["job-key"], Secrets.ReadText(_v.As(_jobCertificate), "job-key"));
        var engine = _v.AsOwner();
        AssertEveryKeyReads(engine);
        _v.Write("written-meanwhile", "new while interrupted");
        _values["written-meanwhile"] = "new while interrupted";

        var resumed = engine.RekeyVault(batchSize: 1);

        Assert.True(resumed.Resumed);
        Assert.Equal(1, resumed.Generation);
        Assert.InRange(resumed.DataKeysRotated, 6, 7); // the 6 not done yet, and the new key if its id sorts after the cursor
        AssertEveryKeyReads(engine);
        AssertEveryKeyReads(_v.AsOwner());
        Assert.Equal(_values["bob-key"], Secrets.ReadText(_v.As("bob", RotationVault.BobPassword), "bob-key"));
        Assert.True(_v.AsOwner().VerifyAudit().IsValid);
        using (var file = new RawVaultFile(Path))
        {
            Assert.Equal(0L, file.Scalar("SELECT COUNT(*) FROM rekey_progress"));
            Assert.Equal(1L, file.Scalar("SELECT COUNT(*) FROM metadata_key_links"));
        }
        Assert.False(Engine.RekeyVault().Resumed); // the next rekey starts afresh
    }

    [Fact]
    public void Only_an_Admin_may_rekey_and_a_refusal_changes_nothing()
    {
        var bob = _v.As("bob", RotationVault.BobPassword);
        var denied = Assert.Throws<VaultAccessDeniedException>(() => bob.RekeyVault());
        Assert.Equal(("AccessDenied", "rekey"), (denied.ErrorId, denied.Permission));
        Assert.Equal("InvalidInput", Assert.Throws<VaultInvalidInputException>(() => _v.AsOwner().RekeyVault(batchSize: 0)).ErrorId);

        using (var file = new RawVaultFile(Path))
        {
            Assert.Equal(0L, file.Scalar("SELECT COUNT(*) FROM rekey_progress"));
            Assert.Equal(0L, file.Scalar("SELECT COUNT(*) FROM metadata_key_links"));
        }
        var record = Assert.Single(Engine.GetAuditLog(new AuditFilter { Action = "rekey" }));
        Assert.Equal(("bob", "denied", "AccessDenied"), (record.Principal, record.Outcome, record.Reason));
    }

    [Fact]
    public void A_principal_removed_before_a_rekey_cannot_open_the_metadata_written_after_it()
    {
        Engine.NewPrincipal("vera", Role.Viewer, RotationVault.VeraPassword);
        var kept = StolenKeys.MetadataKey(Path, "vera", RotationVault.VeraPassword);
        Assert.Equal((4, 4), StolenKeys.MetadataOpenedBy(Path, kept)); // what vera could take while she was a principal
        Engine.RemovePrincipal("vera");
        _v.Write("written-after-removal", "x");
        // Removal alone does not change the metadata key: what she kept still opens new metadata.
        Assert.Equal((5, 5), StolenKeys.MetadataOpenedBy(Path, kept));

        Engine.RekeyVault();
        _v.Write("written-after-rekey", "y");
        _v.Rotate("a", "a third");

        Assert.Equal((0, 6), StolenKeys.MetadataOpenedBy(Path, kept));
        Assert.False(StolenKeys.FindsName(Path, kept, "written-after-rekey"));
        Assert.False(StolenKeys.FindsName(Path, kept, "a"));
        Assert.True(StolenKeys.FindsName(Path, StolenKeys.MetadataKey(Path, "owner", TestVault.Password), "written-after-rekey"));
    }

    [Fact]
    public void After_a_rekey_each_principal_s_next_unlock_commits_its_keyslot_to_the_new_metadata_key()
    {
        Engine.NewPrincipal("vera", Role.Viewer, RotationVault.VeraPassword);
        Engine.RekeyVault();

        _v.As("bob", RotationVault.BobPassword);
        _v.As(_jobCertificate);
        _v.As("bob", RotationVault.BobPassword); // already renewed: nothing more to do
        var renewals = _v.AsOwner().GetAuditLog(new AuditFilter { Action = "keyslot-renew" });

        Assert.Equal(["bob", "rotation-job", "owner"], renewals.Select(r => r.Principal));
        Assert.All(renewals, r => Assert.Equal("success", r.Outcome));
        // Renewed keyslots no longer need the chain of older metadata keys; vera's, never renewed, still does.
        var engine = _v.Vault.Modify(f => f.Execute("DELETE FROM metadata_key_links"));
        Assert.Throws<VaultIntegrityException>(() => engine.Unlock(RotationVault.VeraPassword, "vera"));
        engine.Unlock(RotationVault.BobPassword, "bob");
        Assert.Equal("bob's value", Secrets.ReadText(engine, "bob-key"));
    }

    [Fact]
    public void A_keyslot_put_back_from_before_its_renewal_is_refused()
    {
        const string BobsKeyslot = "FROM keyslots WHERE principal_id = (SELECT principal_id FROM principals WHERE name = 'bob')";
        Engine.RekeyVault();
        object?[] before;
        using (var file = new RawVaultFile(Path))
            before = file.Rows("SELECT kdf, verifier, nonce, sealed, tag " + BobsKeyslot).Single();
        _v.As("bob", RotationVault.BobPassword); // renews bob's keyslot
        _v.AsOwner();

        var engine = _v.Vault.Modify(f => f.Execute(
            "UPDATE keyslots SET kdf = $a0, verifier = $a1, nonce = $a2, sealed = $a3, tag = $a4 WHERE keyslot_id = (SELECT keyslot_id " + BobsKeyslot + ")",
            before.Select(x => x!).ToArray()));

        Assert.Throws<VaultIntegrityException>(() => engine.Unlock(RotationVault.BobPassword, "bob"));
    }

    private void AssertEveryKeyReads(VaultEngine engine)
    {
        foreach (var (name, value) in _values)
            Assert.True(value == Secrets.ReadText(engine, name), $"key '{name}' does not read its value");
    }

    private static List<string?> SetRecordNames(VaultEngine engine) =>
        engine.GetAuditLog(new AuditFilter { Action = "set" }).Select(r => r.Name).ToList();

    /// <summary>Each wrapped data key in the file, by key and holder.</summary>
    private Dictionary<string, byte[]> WrappedDataKeys()
    {
        using var file = new RawVaultFile(Path);
        return file.Rows("SELECT secret_id, principal_id, cipher FROM secret_keys")
            .ToDictionary(r => Convert.ToHexString((byte[])r[0]!) + "/" + Convert.ToHexString((byte[])r[1]!), r => (byte[])r[2]!);
    }

    /// <summary>Each principal's wrapped metadata key in the file.</summary>
    private Dictionary<string, byte[]> WrappedMetadataKeys()
    {
        using var file = new RawVaultFile(Path);
        return file.Rows("SELECT name, mk_cipher FROM principals").ToDictionary(r => (string)r[0]!, r => (byte[])r[1]!);
    }
}
