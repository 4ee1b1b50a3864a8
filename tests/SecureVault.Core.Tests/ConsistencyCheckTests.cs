using SecureVault.Access;
using SecureVault.Identity;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>
/// The consistency check (Test-Vault, securevault check) and the reads that consult the signed
/// audit log when no row answers (file-format G6): a row deleted from the file, or lost with a
/// damaged journal frame, is reported and read as an integrity violation, never as "not found".
/// Each test damages a real vault file with plain SQL or bytes.
/// </summary>
public sealed class ConsistencyCheckTests : IDisposable
{
    private static readonly byte[] BobPassword = "bob's own correct password"u8.ToArray();
    private readonly TestVault _vault = new();

    private VaultEngine Engine => _vault.Engine;

    [Fact]
    public void A_vault_used_normally_is_consistent_and_a_removed_key_still_reads_as_not_found()
    {
        Write("alpha", "one");
        Write("alpha", "two");
        Write("gone", "soon removed");
        Engine.NewPrincipal("bob", Role.User, BobPassword);
        Engine.GrantAccess("alpha", "bob", KeyPermissions.Read);
        Write("beta", "three");
        Engine.GrantAccess("beta", "bob", KeyPermissions.Read);
        Engine.RevokeAccess("beta", "bob");
        Engine.RemoveKey("gone");
        Engine.NewPrincipal("carol", Role.Viewer, BobPassword);
        Engine.RemovePrincipal("carol");

        var report = Engine.CheckVault();

        Assert.True(report.IsConsistent, string.Join("; ", report.Findings));
        Assert.Empty(report.Findings);
        Assert.Equal(2, report.KeysChecked);
        Assert.Equal(3, report.VersionsChecked);
        Assert.Equal(2, report.PrincipalsChecked);
        Assert.Equal(2, report.KeyslotsChecked);
        Assert.Equal(1, report.GrantsChecked);
        Assert.True(report.AuditRecordsChecked > 10);
        Assert.Throws<VaultKeyNotFoundException>(() => Engine.GetKey("gone"));
        Assert.Throws<VaultKeyNotFoundException>(() => Engine.GetKey("never-written"));
    }

    [Fact]
    public void A_deleted_version_row_is_reported_missing_and_reading_it_is_an_integrity_violation()
    {
        Write("k", "v1");
        Write("k", "v2");
        Write("k", "v3");
        var engine = _vault.Modify(f => Assert.Equal(1, f.Execute("DELETE FROM secret_versions WHERE version = 2")));
        engine.Unlock(TestVault.Password, "owner");

        var finding = Assert.Single(engine.CheckVault().Findings);
        Assert.Equal(VaultCheckFindingKind.Missing, finding.Kind);
        Assert.Equal("secret_versions", finding.Table);
        Assert.Equal("k", finding.Name);
        Assert.Equal(2, finding.Version);

        var refused = Assert.Throws<VaultIntegrityException>(() => engine.GetKey("k", 2));
        Assert.Contains("Restore-Vault", refused.Message);
        Assert.Contains("Test-Vault", refused.Message);
        // A version the key never kept is still only not found; the others still read.
        Assert.Throws<VaultKeyVersionNotFoundException>(() => engine.GetKey("k", 9));
        Assert.Equal("v3", Secrets.ReadText(engine, "k"));
        Assert.Equal("v1", Secrets.ReadText(engine, "k", 1));
    }

    [Fact]
    public void A_deleted_key_row_is_reported_missing_and_every_lookup_by_name_is_an_integrity_violation()
    {
        Write("k", "value");
        Write("other", "stays");
        var id = KeyId("k");
        var engine = _vault.Modify(f =>
        {
            foreach (var table in new[] { "secret_versions", "secret_keys", "secrets" })
                f.Execute($"DELETE FROM {table} WHERE secret_id = $a0", id.ToByteArray());
        });
        engine.Unlock(TestVault.Password, "owner");

        var finding = Assert.Single(engine.CheckVault().Findings);
        Assert.Equal(VaultCheckFindingKind.Missing, finding.Kind);
        Assert.Equal("secrets", finding.Table);
        Assert.Equal("k", finding.Name);
        Assert.Equal(id, finding.Id);

        Assert.Throws<VaultIntegrityException>(() => engine.GetKey("k"));
        Assert.Throws<VaultIntegrityException>(() => engine.GetKey("K")); // names are case-insensitive
        Assert.Throws<VaultIntegrityException>(() => engine.GetKeyInfo("k"));
        Assert.Throws<VaultIntegrityException>(() => engine.RemoveKey("k"));
        Assert.Throws<VaultKeyNotFoundException>(() => engine.GetKey("never-written"));
        Assert.Equal("stays", Secrets.ReadText(engine, "other"));
    }

