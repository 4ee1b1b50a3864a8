using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using SecureVault.Audit;
using SecureVault.Sessions;
using SecureVault.Storage;

namespace SecureVault.Tests;

/// <summary>
/// The audit chain as written by the engine: every record hashed, linked and signed as
/// src/SecureVault.Core/Audit/AuditChain.cs lays it out, and an untouched chain, however long,
/// however written (concurrently, after a migration), verifies.
/// </summary>
public sealed class AuditChainTests : IDisposable
{
    private readonly TestVault _vault = new();

    public void Dispose() => _vault.Dispose();

    private VaultEngine Engine => _vault.Engine;

    /// <summary>Some of every kind of record: signed writes and reads, and an unsigned failed unlock.</summary>
    private void WriteSomeHistory()
    {
        Secrets.WriteText(Engine, "alpha", "alpha-value");
        Secrets.ReadText(Engine, "alpha");
        Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(TestVault.WrongPassword));
        Engine.ListKeys();
        Engine.Lock();
        Engine.Unlock(TestVault.Password);
    }

    [Fact]
    public void An_untouched_chain_verifies_and_reports_its_extent()
    {
        WriteSomeHistory();
        long head = Engine.GetStatus().AuditHead!.Value;

        var result = Engine.VerifyAudit();

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(AuditFailure.None, result.Reason);
        Assert.Null(result.FirstBadSeq);
        Assert.Null(result.Detail);
        Assert.Null(result.AnchorChecked);
        Assert.Equal(head, result.RecordCount);
        Assert.Equal(1, result.FirstSeq);
        Assert.Equal(head, result.HeadSeq);
        Assert.Equal(0, result.UnsignedTail);
        Assert.Equal(_vault.Path, result.Vault);
        // One signer (the owner): only its newest signature needs checking on an intact chain.
        Assert.Equal(1, result.SignaturesChecked);
        using var file = new RawVaultFile(_vault.Path);
        Assert.Equal(Convert.ToHexString(RawAuditLog.Row(file, head).Hash).ToLowerInvariant(), result.HeadHash);
    }

    [Fact]
    public void Every_record_is_hashed_linked_and_signed_as_the_chain_format_says()
    {
        WriteSomeHistory();
        using var file = new RawVaultFile(_vault.Path);
        var vaultId = FileWriter.VaultId(file);
        using var owner = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = FromUncompressedPoint(file.ReadBlob("principals", "ecdsa_public", "name = 'owner'")),
        });

        // Recomputed from the format description alone, with no engine code.
        var link = SHA256.HashData([.. "SecureVault v1 audit genesis"u8, .. vaultId.ToByteArray()]);
        var rows = RawAuditLog.All(file);
        Assert.Equal(Enumerable.Range(1, rows.Count).Select(i => (long)i), rows.Select(r => r.Seq));
        foreach (var row in rows)
        {
            Assert.Equal(SHA256.HashData([.. link, .. row.Record]), row.Hash);
            var entry = AuditEntry.Parse(row.Record);
            if (row.Signature is null)
            {
                Assert.Equal(("unlock", "denied"), (entry.Action, entry.Outcome));
            }
            else
            {
                Assert.Equal(64, row.Signature.Length);
                Assert.True(owner.VerifyHash(row.Hash, row.Signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation), $"signature of record {row.Seq}");
            }
            var signature = row.Signature ?? [];
            link = SHA256.HashData([.. row.Hash, (byte)signature.Length, .. signature]);
        }
        Assert.Single(rows, r => r.Signature is null);
    }

    private static ECPoint FromUncompressedPoint(byte[] encoded)
    {
        Assert.Equal(65, encoded.Length);
        Assert.Equal(0x04, encoded[0]);
        return new ECPoint { X = encoded[1..33], Y = encoded[33..] };
    }

    [Fact]
    public void Failed_unlocks_stay_an_unsigned_tail_until_the_next_signed_record_covers_them()
    {
        Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(TestVault.WrongPassword));
        Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(TestVault.WrongPassword, "nobody"));

        var before = Engine.VerifyAudit();   // its own record comes after the check
        var after = Engine.VerifyAudit();

        Assert.True(before.IsValid, before.Detail);
        Assert.Equal(2, before.UnsignedTail);
        Assert.True(after.IsValid, after.Detail);
        Assert.Equal(0, after.UnsignedTail);
    }

    [Fact]
    public void The_owner_signing_key_is_registered_from_the_first_record()
    {
        using var file = new RawVaultFile(_vault.Path);
        var signer = Assert.Single(file.Rows("SELECT principal_id, public_key, valid_from_seq, valid_until_seq FROM audit_signers"));

        Assert.Equal(FileWriter.PrincipalId(file, "owner"), new Guid((byte[])signer[0]!));
        Assert.Equal(file.ReadBlob("principals", "ecdsa_public", "name = 'owner'"), signer[1]);
        Assert.Equal(1L, signer[2]);
        Assert.Null(signer[3]);
    }

    [Fact]
    public void Unlocking_again_registers_no_second_signing_key()
    {
        _vault.Reopen().Unlock(TestVault.Password);
        Engine.ChangePassword(TestVault.Password, "a new passphrase for the owner"u8);

        using var file = new RawVaultFile(_vault.Path);
        Assert.Equal(1L, file.Scalar("SELECT COUNT(*) FROM audit_signers"));
    }

    [Fact]
    public void An_untouched_chain_of_100000_records_verifies()
    {
        const long total = 100_000;
        const int perTransaction = 25_000;
        var session = SessionRegistry.Find(_vault.Path)!;
        var keyId = Guid.NewGuid();
        long written = Engine.GetStatus().AuditRecords;   // the create record
        // Genuine records, written and signed by the engine's own AuditTrail with the session's
        // keys, in a few big transactions: going through the engine would take minutes.
        using (var store = new SqliteVaultStore(_vault.Path))
        {
            while (written < total)
            {
                int count = (int)Math.Min(perTransaction, total - written);
                long first = written + 1;
                session.Use(s => store.Write(w =>
                {
                    long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    for (long seq = first; seq < first + count; seq++)
                        AuditTrail.Append(w, s.VaultId, s.PrincipalId, s.SigningKey, s.Keys, SampleFacts(seq, keyId), AuditOutcome.Success, null, now);
                    return 0;
                }));
                written += count;
            }
        }

        long lastProgress = -1, progressTotal = -1;
        var result = Engine.VerifyAudit(progress: (done, all) => (lastProgress, progressTotal) = (done, all));

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(total, result.RecordCount);
        Assert.Equal(1, result.FirstSeq);
        Assert.Equal(total, result.HeadSeq);
        Assert.Equal((total, total), (lastProgress, progressTotal));
        Assert.Equal(total + 1, Engine.GetStatus().AuditHead);   // the verification's own record
    }

    /// <summary>A mix of the shapes real records have: a key with its sealed name and version, a count, a bare action.</summary>
    private static AuditFacts SampleFacts(long seq, Guid keyId)
    {
        switch (seq % 3)
        {
            case 0:
                var get = new AuditFacts(AuditAction.Get) { Version = (int)(seq % 10) + 1 };
                if (seq % 30 == 0) get.SetTarget(keyId, "bulk-key");
                return get;
            case 1:
                return new AuditFacts(AuditAction.List) { Count = seq % 100 };
            default:
                return new AuditFacts(AuditAction.Info);
        }
    }

    [Fact]
    public void Threads_writing_and_reading_at_once_leave_an_unbroken_chain()
    {
        const int threads = 4, rounds = 15;
        var failures = new ConcurrentQueue<Exception>();
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                for (int i = 0; i < rounds; i++)
                {
                    Secrets.WriteText(Engine, $"thread-{t}", $"value {i}");
                    Assert.Equal($"value {i}", Secrets.ReadText(Engine, $"thread-{t}"));
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        Assert.Empty(failures);

        var result = Engine.VerifyAudit();
        var log = Engine.GetAuditLog();

        Assert.True(result.IsValid, result.Detail);
        const long expected = 1 + threads * rounds * 2;   // create, then one set and one get per round
        Assert.Equal(expected, result.RecordCount);
        // The log as read also holds the verify record; seqs run 1..n with none missing or repeated.
        Assert.Equal(Enumerable.Range(1, (int)expected + 1).Select(i => (long)i), log.Select(r => r.Seq));
        Assert.Equal(threads * rounds, log.Count(r => r.Action == "set"));
        Assert.Equal(threads * rounds, log.Count(r => r.Action == "get"));
        Assert.All(log, r => Assert.Equal(("success", true), (r.Outcome, r.IsSigned)));
    }

    [Fact]
    public void A_vault_of_schema_1_migrates_registers_its_signer_at_unlock_and_verifies()
    {
        Secrets.WriteText(Engine, "before-audit", "written before the audit trail existed");
        var vaultId = Guid.Empty;
        var engine = _vault.Modify(f =>
        {
            vaultId = FileWriter.VaultId(f);
            f.Execute("DROP TABLE audit_log; DROP TABLE audit_signers; DROP TABLE audit_base; DROP TABLE audit_policy; DROP TABLE principal_lockout; "
                + "DROP TABLE grants; DROP TABLE principal_mfa; DROP TABLE lockout_policy; ALTER TABLE principals DROP COLUMN disabled; "
                + "DROP TABLE sealed_settings; DROP TABLE metadata_key_links; DROP TABLE rekey_progress; PRAGMA user_version = 1;");
            f.Checkpoint();
        });
        // This profile remembers the head it saw before the tables were dropped; a real schema 1
        // vault was never seen by an audit-aware engine, so no such memory exists for it.
        var memory = Path.Combine(VaultLocation.DataFolder, "audit-heads", vaultId.ToString("N") + ".json");
        Assert.True(File.Exists(memory), memory);
        File.Delete(memory);

        var locked = engine.GetStatus();   // opening the file migrates it
        var unlock = engine.Unlock(TestVault.Password);
        var result = engine.VerifyAudit();

        Assert.Equal((0L, (long?)null), (locked.AuditRecords, locked.AuditHead));
        Assert.Empty(unlock.Warnings);
        Assert.True(result.IsValid, result.Detail);
        Assert.Equal((1L, 1L), (result.RecordCount, result.FirstSeq));
        Assert.Equal("written before the audit trail existed", Secrets.ReadText(engine, "before-audit"));
        var first = engine.GetAuditLog().First();
        Assert.Equal(("unlock", "owner", true), (first.Action, first.Principal, first.IsSigned));
        _vault.Release();
        using var file = new RawVaultFile(_vault.Path);
        Assert.Equal((long)SqliteSchema.Version, file.Scalar("PRAGMA user_version"));
        var signer = Assert.Single(file.Rows("SELECT principal_id, valid_from_seq FROM audit_signers"));
        Assert.Equal((FileWriter.PrincipalId(file, "owner"), 1L), (new Guid((byte[])signer[0]!), (long)signer[1]!));
    }

    [Fact]
    public void A_vault_of_schema_3_migrates_to_rotation_tables_and_its_keys_follow_the_default_policy()
    {
        Secrets.WriteText(Engine, "before-rotation", "written before rotation policies existed");
        var engine = _vault.Modify(f =>
        {
            f.Execute("DROP TABLE sealed_settings; DROP TABLE metadata_key_links; DROP TABLE rekey_progress; PRAGMA user_version = 3;");
            f.Checkpoint();
        });

        engine.Unlock(TestVault.Password);

        Assert.Equal("written before rotation policies existed", Secrets.ReadText(engine, "before-rotation"));
        var status = Assert.Single(engine.GetRotationStatus("before-rotation"));
        Assert.Equal((SecureVault.Rotation.RotationState.Ok, TimeSpan.FromDays(90)), (status.State, status.Policy.MaxAge));
        Assert.True(engine.VerifyAudit().IsValid);
        _vault.Release();
        using var file = new RawVaultFile(_vault.Path);
        Assert.Equal((long)SqliteSchema.Version, file.Scalar("PRAGMA user_version"));
        Assert.Equal(0L, file.Scalar("SELECT count(*) FROM sealed_settings"));
    }

    #region Anchors

    [Fact]
    public void An_exported_head_is_a_signed_anchor_for_its_own_record()
    {
        WriteSomeHistory();

        var anchor = Engine.ExportAuditHead();
        var result = Engine.VerifyAudit(anchor);

        long head = Engine.GetAuditLog(new AuditFilter { Action = "export-head" }).Single().Seq;
        Assert.Equal(head, anchor.Seq);
        Assert.True(anchor.IsSigned());
        using (var file = new RawVaultFile(_vault.Path))
        {
            var row = RawAuditLog.Row(file, head);
            Assert.Equal(row.Hash, anchor.Hash);
            Assert.Equal(row.Signature, anchor.Signature);
            Assert.Equal(FileWriter.VaultId(file), anchor.VaultId);
            Assert.Equal(FileWriter.PrincipalId(file, "owner"), anchor.PrincipalId);
            Assert.Equal(file.ReadBlob("principals", "ecdsa_public", "name = 'owner'"), anchor.PublicKey);
        }
        Assert.True(result.IsValid, result.Detail);
        Assert.True(result.AnchorChecked);
    }

    [Fact]
    public void An_anchor_file_round_trips_owner_only_and_is_not_overwritten_unasked()
    {
        var anchor = Engine.ExportAuditHead();
        var path = Path.Combine(_vault.Folder, "head.json");

        anchor.Save(path);
        var loaded = AuditAnchor.Load(path);
        var refused = Assert.Throws<VaultInvalidInputException>(() => anchor.Save(path));
        anchor.Save(path, overwrite: true);

        Assert.Equal(anchor.ToJson(), loaded.ToJson());
        Assert.Equal("InvalidInput", refused.ErrorId);
        Assert.Contains("-Force", refused.Message, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.True(Engine.VerifyAudit(AuditAnchor.Load(path)).AnchorChecked);
    }

    [Theory]
    [InlineData("hash")]
    [InlineData("signature")]
    [InlineData("format")]
    [InlineData("not json")]
    [InlineData("missing")]
    public void A_damaged_or_missing_anchor_file_is_refused(string damage)
    {
        var path = Path.Combine(_vault.Folder, "head.json");
        Engine.ExportAuditHead().Save(path);
        var text = File.ReadAllText(path);
        switch (damage)
        {
            case "hash":
                // Another record's hash: the signature in the file no longer covers it.
                var other = Convert.ToHexString(SHA256.HashData("another record"u8)).ToLowerInvariant();
                File.WriteAllText(path, System.Text.RegularExpressions.Regex.Replace(text, "\"hash\":\"[0-9a-f]{64}\"", $"\"hash\":\"{other}\""));
                break;
            case "signature":
                File.WriteAllText(path, System.Text.RegularExpressions.Regex.Replace(text, "\"signature\":\"[^\"]+\"",
                    $"\"signature\":\"{Convert.ToBase64String(RandomNumberGenerator.GetBytes(64))}\""));
                break;
            case "format":
                File.WriteAllText(path, text.Replace("audit head v1", "audit head v9", StringComparison.Ordinal));
                break;
            case "not json":
                File.WriteAllText(path, "seq=3 hash=00");
                break;
            default:
                File.Delete(path);
                break;
        }
        Assert.NotEqual(text, File.Exists(path) ? File.ReadAllText(path) : "");

        var e = Assert.Throws<VaultInvalidInputException>(() => AuditAnchor.Load(path));

        Assert.Equal("InvalidInput", e.ErrorId);
    }

    [Fact]
    public void An_anchor_of_another_vault_is_refused()
    {
        using var other = new TestVault();
        var foreign = other.Engine.ExportAuditHead();

        var e = Assert.Throws<VaultInvalidInputException>(() => Engine.VerifyAudit(foreign));

        Assert.Equal("InvalidInput", e.ErrorId);
    }

    #endregion
}
