using System.Text;
using System.Text.Json;
using SecureVault.Audit;

namespace SecureVault.Tests;

/// <summary>
/// What the audit log holds: exactly one record per operation, allowed or refused, with the
/// right action, outcome, reason, actor and target; never a value or a plaintext key name in
/// the file; names resolved (even of removed keys) only when read through an unlocked session.
/// </summary>
public sealed class AuditLogTests : IDisposable
{
    private const string KeyName = "probe-key-name-5e1f";
    private const string KeyValue = "probe-key-value-b70c";
    private const string UnknownPrincipal = "nobody-7c1e";
    private static readonly byte[] NewPassword = Encoding.UTF8.GetBytes("a new passphrase for the owner");
    private readonly ManualClock _clock = new();
    private readonly TestVault _vault;
    private readonly Guid _ownerId;

    public AuditLogTests()
    {
        _vault = new TestVault(_clock, idleTimeout: TimeSpan.FromDays(1));
        using var file = new RawVaultFile(_vault.Path);
        _ownerId = FileWriter.PrincipalId(file, "owner");
    }

    public void Dispose() => _vault.Dispose();

    private VaultEngine Engine => _vault.Engine;

    /// <summary>
    /// Runs <paramref name="operation"/> a second after the last one and returns the records it
    /// left, read back through the log (unlocking afterwards if the operation locked).
    /// </summary>
    private IReadOnlyList<VaultAuditRecord> RecordsOf(Action operation)
    {
        long before = Engine.GetStatus().AuditHead!.Value;
        _clock.Advance(TimeSpan.FromSeconds(1));
        operation();
        long after = Engine.GetStatus().AuditHead!.Value;
        if (!Engine.IsUnlocked) Engine.Unlock(TestVault.Password);
        var records = Engine.GetAuditLog().Where(r => r.Seq > before && r.Seq <= after).ToList();
        Assert.Equal(Enumerable.Range((int)before + 1, (int)(after - before)).Select(i => (long)i), records.Select(r => r.Seq));
        Assert.All(records, r => Assert.Equal(_clock.UtcNow.UtcDateTime, r.Time));
        return records;
    }

    private VaultAuditRecord RecordOf(Action operation) => Assert.Single(RecordsOf(operation));

    /// <summary>Asserts what every record carries, and the owner as its signing actor unless told otherwise.</summary>
    private void AssertRecord(VaultAuditRecord record, string action, string outcome = "success", string? reason = null, bool signed = true, bool byOwner = true)
    {
        Assert.Equal((action, outcome, reason, signed), (record.Action, record.Outcome, record.Reason, record.IsSigned));
        if (byOwner) Assert.Equal(("owner", (Guid?)_ownerId), (record.Principal, record.PrincipalId));
        Assert.Equal(Environment.MachineName, record.Host);
        Assert.Equal(Environment.ProcessId, record.ProcessId);
        Assert.False(string.IsNullOrEmpty(record.ProcessName));
        Assert.Equal(_vault.Path, record.Vault);
        Assert.Matches("^[0-9a-f]{64}$", record.Hash);
    }

    private static void AssertNoTarget(VaultAuditRecord record) =>
        Assert.Equal(((Guid?)null, (string?)null, (int?)null), (record.TargetId, record.Name, record.Version));

    #region One record per operation

    [Fact]
    public void Create_leaves_the_first_record_signed_by_the_owner()
    {
        var first = Engine.GetAuditLog().First();

        Assert.Equal(1, first.Seq);
        Assert.Equal(_clock.UtcNow.UtcDateTime, first.Time);
        AssertRecord(first, "create");
        AssertNoTarget(first);
        Assert.Null(first.Count);
    }

    [Fact]
    public void Lock_and_unlock_each_leave_one_record()
    {
        var locked = RecordOf(() => Assert.True(Engine.Lock()));
        var unlocked = RecordOf(() => Engine.Unlock(TestVault.Password));

        AssertRecord(locked, "lock");
        AssertRecord(unlocked, "unlock");
        AssertNoTarget(unlocked);
    }

    [Fact]
    public void A_failed_unlock_of_an_existing_principal_is_unsigned_and_names_it()
    {
        var records = RecordsOf(() =>
        {
            Engine.Lock();
            Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(TestVault.WrongPassword, "owner"));
        });

