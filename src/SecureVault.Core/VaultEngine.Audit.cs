using System.Collections.Concurrent;
using SecureVault.Access;
using SecureVault.Audit;
using SecureVault.Audit.Forwarding;
using SecureVault.Crypto;
using SecureVault.Identity;
using SecureVault.Sessions;
using SecureVault.Storage;
using SecureVault.Values;

namespace SecureVault;

/// <summary>The audit trail: how operations are recorded, and the operations on the trail itself.</summary>
public sealed partial class VaultEngine
{
    /// <summary>The variable that points syslog forwarding at another socket than /dev/log.</summary>
    public const string SyslogSocketVariable = "SECUREVAULT_SYSLOG_SOCKET";

    private static readonly ConcurrentDictionary<string, string> ForwardingProblems = new();

    #region Recording operations

    /// <summary>
    /// Runs an operation and its audit record in one write transaction: both commit or neither
    /// (fail closed). A refused or failed operation is rolled back and its refusal recorded in a
    /// transaction of its own. A disposable result is disposed if the record cannot be written.
    /// </summary>
    private T AuditedWrite<T>(VaultSession session, string action, Func<IVaultWriter, AuditFacts, T> work)
    {
        var facts = new AuditFacts(action);
        bool workFailed = false;
        try
        {
            var result = _store.Write(w =>
            {
                T value;
                try
                {
                    ThrowIfSuperseded(w, session);
                    value = work(w, facts);
                }
                catch
                {
                    workFailed = true;
                    throw;
                }
                try
                {
                    AppendRecord(w, session, facts, AuditOutcome.Success);
                }
                catch
                {
                    (value as IDisposable)?.Dispose();
                    throw;
                }
                return value;
            });
            AfterCommit(facts);
            return result;
        }
        catch (VaultException e) when (workFailed && IsAuditedRefusal(e))
        {
            var answer = AnswerNotFound(session, e);
            AuditRefusal(session, facts, answer);
            if (ReferenceEquals(answer, e)) throw;
            throw answer;
        }
    }

    /// <summary>
    /// Runs a read in a read transaction (a long listing does not hold the write lock), then
    /// commits its audit record before the result is returned: no record, no result.
    /// </summary>
    private T AuditedRead<T>(VaultSession session, string action, Func<IVaultReader, AuditFacts, T> work)
    {
        var facts = new AuditFacts(action);
        T result;
        try
        {
            result = _store.Read(r =>
            {
                ThrowIfSuperseded(r, session);
                return work(r, facts);
            });
        }
        catch (VaultException e) when (IsAuditedRefusal(e))
        {
            var answer = AnswerNotFound(session, e);
            AuditRefusal(session, facts, answer);
            if (ReferenceEquals(answer, e)) throw;
            throw answer;
        }
        try
        {
            _store.Write(w => AppendRecord(w, session, facts, AuditOutcome.Success));
        }
        catch
        {
            (result as IDisposable)?.Dispose();
            throw;
        }
        AfterCommit(facts);
        return result;
    }

    /// <summary>Appends a record signed by the session's principal.</summary>
    private AuditRow AppendRecord(IVaultWriter writer, VaultSession session, AuditFacts facts, string outcome, string? reason = null)
    {
        return AuditTrail.Append(writer, session.VaultId, session.PrincipalId, session.SigningKey, session.Keys, facts, outcome, reason, NowMs());
    }

    /// <summary>Records a refusal in its own transaction (the operation's own was rolled back).</summary>
    private void AuditRefusal(VaultSession session, AuditFacts facts, VaultException refusal)
    {
        if (refusal is VaultAccessDeniedException denied) facts.Detail ??= "missing permission: " + denied.Permission;
        RecordRefusal(refusal, facts, w =>
        {
            facts.OnRefusal?.Invoke(w);
            return AppendRecord(w, session, facts, AuditOutcome.Of(refusal), refusal.ErrorId);
        });
    }

    /// <summary>
    /// Records a failed authentication: unsigned, since no key was opened. A wrong password (or an
    /// unknown name) was counted toward the lockout before its key derivation ran
    /// (<see cref="CountAttempt"/>); the record says when that count locked the principal out.
    /// </summary>
    private void AuditUnsigned(Guid vaultId, Guid? actor, AuthenticationAttempt attempt, AuditFacts facts, VaultException refusal) =>
        RecordRefusal(refusal, facts, w =>
        {
            long now = NowMs();
            if (refusal is VaultAuthenticationException) RecordFailure(w, attempt, facts);
            return AuditTrail.Append(w, vaultId, actor, null, null, facts, AuditOutcome.Of(refusal), refusal.ErrorId, now);
        });

