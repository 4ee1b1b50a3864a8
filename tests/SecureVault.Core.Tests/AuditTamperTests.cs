using System.Security.Cryptography;
using SecureVault.Audit;
using SecureVault.Crypto;
using SecureVault.Storage;

namespace SecureVault.Tests;

/// <summary>
/// Every kind of change someone holding the vault file can make to its audit log, made with plain
/// SQL on the real file while the vault is locked, then reported by Test-VaultAuditChain
/// (VerifyAudit) with the exact first bad record and the reason.
/// </summary>
public sealed class AuditTamperTests : IDisposable
{
    // The history every test starts from; the tamper's Release locks (record 9) and the unlock
    // after it appends record 10.
    private const long Create = 1, SetAlpha = 2, GetAlpha = 3, SetBeta = 4, FailedUnlock = 5, GetBeta = 6, Info = 7, List = 8, Lock = 9;
    private readonly TestVault _vault = new();

    public AuditTamperTests()
    {
        Secrets.WriteText(_vault.Engine, "alpha", "alpha-value");
        Secrets.ReadText(_vault.Engine, "alpha");
        Secrets.WriteText(_vault.Engine, "beta", "beta-value");
        Assert.Throws<VaultAuthenticationException>(() => _vault.Engine.Unlock(TestVault.WrongPassword));
        Secrets.ReadText(_vault.Engine, "beta");
        _vault.Engine.GetKeyInfo("alpha");
        _vault.Engine.ListKeys();
        Assert.Equal(List, _vault.Engine.GetStatus().AuditHead);
    }

    public void Dispose() => _vault.Dispose();

    /// <summary>Locks the vault, changes its file, opens it as a new process would and unlocks it.</summary>
    private (VaultEngine Engine, UnlockResult Unlock) Tamper(Action<RawVaultFile> change)
    {
        var engine = _vault.Modify(change);
        var unlock = engine.Unlock(TestVault.Password);
        return (engine, unlock);
    }

    private AuditVerification TamperAndVerify(Action<RawVaultFile> change, AuditAnchor? anchor = null) =>
        Tamper(change).Engine.VerifyAudit(anchor);

    private static void AssertReported(AuditVerification result, long seq, AuditFailure reason)
    {
        Assert.False(result.IsValid);
        Assert.Equal(((long?)seq, reason), (result.FirstBadSeq, result.Reason));
        Assert.False(string.IsNullOrWhiteSpace(result.Detail));
    }