    [Fact]
    public void The_log_index_of_a_session_follows_records_written_after_its_first_not_found()
    {
        Write("early", "value");
        Assert.Throws<VaultKeyNotFoundException>(() => Engine.GetKey("late")); // builds the session's index
        Write("late", "value");
        var id = KeyId("late");
        // Deleted by another connection while the session stays open: no reopen resets the index.
        using (var file = new RawVaultFile(_vault.Path))
            Assert.Equal(1, file.Execute("DELETE FROM secrets WHERE secret_id = $a0", id.ToByteArray()));

        Assert.Throws<VaultIntegrityException>(() => Engine.GetKey("late"));
        Assert.Throws<VaultKeyNotFoundException>(() => Engine.GetKey("never-written"));
    }

    [Fact]
    public void A_viewer_sees_a_missing_key_by_id_only_as_it_may_not_read_the_log()
    {
        Write("k", "value");
        Engine.NewPrincipal("vera", Role.Viewer, BobPassword);
        var id = KeyId("k");
        var engine = _vault.Modify(f => f.Execute("DELETE FROM secrets WHERE secret_id = $a0", id.ToByteArray()));
        engine.Unlock(BobPassword, "vera");

        var missing = Assert.Single(engine.CheckVault().Findings, f => f.Table == "secrets");
        Assert.Equal(VaultCheckFindingKind.Missing, missing.Kind);
        Assert.Equal(id, missing.Id);
        Assert.Null(missing.Name);
    }

    [Fact]
    public void A_deleted_principal_row_is_reported_missing()
    {
        Engine.NewPrincipal("bob", Role.User, BobPassword);
        var engine = _vault.Modify(f =>
        {
            f.Execute("DELETE FROM keyslots WHERE principal_id = (SELECT principal_id FROM principals WHERE name = 'bob')");
            Assert.Equal(1, f.Execute("DELETE FROM principals WHERE name = 'bob'"));
        });
        engine.Unlock(TestVault.Password, "owner");

        var finding = Assert.Single(engine.CheckVault().Findings);
        Assert.Equal(VaultCheckFindingKind.Missing, finding.Kind);
        Assert.Equal("principals", finding.Table);
        Assert.Equal("bob", finding.Name);
    }

    [Fact]
    public void A_deleted_keyslot_row_is_reported_missing()
    {
        Engine.NewPrincipal("bob", Role.User, BobPassword);
        var engine = _vault.Modify(f =>
            Assert.Equal(1, f.Execute("DELETE FROM keyslots WHERE principal_id = (SELECT principal_id FROM principals WHERE name = 'bob')")));
        engine.Unlock(TestVault.Password, "owner");

        var findings = engine.CheckVault().Findings;
        Assert.NotEmpty(findings);
        Assert.All(findings, f => Assert.Equal(VaultCheckFindingKind.Missing, f.Kind));
        Assert.All(findings, f => Assert.Equal("keyslots", f.Table));
        Assert.All(findings, f => Assert.Equal("bob", f.Name));
        Assert.Contains(findings, f => f.AuditSeq != null); // the principal-add record names the keyslot
    }

    [Fact]
    public void A_deleted_grant_row_is_reported_missing()
    {
        Write("k", "value");
        Engine.NewPrincipal("bob", Role.User, BobPassword);
        Engine.GrantAccess("k", "bob", KeyPermissions.Read);
        var engine = _vault.Modify(f => Assert.Equal(1, f.Execute("DELETE FROM grants")));
        engine.Unlock(TestVault.Password, "owner");

        var finding = Assert.Single(engine.CheckVault().Findings);
        Assert.Equal(VaultCheckFindingKind.Missing, finding.Kind);
        Assert.Equal("grants", finding.Table);
        Assert.Equal("k", finding.Name);
    }