    /// <summary>One more failed authentication for <paramref name="lockoutKey"/>; the record says when it locks the principal out.</summary>
    private void CountFailure(IVaultWriter writer, Guid lockoutKey, AuditFacts facts)
    {
        long now = NowMs();
        var state = LockoutPolicy.AfterFailure(writer.Lockout(lockoutKey), now, LockoutPolicyOf(writer));
        writer.SetLockout(lockoutKey, state);
        if (LockoutPolicy.LockedUntil(state, now) is { } until) facts.Detail = $"locked out until {AuditEntry.FormatTime(until.ToUnixTimeMilliseconds())}";
    }

    private void RecordRefusal(VaultException refusal, AuditFacts facts, Func<IVaultWriter, AuditRow> append)
    {
        try
        {
            _store.Write(append);
        }
        catch (VaultException auditFailure)
        {
            // The refusal stands, but nobody may think it was recorded.
            throw new VaultStorageException(
                $"the '{facts.Action}' operation failed ({refusal.ErrorId}: {refusal.Message}) and its audit record could not be written: {auditFailure.Message}", refusal);
        }
        AfterCommit(facts);
    }

    /// <summary>
    /// Refusals and failures inside the vault are recorded; a missing vault, a locked session and a
    /// store that cannot be written are not: there is no actor, or no way to write.
    /// </summary>
    private static bool IsAuditedRefusal(VaultException e) =>
        e is not (VaultLockedException or VaultNotFoundException or VaultStorageException or VaultConcurrencyException);

    /// <summary>
    /// After a record commits: raises the alerts it causes and forwards them when the policy says
    /// so. Forwarding problems never undo the operation; they show in Get-VaultStatus.
    /// </summary>
    private void AfterCommit(AuditFacts facts)
    {
        var entry = facts.WrittenEntry ?? throw new InvalidOperationException("no audit record was written");
        if (entry.Outcome == AuditOutcome.Success && entry.Reason is null && entry.HeadBroken is null) return; // the common case raises nothing
        var (alerts, forwarding) = _store.Read(r =>
        {
            var history = AlertRules.MayNeedHistory(entry)
                ? r.AuditRows(sinceMs: entry.TimeMs - (long)AlertRules.FailureWindow.TotalMilliseconds)
                    .Where(x => x.Seq <= entry.Seq).Select(x => AuditEntry.Parse(x.Record)).ToList()
                : [entry];
            var raised = AlertRules.Scan(history, PrincipalNamer(r), Vault).Where(a => a.Seq == entry.Seq).ToList();
            return (raised, raised.Count == 0 ? AlertForwarding.None : PolicyOf(r).AlertForwarding);
        });
        if (forwarding == AlertForwarding.None) return;
        var sink = AlertSinks.Create(forwarding == AlertForwarding.Syslog ? AlertSinks.SyslogKind : AlertSinks.EventLogKind,
            forwarding == AlertForwarding.Syslog ? Environment.GetEnvironmentVariable(SyslogSocketVariable) : null);
        foreach (var alert in alerts)
        {
            try
            {
                sink.Send(alert);
                ForwardingProblems.TryRemove(Vault, out _);
            }
            catch (AlertForwardingException e)
            {
                ForwardingProblems[Vault] = $"{DateTime.UtcNow:u}: {e.Message}";
            }
        }
    }

    #endregion

    #region Verification and anchors