        Assert.Equal(2, records.Count);
        AssertRecord(records[0], "lock");
        AssertRecord(records[1], "unlock", "denied", "AuthenticationFailed", signed: false);
    }

    [Fact]
    public void A_failed_unlock_of_an_unknown_name_names_no_one_and_does_not_keep_the_name()
    {
        var failed = RecordOf(() => Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(TestVault.WrongPassword, UnknownPrincipal)));

        AssertRecord(failed, "unlock", "denied", "AuthenticationFailed", signed: false, byOwner: false);
        Assert.Equal(((string?)null, (Guid?)null), (failed.Principal, failed.PrincipalId));
        _vault.Release();
        using var file = new RawVaultFile(_vault.Path);
        Assert.DoesNotContain(Encoding.UTF8.GetString(RawAuditLog.Row(file, failed.Seq).Record), UnknownPrincipal, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Key_operations_each_leave_one_record_naming_the_key_by_id()
    {
        var created = RecordOf(() => Secrets.WriteText(Engine, KeyName, KeyValue));
        var id = Engine.GetKeyInfo(KeyName).Id;
        var rewritten = RecordOf(() => Secrets.WriteText(Engine, KeyName, "second value"));
        var read = RecordOf(() => Secrets.ReadText(Engine, KeyName));
        var readOld = RecordOf(() => Assert.Equal(KeyValue, Secrets.ReadText(Engine, KeyName, 1)));
        var info = RecordOf(() => Engine.GetKeyInfo(KeyName));
        var updated = RecordOf(() => Engine.UpdateKeyInfo(KeyName, new KeyUpdate(Description: "described")));
        Secrets.WriteText(Engine, "other-key", "other value");
        var listed = RecordOf(() => Assert.Equal(2, Engine.ListKeys().Count));
        var removed = RecordOf(() => Engine.RemoveKey(KeyName));

        foreach (var (record, action, version) in new (VaultAuditRecord, string, int?)[]
        {
            (created, "set", (int?)1), (rewritten, "set", 2), (read, "get", 2), (readOld, "get", 1),
            (info, "info", null), (updated, "update", null), (removed, "remove", null),
        })
        {
            AssertRecord(record, action);
            Assert.Equal(((Guid?)id, KeyName, version), (record.TargetId, record.Name, record.Version));
        }
        AssertRecord(listed, "list");
        AssertNoTarget(listed);
        Assert.Equal(2, listed.Count);
    }

    [Fact]
    public void A_refused_operation_is_recorded_with_the_error_id_as_reason()
    {
        var missing = RecordOf(() => Assert.Throws<VaultKeyNotFoundException>(() => Engine.GetKey("no-such-key")));
        Secrets.WriteText(Engine, KeyName, KeyValue);
        var noVersion = RecordOf(() => Assert.Throws<VaultKeyVersionNotFoundException>(() => Engine.GetKey(KeyName, 7)));
        var noRemove = RecordOf(() => Assert.Throws<VaultKeyNotFoundException>(() => Engine.RemoveKey("no-such-key")));

        AssertRecord(missing, "get", "error", "KeyNotFound");
        AssertNoTarget(missing);
        AssertRecord(noVersion, "get", "error", "KeyVersionNotFound");
        Assert.Equal((KeyName, (int?)7), (noVersion.Name, noVersion.Version));
        AssertRecord(noRemove, "remove", "error", "KeyNotFound");
    }

    [Fact]
    public void Password_changes_are_recorded_signed_when_they_succeed_and_unsigned_when_the_current_password_is_wrong()
    {
        var wrong = RecordOf(() => Assert.Throws<VaultAuthenticationException>(() => Engine.ChangePassword(TestVault.WrongPassword, NewPassword)));
        var changed = RecordOf(() => Engine.ChangePassword(TestVault.Password, NewPassword));

        AssertRecord(wrong, "password", "denied", "AuthenticationFailed", signed: false);
        AssertRecord(changed, "password");
        AssertNoTarget(changed);
    }

    [Fact]
    public void Operations_on_the_trail_itself_are_recorded()
    {
        Secrets.WriteText(Engine, KeyName, KeyValue);
        AuditVerification? verification = null;
        AuditAnchor? anchor = null;
        IReadOnlyList<VaultAuditRecord>? read = null;

        var verify = RecordOf(() => verification = Engine.VerifyAudit());
        var export = RecordOf(() => anchor = Engine.ExportAuditHead());
        var readLog = RecordOf(() => read = Engine.GetAuditLog(new AuditFilter { Action = "set" }));
        var exportLog = RecordOf(() => Engine.ExportAuditLog(Stream.Null));
        var readAlerts = RecordOf(() => Engine.GetAlerts());
        var policy = RecordOf(() => Engine.SetAuditPolicy(retentionDays: 30));
        var prune = RecordOf(() => Engine.PruneAudit());

        AssertRecord(verify, "verify");
        Assert.Equal(verification!.RecordCount, verify.Count);
        AssertRecord(export, "export-head");
        Assert.Equal(anchor!.Seq, export.Seq);
        AssertRecord(readLog, "read-audit");
        Assert.Equal(read!.Count, readLog.Count);
        AssertRecord(exportLog, "read-audit");
        Assert.Equal("export", exportLog.Detail);
        AssertRecord(readAlerts, "read-audit");
        Assert.Equal(("alerts", (long?)0), (readAlerts.Detail, readAlerts.Count));
        AssertRecord(policy, "policy");
        Assert.Equal("retentionDays=30 alertForwarding=None", policy.Detail);
        AssertRecord(prune, "prune");
        Assert.Equal(0, prune.Count);
        Assert.All(new[] { verify, export, readLog, policy, prune }, AssertNoTarget);
    }

    [Fact]
    public void A_failed_verification_is_recorded_as_an_error_naming_the_first_bad_record()
    {
        var engine = _vault.Modify(f => RawAuditLog.Rewrite(f, 1, e => e with { Pid = e.Pid + 1 }));
        engine.Unlock(TestVault.Password);

        var verify = RecordOf(() => Assert.False(engine.VerifyAudit().IsValid));

        AssertRecord(verify, "verify", "error", "HashMismatch");
        Assert.Equal("first bad record 1", verify.Detail);
    }

    [Fact]
    public void Calls_on_a_locked_vault_are_refused_and_not_recorded()
    {
        Engine.Lock();
        long head = Engine.GetStatus().AuditHead!.Value;

        Assert.Throws<VaultLockedException>(() => Engine.GetKey(KeyName));
        Assert.Throws<VaultLockedException>(() => Engine.GetAuditLog());
        Assert.Throws<VaultLockedException>(() => Engine.VerifyAudit());

        Assert.Equal(head, Engine.GetStatus().AuditHead);
        Assert.Equal(head, Engine.GetStatus().AuditRecords);
    }

    #endregion

    #region What a record may hold

    [Fact]
    public void No_record_and_no_byte_of_the_file_holds_the_value_or_the_plaintext_key_name()
    {
        Secrets.WriteText(Engine, KeyName, KeyValue, new KeyUpdate(Description: "no name here either"));
        Secrets.ReadText(Engine, KeyName);
        Engine.GetKeyInfo(KeyName);
        Engine.UpdateKeyInfo(KeyName, new KeyUpdate(Tags: ["t"]));
        Engine.ListKeys(new KeyFilter(Name: KeyName));
        Assert.Throws<VaultKeyNotFoundException>(() => Engine.GetKey(KeyName + "-missing"));
        Engine.GetAuditLog(new AuditFilter { Name = KeyName });
        Engine.RemoveKey(KeyName);
        _vault.Release();

        var name = Encoding.UTF8.GetBytes(KeyName);
        var value = Encoding.UTF8.GetBytes(KeyValue);
        using (var file = new RawVaultFile(_vault.Path))
        {
            var rows = RawAuditLog.All(file);
            Assert.Equal(10, rows.Count);   // create, the eight operations, lock
            foreach (var row in rows)
            {
                Assert.True(row.Record.AsSpan().IndexOf(name) < 0, $"record {row.Seq} holds the key name");
                Assert.True(row.Record.AsSpan().IndexOf(value) < 0, $"record {row.Seq} holds the value");
            }
        }
        foreach (var path in new[] { _vault.Path, _vault.Path + "-wal" }.Where(File.Exists))
        {
            var bytes = File.ReadAllBytes(path);
            Assert.True(bytes.AsSpan().IndexOf(name) < 0, $"{path} holds the key name");
            Assert.True(bytes.AsSpan().IndexOf(value) < 0, $"{path} holds the value");
        }
    }

    [Fact]
    public void The_name_of_a_removed_key_is_still_resolved_and_found_by_a_name_filter()
    {
        var id = Secrets.WriteText(Engine, KeyName, KeyValue).Id;
        Engine.RemoveKey(KeyName);
        Secrets.WriteText(Engine, "unrelated", "x");

        var records = Engine.GetAuditLog(new AuditFilter { Name = "probe-key-*" });

        Assert.Equal(new[] { "set", "remove" }, records.Select(r => r.Action));
        Assert.All(records, r => Assert.Equal(((Guid?)id, KeyName), (r.TargetId, r.Name)));
    }

    [Fact]
    public void A_sealed_name_moved_to_another_key_is_not_shown()
    {
        // The sealed name is bound to its key id: a name copied into another record (here: its
        // hash recomputed, so only the name binding can tell) resolves to nothing.
        var alpha = Secrets.WriteText(Engine, "alpha", "a").Id;
        var beta = Secrets.WriteText(Engine, "beta", "b").Id;
        var engine = _vault.Modify(f =>
        {
            var sealedAlpha = RawAuditLog.Entry(f, 2).TargetName;
            RawAuditLog.Rewrite(f, 3, e => e with { TargetName = sealedAlpha }, rehash: true);
        });
        engine.Unlock(TestVault.Password);

        var records = engine.GetAuditLog(new AuditFilter { Action = "set" });

        Assert.Equal(new (Guid, string?)[] { (alpha, "alpha"), (beta, null) }, records.Select(r => (r.TargetId!.Value, r.Name)));
    }

    #endregion

    #region Reading the log

    [Fact]
    public void Filters_select_by_time_principal_action_name_and_outcome_and_last_keeps_the_newest()
    {
        var start = _clock.UtcNow.UtcDateTime;
        Secrets.WriteText(Engine, KeyName, KeyValue);
        _clock.Advance(TimeSpan.FromHours(1));
        var laterStart = _clock.UtcNow.UtcDateTime;
        Secrets.ReadText(Engine, KeyName);
        Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(TestVault.WrongPassword, UnknownPrincipal));
        Engine.ExportAuditHead();

        Assert.Equal(new[] { "create", "set" }, Engine.GetAuditLog(new AuditFilter { Until = laterStart }).Select(r => r.Action));
        Assert.Equal(new[] { "get", "unlock", "export-head" }, Engine.GetAuditLog(new AuditFilter { Since = laterStart, Action = "[gue]*" }).Select(r => r.Action));
        Assert.Equal(new[] { "set", "get" }, Engine.GetAuditLog(new AuditFilter { Name = KeyName.ToUpperInvariant() }).Select(r => r.Action));
        var denied = Assert.Single(Engine.GetAuditLog(new AuditFilter { Outcome = "Denied" }));
        Assert.Null(denied.Principal);
        Assert.DoesNotContain(Engine.GetAuditLog(new AuditFilter { Principal = "OWN*" }), r => r.Principal != "owner");
        Assert.Contains(Engine.GetAuditLog(new AuditFilter { Principal = "*" }), r => r.Principal is null);   // '*' filters nothing out
        Assert.Equal(new[] { "unlock", "export-head" }, Engine.GetAuditLog(new AuditFilter { Since = start, Last = 2, Action = "[ue]*" }).Select(r => r.Action));
        var last = Engine.GetAuditLog(new AuditFilter { Last = 3 });
        Assert.Equal(3, last.Count);
        Assert.True(last[0].Seq < last[1].Seq && last[1].Seq < last[2].Seq);
        Assert.Equal("InvalidInput", Assert.Throws<VaultInvalidInputException>(() => Engine.GetAuditLog(new AuditFilter { Last = 0 })).ErrorId);
    }

    [Fact]
    public void The_log_exports_as_json_lines_with_one_object_per_record()
    {
        Secrets.WriteText(Engine, KeyName, KeyValue);
        Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(TestVault.WrongPassword));
        var shown = Engine.GetAuditLog();
        using var output = new MemoryStream();

        long written = Engine.ExportAuditLog(output);

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n');
        Assert.Equal("", lines[^1]);
        Assert.Equal(written, lines.Length - 1);
        Assert.Equal(shown.Count + 1, written);   // plus the read-audit record of GetAuditLog
        var objects = lines[..^1].Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(Enumerable.Range(1, (int)written).Select(i => (long)i), objects.Select(o => o.GetProperty("seq").GetInt64()));
        var set = objects.Single(o => o.GetProperty("action").GetString() == "set");
        Assert.Equal(KeyName, set.GetProperty("name").GetString());
        Assert.Equal("owner", set.GetProperty("principal").GetString());
        Assert.True(set.GetProperty("signed").GetBoolean());
        var failed = objects.Single(o => o.GetProperty("outcome").GetString() == "denied");
        Assert.False(failed.GetProperty("signed").GetBoolean());
        Assert.Equal("AuthenticationFailed", failed.GetProperty("reason").GetString());
        Assert.Equal(shown.Select(r => r.Hash), objects.Take(shown.Count).Select(o => o.GetProperty("hash").GetString()));
    }

    [Fact]
    public void Status_counts_the_records_and_names_the_head()
    {
        Secrets.WriteText(Engine, KeyName, KeyValue);
        Engine.Lock();

        var status = Engine.GetStatus();

        Assert.Equal(3, status.AuditRecords);
        Assert.Equal(3, status.AuditHead);
        Assert.Equal(AlertForwarding.None, status.AlertForwarding);
        Assert.Null(status.AlertForwardingProblem);
    }

    #endregion
}