    [Fact]
    public void Rows_of_a_removed_key_copied_back_from_an_older_file_are_reported_restored()
    {
        Write("k", "value");
        _vault.Release();
        var before = Path.Combine(_vault.Folder, "before.vault");
        File.Copy(_vault.Path, before);
        _vault.Reopen().Unlock(TestVault.Password);
        _vault.Engine.RemoveKey("k");

        var engine = _vault.Modify(f =>
        {
            f.Execute("ATTACH DATABASE $a0 AS old", before);
            foreach (var table in new[] { "secrets", "secret_keys", "secret_versions" })
                Assert.Equal(1, f.Execute($"INSERT INTO main.{table} SELECT * FROM old.{table}"));
            f.Execute("DETACH DATABASE old");
        });
        engine.Unlock(TestVault.Password, "owner");

        var finding = Assert.Single(engine.CheckVault().Findings);
        Assert.Equal(VaultCheckFindingKind.Restored, finding.Kind);
        Assert.Equal("secrets", finding.Table);
        Assert.Equal("k", finding.Name);
    }

    [Fact]
    public void A_removed_principal_and_a_revoked_grant_copied_back_from_an_older_file_are_reported_restored()
    {
        Write("k", "value");
        Engine.NewPrincipal("bob", Role.User, BobPassword);
        Engine.GrantAccess("k", "bob", KeyPermissions.Read);
        Engine.NewPrincipal("carol", Role.Viewer, BobPassword);
        _vault.Release();
        var before = Path.Combine(_vault.Folder, "before.vault");
        File.Copy(_vault.Path, before);
        _vault.Reopen().Unlock(TestVault.Password, "owner");
        _vault.Engine.RevokeAccess("k", "bob");
        _vault.Engine.RemovePrincipal("carol");

        var engine = _vault.Modify(f =>
        {
            f.Execute("ATTACH DATABASE $a0 AS old", before);
            f.Execute("INSERT INTO main.principals SELECT * FROM old.principals WHERE name = 'carol'");
            f.Execute("INSERT INTO main.keyslots SELECT * FROM old.keyslots WHERE principal_id = (SELECT principal_id FROM old.principals WHERE name = 'carol')");
            Assert.Equal(1, f.Execute("INSERT INTO main.grants SELECT * FROM old.grants"));
            f.Execute("DETACH DATABASE old");
        });
        engine.Unlock(TestVault.Password, "owner");

        var findings = engine.CheckVault().Findings;
        Assert.Contains(findings, f => f is { Kind: VaultCheckFindingKind.Restored, Table: "principals", Name: "carol" });
        Assert.Contains(findings, f => f is { Kind: VaultCheckFindingKind.Restored, Table: "grants", Name: "k" });
        Assert.All(findings, f => Assert.Equal(VaultCheckFindingKind.Restored, f.Kind));
    }

    [Fact]
    public void A_version_row_the_key_never_kept_is_reported_unexpected()
    {
        Write("k", "value");
        var engine = _vault.Modify(f =>
            Assert.Equal(1, f.Execute("INSERT INTO secret_versions SELECT secret_id, 7, value_type, nonce, cipher, tag, created_ms FROM secret_versions")));
        engine.Unlock(TestVault.Password, "owner");

        var finding = Assert.Single(engine.CheckVault().Findings);
        Assert.Equal(VaultCheckFindingKind.Unexpected, finding.Kind);
        Assert.Equal(7, finding.Version);
    }

    [Fact]
    public void The_check_is_audited_with_its_outcome()
    {
        Write("k", "value");
        Assert.True(Engine.CheckVault().IsConsistent);
        var engine = _vault.Modify(f => f.Execute("DELETE FROM secret_versions"));
        engine.Unlock(TestVault.Password, "owner");
        Assert.False(engine.CheckVault().IsConsistent);

        var records = engine.GetAuditLog(new AuditFilter { Action = "check" });
        Assert.Equal(2, records.Count);
        Assert.Equal("success", records[0].Outcome);
        Assert.Equal("error", records[1].Outcome);
        Assert.Equal("IntegrityViolation", records[1].Reason);
        Assert.True(engine.VerifyAudit().IsValid);
    }