    /// <summary>
    /// Recomputes the audit chain and reports whether it is intact and, if not, the first bad
    /// record and why. With an anchor, also whether the chain still contains the anchored record
    /// (truncation and rollback). The verification is itself audited (and alerts when it fails).
    /// <paramref name="progress"/> receives (records checked, records in all).
    /// </summary>
    public AuditVerification VerifyAudit(AuditAnchor? anchor = null, Action<long, long>? progress = null, CancellationToken cancellation = default)
    {
        return WithSession(session =>
        {
            if (anchor != null && anchor.VaultId != session.VaultId)
                throw new VaultInvalidInputException($"The anchor belongs to vault {anchor.VaultId}, not to '{Vault}'. Give the anchor exported from this vault.");
            var facts = new AuditFacts(AuditAction.Verify);
            AuditVerification result;
            try
            {
                result = _store.Read(r =>
                {
                    Require(r, session, Permissions.VerifyAudit);
                    return AuditVerifier.Verify(r, session.Keys, session.VaultId, Vault, anchor, progress, cancellation);
                });
            }
            catch (VaultException e) when (IsAuditedRefusal(e))
            {
                AuditRefusal(session, facts, e);
                throw;
            }
            facts.Count = result.RecordCount;
            if (!result.IsValid) facts.Detail = $"first bad record {result.FirstBadSeq}";
            var row = _store.Write(w => AppendRecord(w, session, facts,
                result.IsValid ? AuditOutcome.Success : AuditOutcome.Error, result.IsValid ? null : result.Reason.ToString()));
            if (result.IsValid) _ = AuditHeadMemory.Remember(session.VaultId, row.Seq, row.Hash); // best effort, as at lock
            AfterCommit(facts);
            return result;
        });
    }

    /// <summary>
    /// Appends a signed export-head record and returns it as an anchor: its sequence number, hash
    /// and signature, and the exporter's public key. Keep the anchor off this machine.
    /// </summary>
    public AuditAnchor ExportAuditHead() => WithSession(session =>
    {
        // The record is the whole operation: the anchor is the record this write appends.
        long seq = AuditedWrite(session, AuditAction.ExportHead, (w, facts) =>
        {
            Require(w, session, Permissions.ExportAuditHead);
            return AuditTrail.Next(w, session.VaultId).Seq;
        });
        return AnchorOf(session, seq, "export-head");
    });

    /// <summary>The anchor of record <paramref name="seq"/>, which this session has just signed.</summary>
    private AuditAnchor AnchorOf(VaultSession session, long seq, string what)
    {
        var row = _store.Read(r => r.AuditRowAt(seq)) ?? throw new VaultIntegrityException($"the {what} record {seq} just written is missing");
        return new AuditAnchor
        {
            VaultId = session.VaultId,
            Seq = row.Seq,
            Hash = row.Hash,
            Time = DateTime.UnixEpoch.AddMilliseconds(row.TimeMs),
            PrincipalId = session.PrincipalId,
            PublicKey = EcKeys.EncodePublic(session.SigningKey.ExportParameters(false).Q),
            Signature = row.Signature!,
        };
    }

    #endregion

    #region Reading the log and alerts

    /// <summary>
    /// The audit records that match <paramref name="filter"/>, oldest first, with principal and key
    /// names resolved (key names are opened from each record's sealed copy). Reading is audited.
    /// </summary>
    public IReadOnlyList<VaultAuditRecord> GetAuditLog(AuditFilter? filter = null, CancellationToken cancellation = default) =>
        WithSession(session => AuditedRead(session, AuditAction.ReadAudit, (r, facts) =>
        {
            Require(r, session, Permissions.ReadAudit);
            var records = ReadLog(r, session, filter ?? AuditFilter.All, cancellation);
            facts.Count = records.Count;
            return records;
        }));

    /// <summary>
    /// Writes the matching records to <paramref name="output"/> as JSON Lines (one object per line,
    /// UTF-8) for SIEM ingestion, after the export itself is recorded. Returns how many were written.
    /// </summary>
    public long ExportAuditLog(Stream output, AuditFilter? filter = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var records = WithSession(session => AuditedRead(session, AuditAction.ReadAudit, (r, facts) =>
        {
            Require(r, session, Permissions.ExportAudit);
            var list = ReadLog(r, session, filter ?? AuditFilter.All, cancellation);
            facts.Count = list.Count;
            facts.Detail = "export";
            return list;
        }));
        AuditJsonLines.Write(output, records);
        return records.Count;
    }

    private List<VaultAuditRecord> ReadLog(IVaultReader reader, VaultSession session, AuditFilter filter, CancellationToken cancellation)
    {
        if (filter.Last is < 1) throw new VaultInvalidInputException("-Last must be 1 or more.");
        var principal = Pattern(filter.Principal);
        var action = Pattern(filter.Action);
        var name = Pattern(filter.Name);
        var names = PrincipalNamer(reader);
        var result = new List<VaultAuditRecord>();
        long seen = 0;
        // Records written before a rekey carry names sealed under an older metadata key.
        using var keyNames = new AuditNameOpener(session, reader.MetadataKeyLinks());
        foreach (var row in reader.AuditRows(ToMs(filter.Since), ToMs(filter.Until), newestFirst: filter.Last.HasValue))
        {
            if ((++seen & 1023) == 0) cancellation.ThrowIfCancellationRequested();
            var record = ToAuditRecord(row, keyNames, names);
            if (filter.Outcome != null && !string.Equals(record.Outcome, filter.Outcome, StringComparison.OrdinalIgnoreCase)) continue;
            if (action != null && !action.IsMatch(record.Action)) continue;
            if (principal != null && (record.Principal is null || !principal.IsMatch(record.Principal))) continue;
            if (name != null && (record.Name is null || !name.IsMatch(record.Name))) continue;
            result.Add(record);
            if (result.Count == filter.Last) break;
        }
        if (filter.Last.HasValue) result.Reverse();
        return result;
    }