    private static AuditEntry Changed(AuditEntry entry, string field) => field switch
    {
        "pid" => entry with { Pid = entry.Pid + 1 },
        "host" => entry with { Host = entry.Host + "-elsewhere" },
        "outcome" => entry with { Outcome = entry.Outcome == "success" ? "denied" : "success" },
        "version" => entry with { Version = entry.Version + 1 },
        "count" => entry with { Count = entry.Count + 5 },
        "actor" => entry with { Actor = Guid.NewGuid() },
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    [Fact]
    public void The_untouched_history_verifies()
    {
        var result = TamperAndVerify(_ => { });

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(Lock + 1, result.RecordCount);
    }

    #region Changed records

    [Theory]
    [InlineData(Create, "pid")]
    [InlineData(GetAlpha, "version")]
    [InlineData(FailedUnlock, "outcome")]
    [InlineData(FailedUnlock, "actor")]
    [InlineData(List, "count")]
    [InlineData(Lock, "host")]
    public void A_changed_field_is_a_hash_mismatch_at_that_record(long seq, string field)
    {
        var result = TamperAndVerify(f => RawAuditLog.Rewrite(f, seq, e => Changed(e, field)));

        AssertReported(result, seq, AuditFailure.HashMismatch);
    }

    [Theory]
    [InlineData(Create, "pid")]
    [InlineData(GetAlpha, "version")]
    [InlineData(SetBeta, "outcome")]
    [InlineData(List, "count")]
    public void A_changed_field_with_its_hash_recomputed_is_a_bad_signature_at_that_record(long seq, string field)
    {
        var result = TamperAndVerify(f => RawAuditLog.Rewrite(f, seq, e => Changed(e, field), rehash: true));

        AssertReported(result, seq, AuditFailure.BadSignature);
    }

    [Fact]
    public void A_changed_unsigned_record_with_its_hash_recomputed_is_caught_at_the_record_after_it()
    {
        // Who failed to unlock is changed. A failed unlock has no key to sign with, so the rewritten
        // record itself checks out; the record after it was hashed over the link after the
        // original and no longer matches.
        var result = TamperAndVerify(f => RawAuditLog.Rewrite(f, FailedUnlock, e => Changed(e, "actor"), rehash: true));

        AssertReported(result, FailedUnlock + 1, AuditFailure.HashMismatch);
    }

    [Theory]
    [InlineData(GetAlpha)]
    [InlineData(Lock)]
    public void A_rewritten_history_with_every_later_hash_recomputed_is_flagged_by_the_next_signed_record(long seq)
    {
        // The hashes are consistent to the head again and only signatures show the change. The
        // verifier checks only the newest signature of each signer on a consistent chain, so the
        // record signed on top (this unlock's) must not vouch for the rewrite: it says the head
        // no longer matched its signature, and the verifier then checks every signature.
        var (engine, unlock) = Tamper(f =>
        {
            RawAuditLog.Rewrite(f, seq, e => Changed(e, "pid"), rehash: true);
            for (long later = seq + 1; later <= Lock; later++) RawAuditLog.Rewrite(f, later, e => e, rehash: true);
        });

        Assert.Contains(unlock.Warnings, w => w.Contains($"record {Lock} no longer matches its signature", StringComparison.Ordinal));
        var unlockRecord = engine.GetAuditLog(new AuditFilter { Action = "unlock", Last = 1 }).Single();
        Assert.Equal(Lock + 1, unlockRecord.Seq);
        AssertReported(engine.VerifyAudit(), seq, AuditFailure.BadSignature);
        Assert.Contains(engine.GetAlerts(), a => a.Kind == AlertKinds.AuditLogRewritten && a.Seq == Lock + 1);
    }

    [Fact]
    public void A_history_rewritten_under_an_unlocked_session_is_flagged_by_the_next_signed_record()
    {
        // This process signed the head itself, so it must notice the head has changed since.
        using (var file = new RawVaultFile(_vault.Path))
        {
            RawAuditLog.Rewrite(file, GetAlpha, e => Changed(e, "pid"), rehash: true);
            for (long later = GetAlpha + 1; later <= List; later++) RawAuditLog.Rewrite(file, later, e => e, rehash: true);
        }

        Assert.Equal("alpha-value", Secrets.ReadText(_vault.Engine, "alpha"));

        using (var file = new RawVaultFile(_vault.Path)) Assert.Equal(List, RawAuditLog.Entry(file, List + 1).HeadBroken);
        AssertReported(_vault.Engine.VerifyAudit(), GetAlpha, AuditFailure.BadSignature);
    }

    [Fact]
    public void The_newest_record_with_its_signature_replaced_is_flagged_and_reported()
    {
        var (engine, unlock) = Tamper(f => f.WriteBlob("audit_log", "signature", RandomNumberGenerator.GetBytes(64), "seq = $a0", Lock));

        Assert.NotEmpty(unlock.Warnings);
        AssertReported(engine.VerifyAudit(), Lock, AuditFailure.BadSignature);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("spaced")]
    [InlineData("time column")]
    [InlineData("action column")]
    public void A_record_that_is_not_a_canonical_record_is_malformed(string damage)
    {
        var result = TamperAndVerify(f =>
        {
            switch (damage)
            {
                case "not json":
                    f.WriteBlob("audit_log", "record", "{\"seq\":3,"u8.ToArray(), "seq = $a0", GetAlpha);
                    break;
                case "spaced":
                    var record = RawAuditLog.Row(f, GetAlpha).Record;
                    f.WriteBlob("audit_log", "record", [.. "{ "u8, .. record.AsSpan(1)], "seq = $a0", GetAlpha);
                    break;
                case "time column":
                    Assert.Equal(1, f.Execute("UPDATE audit_log SET time_ms = time_ms - 86400000 WHERE seq = $a0", GetAlpha));
                    break;
                default:
                    Assert.Equal(1, f.Execute("UPDATE audit_log SET action = 'info' WHERE seq = $a0", GetAlpha));
                    break;
            }
        });

        AssertReported(result, GetAlpha, AuditFailure.Malformed);
    }

    #endregion

    #region Removed, added and moved records

    [Theory]
    [InlineData(Create)]
    [InlineData(SetAlpha)]
    [InlineData(FailedUnlock)]
    [InlineData(List)]
    public void A_deleted_record_is_a_gap_at_its_place(long seq)
    {
        var result = TamperAndVerify(f => Assert.Equal(1, RawAuditLog.Delete(f, seq, seq)));

        AssertReported(result, seq, AuditFailure.Gap);
    }

    [Fact]
    public void Deleting_the_oldest_records_without_a_prune_record_is_a_gap_at_1()
    {
        var result = TamperAndVerify(f => Assert.Equal(3, RawAuditLog.Delete(f, Create, GetAlpha)));

        AssertReported(result, 1, AuditFailure.Gap);
    }

    [Fact]
    public void Deleting_the_oldest_records_behind_a_forged_pruning_base_is_a_gap_at_1()
    {
        // The base link is computable from the file, but only a signed prune record may vouch for it.
        var result = TamperAndVerify(f =>
        {
            var link = RawAuditLog.LinkBefore(f, GetAlpha + 1);
            Assert.Equal(3, RawAuditLog.Delete(f, Create, GetAlpha));
            Assert.Equal(1, f.Execute("INSERT INTO audit_base (id, seq, link) VALUES (1, $a0, $a1)", GetAlpha, link));
        });

        AssertReported(result, 1, AuditFailure.Gap);
    }

    [Theory]
    [InlineData(SetAlpha)]
    [InlineData(FailedUnlock)]
    [InlineData(Info)]
    public void Two_records_swapped_are_a_reorder_at_the_first(long seq)
    {
        var result = TamperAndVerify(f =>
        {
            var first = RawAuditLog.Row(f, seq);
            var second = RawAuditLog.Row(f, seq + 1);
            RawAuditLog.Put(f, second with { Seq = seq });
            RawAuditLog.Put(f, first with { Seq = seq + 1 });
        });

        AssertReported(result, seq, AuditFailure.Reorder);
    }

    /// <summary>Inserts <paramref name="forge"/>'s record at <see cref="SetBeta"/>, moving the later ones up, as a careful attacker would.</summary>
    private AuditVerification InsertAndVerify(Func<RawVaultFile, AuditRow> forge) => TamperAndVerify(f =>
    {
        var row = forge(f);
        RawAuditLog.MakeRoomAt(f, row.Seq);
        RawAuditLog.Put(f, row);
    });

    [Fact]
    public void An_inserted_unsigned_get_is_a_bad_signature_at_its_place()
    {
        // Hash-consistent with the record before it, but a 'get' must carry its actor's signature.
        var result = InsertAndVerify(f => RawAuditLog.Forge(f, SetBeta, RawAuditLog.Entry(f, GetAlpha)));

        AssertReported(result, SetBeta, AuditFailure.BadSignature);
    }

    [Fact]
    public void An_inserted_record_signed_by_a_foreign_principal_is_an_unknown_signer_at_its_place()
    {
        var result = InsertAndVerify(f => SignedByForeignKey(f, actor: Guid.NewGuid()));

        AssertReported(result, SetBeta, AuditFailure.UnknownSigner);
    }

    [Fact]
    public void An_inserted_record_in_the_owner_name_signed_by_a_foreign_key_is_a_bad_signature_at_its_place()
    {
        var result = InsertAndVerify(f => SignedByForeignKey(f, actor: FileWriter.PrincipalId(f, "owner")));

        AssertReported(result, SetBeta, AuditFailure.BadSignature);
    }

    private static AuditRow SignedByForeignKey(RawVaultFile file, Guid actor)
    {
        using var foreign = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var row = RawAuditLog.Forge(file, SetBeta, RawAuditLog.Entry(file, GetAlpha) with { Actor = actor });
        return row with { Signature = AuditChain.Sign(foreign, row.Hash) };
    }

    [Fact]
    public void An_inserted_failed_unlock_is_caught_at_the_record_after_it()
    {
        // A failed unlock may be unsigned and this one chains correctly onto the record before it,
        // so it passes on its own (by design: failed authentications are vouched for by the next
        // signed record). The next record, the genuine one moved up, was hashed over the link
        // after its original predecessor and renumbered: it no longer matches.
        var result = InsertAndVerify(f => RawAuditLog.Forge(f, SetBeta, RawAuditLog.Entry(f, FailedUnlock)));

        AssertReported(result, SetBeta + 1, AuditFailure.HashMismatch);
    }

    [Fact]
    public void A_failed_unlock_appended_after_the_head_is_vouched_for_by_the_next_signed_record()
    {
        // The documented limit of unsigned records: a failed unlock added at the very end, before
        // anyone signs again, chains correctly and the next signed record (this unlock) covers it.
        // It can raise a false alert, but it cannot hide or change any signed record.
        var result = TamperAndVerify(f => RawAuditLog.Put(f, RawAuditLog.Forge(f, Lock + 1, RawAuditLog.Entry(f, FailedUnlock))));

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(Lock + 2, result.RecordCount);
    }

    #endregion

    #region Truncation and rollback

    /// <summary>Exports an anchor (record 9), reads once more (10), then lets the tamper lock (11).</summary>
    private AuditAnchor AnchorThenMoreHistory()
    {
        var anchor = _vault.Engine.ExportAuditHead();
        Assert.Equal(Lock, anchor.Seq);
        Secrets.ReadText(_vault.Engine, "alpha");
        return anchor;
    }

    [Fact]
    public void A_tail_truncated_below_an_anchor_is_reported_just_after_the_new_end()
    {
        var anchor = AnchorThenMoreHistory();

        // Records 8 on are removed; the unlock after the tamper becomes record 8.
        var result = TamperAndVerify(f => RawAuditLog.Delete(f, List), anchor);

        AssertReported(result, List + 1, AuditFailure.TruncatedBelowAnchor);
        Assert.Equal(List, result.HeadSeq);
        Assert.False(result.AnchorChecked);
    }

    [Fact]
    public void A_tail_truncated_without_an_anchor_still_verifies_which_is_why_anchors_exist()
    {
        // The documented limit: the newest records can be cut off and the rest still chains and
        // is signed. Only an anchor kept elsewhere (or this profile's memory, at unlock) shows it.
        AnchorThenMoreHistory();
        var (engine, unlock) = Tamper(f => RawAuditLog.Delete(f, List));

        var result = engine.VerifyAudit();

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(List, result.RecordCount);
        Assert.Contains(unlock.Warnings, w => w.Contains("gone backwards", StringComparison.Ordinal));
    }

    [Fact]
    public void A_record_rewritten_at_the_anchor_place_is_a_hash_mismatch_there()
    {
        // The tail from the anchored record on is replaced by a record of the attacker's making:
        // the chain is consistent and unsigned records may end it, but the anchor knows the hash.
        var anchor = AnchorThenMoreHistory();

        var result = TamperAndVerify(f =>
        {
            RawAuditLog.Delete(f, Lock);
            RawAuditLog.Put(f, RawAuditLog.Forge(f, Lock, RawAuditLog.Entry(f, FailedUnlock)));
        }, anchor);

        AssertReported(result, Lock, AuditFailure.HashMismatch);
    }

    [Fact]
    public void A_vault_rolled_back_to_an_older_copy_is_caught_by_a_later_anchor_and_warned_of_once_at_unlock()
    {
        // The copy is taken locked, with the journal checkpointed into the file.
        _vault.Release();   // record 9
        var copy = Path.Combine(_vault.Folder, "older.vault");
        File.Copy(_vault.Path, copy);
        Assert.False(File.Exists(_vault.Path + "-wal"));
        var engine = _vault.Reopen();
        engine.Unlock(TestVault.Password);   // 10
        Secrets.WriteText(engine, "gamma", "written after the copy");   // 11
        var anchor = engine.ExportAuditHead();   // 12
        Secrets.ReadText(engine, "gamma");   // 13

        _vault.Release();   // 14
        File.Copy(copy, _vault.Path, overwrite: true);
        engine = _vault.Reopen();
        var unlock = engine.Unlock(TestVault.Password);   // 10 again, in the older history
        var result = engine.VerifyAudit(anchor);
        var unlockRecord = engine.GetAuditLog(new AuditFilter { Action = "unlock", Last = 1 }).Single();
        var alerts = engine.GetAlerts();
        engine.Lock();
        var again = engine.Unlock(TestVault.Password);

        var warning = Assert.Single(unlock.Warnings);
        Assert.Contains("gone backwards", warning, StringComparison.Ordinal);
        AssertReported(result, Lock + 2, AuditFailure.TruncatedBelowAnchor);
        Assert.Equal((Lock + 1, "success", "VaultRolledBack"), (unlockRecord.Seq, unlockRecord.Outcome, unlockRecord.Reason));
        Assert.Contains(alerts, a => a.Kind == AlertKinds.VaultRolledBack && a.Seq == Lock + 1 && a.Severity == AlertSeverity.Critical);
        Assert.Empty(again.Warnings);
        // The key went with the newer copy: until a consistency check has reported the rollback,
        // its absence is an integrity violation (issue 12), then it is only not found.
        Assert.Throws<VaultIntegrityException>(() => engine.GetKeyInfo("gamma"));
        Assert.Contains(engine.CheckVault().Findings, f => f.Kind == VaultCheckFindingKind.Chain && f.AuditSeq == Lock + 1);
        Assert.Throws<VaultKeyNotFoundException>(() => engine.GetKeyInfo("gamma"));
    }

    #endregion

    #region Signatures and signing keys

    [Theory]
    [InlineData("another record's")]
    [InlineData("random")]
    [InlineData("random, DER-sized")]
    [InlineData("empty")]
    [InlineData("removed")]
    public void A_replaced_signature_is_a_bad_signature_at_that_record(string replacement)
    {
        var result = TamperAndVerify(f =>
        {
            byte[]? signature = replacement switch
            {
                "another record's" => RawAuditLog.Row(f, SetAlpha).Signature,
                "random" => RandomNumberGenerator.GetBytes(AuditChain.SignatureSize),
                "random, DER-sized" => RandomNumberGenerator.GetBytes(72),
                "empty" => [],
                _ => null,
            };
            if (signature is null) Assert.Equal(1, f.Execute("UPDATE audit_log SET signature = NULL WHERE seq = $a0", GetAlpha));
            else f.WriteBlob("audit_log", "signature", signature, "seq = $a0", GetAlpha);
        });

        AssertReported(result, GetAlpha, AuditFailure.BadSignature);
    }

    [Theory]
    [InlineData("public key")]
    [InlineData("valid from")]
    [InlineData("deleted")]
    public void A_replaced_or_removed_signing_key_is_an_unknown_signer_at_the_principal_first_record(string change)
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var result = TamperAndVerify(f =>
        {
            int changed = change switch
            {
                "public key" => f.Execute("UPDATE audit_signers SET public_key = $a0", EcKeys.EncodePublic(other.ExportParameters(false).Q)),
                "valid from" => f.Execute("UPDATE audit_signers SET valid_from_seq = 4"),
                _ => f.Execute("DELETE FROM audit_signers"),
            };
            Assert.Equal(1, changed);
        });

        AssertReported(result, Create, AuditFailure.UnknownSigner);
    }

    [Fact]
    public void An_altered_signing_key_row_does_not_stop_the_genuine_key_from_being_registered_again()
    {
        var (engine, _) = Tamper(f => Assert.Equal(1, f.Execute("UPDATE audit_signers SET valid_from_seq = 4")));

        // The altered row's records stay reported; the records from this unlock on are signed by a genuine row again.
        AssertReported(engine.VerifyAudit(), Create, AuditFailure.UnknownSigner);
        _vault.Release();
        using var file = new RawVaultFile(_vault.Path);
        Assert.Equal(2L, file.Scalar("SELECT COUNT(*) FROM audit_signers"));
        Assert.Equal(Lock + 1, file.Scalar("SELECT valid_from_seq FROM audit_signers ORDER BY signer_id DESC LIMIT 1"));
    }

    #endregion
}