    [Fact]
    public void Damage_to_a_late_wal_frame_drops_the_newest_commits_and_is_reported()
    {
        Write("early", "committed before the copy");
        var names = Enumerable.Range(0, 8).Select(i => $"late{i}").ToArray();
        foreach (var name in names) Write(name, "value of " + name);
        // A copy taken while the session is open: the newest commits sit in the -wal file.
        var copy = Path.Combine(_vault.Folder, "copy");
        Directory.CreateDirectory(copy);
        File.Copy(_vault.Path, Path.Combine(copy, "test.vault"));
        File.Copy(_vault.Path + "-wal", Path.Combine(copy, "test.vault-wal"));
        _vault.Release(); // the lock record is the head this profile remembers
        var wal = File.ReadAllBytes(Path.Combine(copy, "test.vault-wal"));
        int pageSize = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan(8));
        int frames = (wal.Length - 32) / (24 + pageSize);
        Assert.True(frames > 8, $"only {frames} frames in the journal");
        int damaged = frames * 3 / 4;
        wal[32 + damaged * (24 + pageSize) + 24 + pageSize / 2] ^= 0x01; // a byte of that frame's page
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_vault.Path + suffix);
        File.Copy(Path.Combine(copy, "test.vault"), _vault.Path);
        File.WriteAllBytes(_vault.Path + "-wal", wal);

        var engine = _vault.Reopen();
        var unlocked = engine.Unlock(TestVault.Password, "owner");
        Assert.Contains(unlocked.Warnings, w => w.Contains("gone backwards"));

        var lost = names.Where(n => !Readable(engine, n)).ToList();
        Assert.NotEmpty(lost);
        Assert.Equal("committed before the copy", Secrets.ReadText(engine, "early"));
        foreach (var name in lost) Assert.Throws<VaultIntegrityException>(() => engine.GetKey(name));

        var report = engine.CheckVault();
        Assert.Contains(report.Findings, f => f.Kind == VaultCheckFindingKind.Chain);
        // Reported once: after a check, a name the log never saw is only not found again.
        Assert.True(engine.CheckVault().IsConsistent);
        Assert.Throws<VaultKeyNotFoundException>(() => engine.GetKey(lost[0]));
    }

    [Fact]
    public void A_principal_removed_and_added_again_under_its_name_is_consistent()
    {
        // principal-add files its keyslot under the name; principal-remove takes the keyslot with it.
        Engine.NewPrincipal("carol", Role.User, BobPassword);
        Engine.RemovePrincipal("carol");
        Engine.NewPrincipal("carol", Role.User, BobPassword);

        var report = Engine.CheckVault();

        Assert.True(report.IsConsistent, string.Join("; ", report.Findings));
    }

    [Fact]
    public void Grants_of_a_principal_removed_and_added_again_are_consistent_and_a_new_grant_is_still_checked()
    {
        Write("k", "value");
        Write("other", "value");
        Engine.NewPrincipal("carol", Role.User, BobPassword);
        Engine.GrantAccess("k", "carol", KeyPermissions.Read);
        Engine.GrantAccess("other", "carol", KeyPermissions.Read);
        Engine.RemovePrincipal("carol");
        Engine.NewPrincipal("carol", Role.User, BobPassword);
        Engine.GrantAccess("other", "carol", KeyPermissions.Read);

        var report = Engine.CheckVault();
        Assert.True(report.IsConsistent, string.Join("; ", report.Findings));

        // The grant given to the new carol is expected; its row deleted is reported.
        var engine = _vault.Modify(f => Assert.Equal(1, f.Execute("DELETE FROM grants")));
        engine.Unlock(TestVault.Password, "owner");
        var finding = Assert.Single(engine.CheckVault().Findings);
        Assert.Equal((VaultCheckFindingKind.Missing, "grants", "other"), (finding.Kind, finding.Table, finding.Name));
    }

    [Fact]
    public void A_key_removed_and_written_again_under_its_name_is_consistent_and_reads()
    {
        Write("k", "old");
        Engine.NewPrincipal("bob", Role.User, BobPassword);
        Engine.GrantAccess("k", "bob", KeyPermissions.Read);
        Engine.RemoveKey("k");
        Write("k", "new");

        var report = Engine.CheckVault();
        Assert.True(report.IsConsistent, string.Join("; ", report.Findings));
        Assert.Equal("new", Secrets.ReadText(Engine, "k"));

        // The new key's row deleted: the log's newest record for the name is the new write.
        var id = Engine.GetKeyInfo("k").Id;
        var engine = _vault.Modify(f => Assert.Equal(1, f.Execute("DELETE FROM secrets WHERE secret_id = $a0", id.ToByteArray())));
        engine.Unlock(TestVault.Password, "owner");
        Assert.Throws<VaultIntegrityException>(() => engine.GetKey("k"));
    }

    public static TheoryData<string> LookupsByName() =>
        ["get", "remove", "rotate", "update", "history", "restore", "grant", "exemption", "rotation-policy"];

    [Theory]
    [MemberData(nameof(LookupsByName))]
    public void Every_lookup_by_name_of_a_deleted_key_is_an_integrity_violation(string lookup)
    {
        Write("k", "v1");
        Write("k", "v2");
        Engine.NewPrincipal("bob", Role.User, BobPassword);
        var id = KeyId("k");
        var engine = _vault.Modify(f =>
        {
            foreach (var table in new[] { "secret_versions", "secret_keys", "secrets" })
                f.Execute($"DELETE FROM {table} WHERE secret_id = $a0", id.ToByteArray());
        });
        engine.Unlock(TestVault.Password, "owner");

        Action run = lookup switch
        {
            "get" => () => engine.GetKey("k").Dispose(),
            "remove" => () => engine.RemoveKey("k"),
            "rotate" => () => engine.RotateKeys("k", dueOnly: false, (_, current) => current).ToList(),
            "update" => () => { using var value = SecretText.FromString("v3"); engine.UpdateKey("k", value); },
            "history" => () => engine.GetKeyHistory("k"),
            "restore" => () => engine.RestoreKey("k", 1),
            "grant" => () => engine.GrantAccess("k", "bob", KeyPermissions.Read),
            "exemption" => () => engine.AddRotationExemption(null, "k", "freeze", DateTimeOffset.UtcNow.AddDays(5)),
            "rotation-policy" => () => engine.GetRotationPolicy("k"),
            _ => throw new ArgumentOutOfRangeException(nameof(lookup)),
        };

        var refused = Assert.Throws<VaultIntegrityException>(run);
        Assert.Contains("Test-Vault", refused.Message);
        // The log is searched after the operation's transaction ends; its refusal is still recorded, as what it was.
        var newest = engine.GetAuditLog().MaxBy(r => r.Seq)!;
        Assert.Equal(("error", "IntegrityViolation"), (newest.Outcome, newest.Reason));
        Assert.True(engine.VerifyAudit().IsValid);
    }

    [Fact]
    public void Restoring_a_version_its_sealed_metadata_keeps_and_the_store_lacks_is_an_integrity_violation()
    {
        Write("k", "v1");
        Write("k", "v2");
        var engine = _vault.Modify(f => Assert.Equal(1, f.Execute("DELETE FROM secret_versions WHERE version = 1")));
        engine.Unlock(TestVault.Password, "owner");

        Assert.Throws<VaultIntegrityException>(() => engine.RestoreKey("k", 1));
        Assert.Throws<VaultKeyVersionNotFoundException>(() => engine.RestoreKey("k", 9));
        Assert.Equal("v2", Secrets.ReadText(engine, "k"));
    }

    private static bool Readable(VaultEngine engine, string name)
    {
        try
        {
            Assert.Equal("value of " + name, Secrets.ReadText(engine, name));
            return true;
        }
        catch (VaultIntegrityException)
        {
            return false;
        }
    }

    private Guid KeyId(string name) =>
        Engine.GetAuditLog(new AuditFilter { Action = "set", Name = name }).First().TargetId!.Value;

    private void Write(string name, string text)
    {
        using var value = SecretText.FromString(text);
        Engine.SetKey(name, value);
    }

    public void Dispose() => _vault.Dispose();
}