    private VaultAuditRecord ToAuditRecord(AuditRow row, AuditNameOpener keyNames, Func<Guid?, string?> principalName)
    {
        AuditEntry entry;
        try
        {
            entry = AuditEntry.Parse(row.Record);
        }
        catch (AuditFormatException)
        {
            // Shown, not hidden: a damaged record is evidence. Test-VaultAuditChain says what is wrong.
            return new VaultAuditRecord { Seq = row.Seq, Time = DateTime.UnixEpoch.AddMilliseconds(row.TimeMs), Action = "damaged", Outcome = "", Vault = Vault,
                IsSigned = row.Signature != null, Hash = Convert.ToHexString(row.Hash).ToLowerInvariant() };
        }
        return new VaultAuditRecord
        {
            Seq = entry.Seq,
            Time = entry.Time,
            Principal = principalName(entry.Actor),
            PrincipalId = entry.Actor,
            Action = entry.Action,
            Name = entry.Target is { } id && entry.TargetName is { } sealedName ? keyNames.Open(id, sealedName) : null,
            TargetId = entry.Target,
            Version = entry.Version,
            Count = entry.Count,
            Outcome = entry.Outcome,
            Reason = entry.Reason,
            Detail = entry.Detail,
            Host = entry.Host,
            ProcessId = entry.Pid,
            ProcessName = entry.Process,
            IsSigned = row.Signature != null,
            Hash = Convert.ToHexString(row.Hash).ToLowerInvariant(),
            Vault = Vault,
        };
    }

    /// <summary>
    /// The security alerts raised by records since <paramref name="since"/> (default: the last 24
    /// hours), oldest first. Reading them is audited.
    /// </summary>
    public IReadOnlyList<VaultAlert> GetAlerts(DateTime? since = null, CancellationToken cancellation = default)
    {
        var from = since ?? _clock.UtcNow.UtcDateTime.AddDays(-1);
        return WithSession(session => AuditedRead(session, AuditAction.ReadAudit, (r, facts) =>
        {
            Require(r, session, Permissions.ReadAudit);
            // Start one window early, so a burst of failures that began before 'since' is counted whole.
            long fromMs = ToMs(from)!.Value;
            var entries = r.AuditRows(sinceMs: fromMs - (long)AlertRules.FailureWindow.TotalMilliseconds)
                .Select((row, i) =>
                {
                    if ((i & 1023) == 0) cancellation.ThrowIfCancellationRequested();
                    return TryParse(row);
                })
                .OfType<AuditEntry>();
            var alerts = AlertRules.Scan(entries, PrincipalNamer(r), Vault).Where(a => ToMs(a.Time) >= fromMs).ToList();
            facts.Count = alerts.Count;
            facts.Detail = "alerts";
            return (IReadOnlyList<VaultAlert>)alerts;
        }));
    }

    private static AuditEntry? TryParse(AuditRow row)
    {
        try
        {
            return AuditEntry.Parse(row.Record);
        }
        catch (AuditFormatException)
        {
            return null; // a damaged record raises no alert of its own; verification reports it
        }
    }

    /// <summary>Principal names by id, from the principals table; an id without a principal shows as the id.</summary>
    private static Func<Guid?, string?> PrincipalNamer(IVaultReader reader)
    {
        var names = reader.Principals().ToDictionary(p => p.Id, p => p.Name);
        return id => id is { } value ? names.GetValueOrDefault(value) ?? value.ToString("D") : null;
    }

    private static Wildcard? Pattern(string? text) => string.IsNullOrEmpty(text) || text == "*" ? null : new Wildcard(text);

    private static long? ToMs(DateTime? time) => time is { } t
        ? new DateTimeOffset(t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Local) : t).ToUnixTimeMilliseconds()
        : null;

    #endregion

    #region Policy and retention

    /// <summary>The vault's audit policy (the defaults until one is set). Works while locked.</summary>
    public AuditPolicy GetAuditPolicy() => _store.Read(PolicyOf);

    /// <summary>Changes the audit policy; only the values given change. Admins only; audited.</summary>
    public AuditPolicy SetAuditPolicy(int? retentionDays = null, AlertForwarding? forwarding = null)
    {
        if (retentionDays is < 0 or > AuditPolicy.MaxRetentionDays)
            throw new VaultInvalidInputException($"-RetentionDays must be between 0 and {AuditPolicy.MaxRetentionDays}.");
        if (forwarding is { } f && f != AlertForwarding.None)
            AlertSinks.Create(f == AlertForwarding.Syslog ? AlertSinks.SyslogKind : AlertSinks.EventLogKind); // refuses the wrong platform
        return WithSession(session => AuditedWrite(session, AuditAction.Policy, (w, facts) =>
        {
            Require(w, session, Permissions.ManageAuditPolicy);
            var current = PolicyOf(w);
            var updated = new AuditPolicy
            {
                RetentionDays = retentionDays ?? current.RetentionDays,
                AlertForwarding = forwarding ?? current.AlertForwarding,
                Vault = Vault,
            };
            w.SetAuditPolicy(new AuditPolicyRecord(updated.RetentionDays, updated.AlertForwarding.ToString().ToLowerInvariant(), NowMs()));
            facts.Detail = $"retentionDays={updated.RetentionDays} alertForwarding={updated.AlertForwarding}";
            return updated;
        }));
    }

    /// <summary>
    /// Removes the oldest records, those written before <paramref name="before"/> (default: what the
    /// retention policy allows), behind a signed prune record that names the last removed record
    /// and the chain link after it, so the rest still verifies. Records younger than the retention
    /// period are never removed. Admins only; audited.
    /// </summary>
    public AuditPruneResult PruneAudit(DateTime? before = null) => WithSession(session => AuditedWrite(session, AuditAction.Prune, (w, facts) =>
    {
        Require(w, session, Permissions.PruneAudit);
        var policy = PolicyOf(w);
        var keepFrom = policy.KeepFrom(_clock.UtcNow.UtcDateTime);
        var cutoff = before is { } b ? (b.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(b, DateTimeKind.Local) : b).ToUniversalTime() : keepFrom;
        if (cutoff > keepFrom)
            throw new VaultInvalidInputException(
                $"The audit policy keeps records for {policy.RetentionDays} days: give -Before {keepFrom:yyyy-MM-dd HH:mm} UTC or earlier, or lower -RetentionDays with Set-VaultAuditPolicy.");
        long cutoffMs = ToMs(cutoff)!.Value;
        AuditRow? last = null;
        foreach (var row in w.AuditRows())
        {
            if (row.TimeMs >= cutoffMs) break;
            last = row;
        }
        facts.Detail = $"before {AuditEntry.FormatTime(cutoffMs)}";
        if (last is null)
        {
            facts.Count = 0;
            return new AuditPruneResult { Removed = 0, PruneRecordSeq = AuditTrail.Next(w, session.VaultId).Seq, Vault = Vault };
        }
        var link = AuditChain.Link(last.Hash, last.Signature ?? []);
        long removed = w.DeleteAuditRowsThrough(last.Seq);
        w.SetAuditBase(new AuditBaseRecord(last.Seq, link));
        facts.Count = removed;
        facts.Through = last.Seq;
        facts.ThroughHash = Convert.ToHexString(link).ToLowerInvariant();
        return new AuditPruneResult { Removed = removed, Through = last.Seq, PruneRecordSeq = AuditTrail.Next(w, session.VaultId).Seq, Vault = Vault };
    }));

    private AuditPolicy PolicyOf(IVaultReader reader) => reader.AuditPolicy() is { } stored
        ? new AuditPolicy
        {
            RetentionDays = stored.RetentionDays,
            AlertForwarding = Enum.TryParse<AlertForwarding>(stored.Forwarding, ignoreCase: true, out var f) ? f : AlertForwarding.None,
            Vault = Vault,
        }
        : new AuditPolicy { Vault = Vault };

    /// <summary>The last problem forwarding an alert from this process, or null.</summary>
    private string? ForwardingProblem => ForwardingProblems.GetValueOrDefault(Vault);

    #endregion
}
