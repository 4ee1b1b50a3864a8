using System.Diagnostics;
using SecureVault.Access;
using SecureVault.Audit;
using SecureVault.Checking;
using SecureVault.Identity;
using SecureVault.Sessions;
using SecureVault.Storage;

namespace SecureVault;

/// <summary>
/// The consistency check (Test-Vault, securevault check), and the not-found answers that consult
/// the audit log: a key the signed log says must exist is an integrity violation, not "not found".
/// </summary>
public sealed partial class VaultEngine
{
    private const string RestoreAdvice =
        "find every such row with Test-Vault (or 'securevault check'); Restore-Vault (or 'securevault restore-backup') puts a backup back";

    /// <summary>
    /// Checks the whole vault, as fsck checks a file system: SQLite's own integrity and
    /// foreign-key checks, the audit chain (with <paramref name="anchor"/>, also that it still holds
    /// an exported head), and every key, version, principal, keyslot and grant row against what the
    /// signed log says must exist. Reports missing, restored and unexpected rows. Needs the
    /// verify-audit permission (every role); key names removed from the vault are shown only to a
    /// principal who may read the audit log. The check is audited.
    /// </summary>
    public VaultCheckReport CheckVault(AuditAnchor? anchor = null, CancellationToken cancellation = default) => WithSession(session =>
    {
        if (anchor != null && anchor.VaultId != session.VaultId)
            throw new VaultInvalidInputException($"The anchor belongs to vault {anchor.VaultId}, not to '{Vault}'. Give the anchor exported from this vault.");
        var clock = Stopwatch.StartNew();
        var facts = new AuditFacts(AuditAction.Check);
        var findings = new List<VaultCheckFinding>();
        var counts = new CheckCounts();
        try
        {
            var role = _store.Read(r => Require(r, session, Permissions.VerifyAudit));
            bool mayReadLog = Permissions.ScopeOf(role, Permissions.ReadAudit) != PermissionScope.None;
            foreach (var problem in _store.SelfCheck())
                findings.Add(new VaultCheckFinding { Kind = VaultCheckFindingKind.IntegrityCheck, Table = "store", Detail = problem });
            try
            {
                _store.Read(r =>
                {
                    CompareWithLog(r, session, anchor, mayReadLog, findings, counts, cancellation);
                    return 0;
                });
            }
            catch (VaultIntegrityException e)
            {
                // A page too damaged to read ends the comparison; what it found so far stands, and so does this.
                findings.Add(new VaultCheckFinding { Kind = VaultCheckFindingKind.IntegrityCheck, Table = "store", Detail = "the rows could not all be read: " + e.Message });
            }
        }
        catch (VaultException e) when (IsAuditedRefusal(e))
        {
            AuditRefusal(session, facts, e);
            throw;
        }
        var report = new VaultCheckReport
        {
            Vault = Vault,
            Findings = findings,
            Duration = clock.Elapsed,
            KeysChecked = counts.Keys,
            VersionsChecked = counts.Versions,
            PrincipalsChecked = counts.Principals,
            KeyslotsChecked = counts.Keyslots,
            GrantsChecked = counts.Grants,
            AuditRecordsChecked = counts.Records,
        };
        facts.Count = findings.Count;
        facts.Detail = report.IsConsistent ? "consistent" : string.Join(" ", findings.GroupBy(f => f.Kind).Select(g => $"{g.Key.ToString().ToLowerInvariant()}={g.Count()}"));
        _store.Write(w => AppendRecord(w, session, facts,
            report.IsConsistent ? AuditOutcome.Success : AuditOutcome.Error, report.IsConsistent ? null : "IntegrityViolation"));
        AfterCommit(facts);
        return report;
    });

    private sealed class CheckCounts
    {
        public long Keys, Versions, Principals, Keyslots, Grants, Records;
    }

    private void CompareWithLog(IVaultReader r, VaultSession session, AuditAnchor? anchor, bool mayReadLog,
        List<VaultCheckFinding> findings, CheckCounts counts, CancellationToken cancellation)
    {
        void Add(VaultCheckFindingKind kind, string table, string detail, string? name = null, Guid? id = null, int? version = null, long? seq = null) =>
            findings.Add(new VaultCheckFinding { Kind = kind, Table = table, Detail = detail, Name = name, Id = id, Version = version, AuditSeq = seq });

        // The chain first: the rest trusts what the log says.
        var chain = AuditVerifier.Verify(r, session.Keys, session.VaultId, Vault, anchor, null, cancellation);
        if (!chain.IsValid) Add(VaultCheckFindingKind.Chain, "audit_log", $"{chain.Reason}: {chain.Detail}", seq: chain.FirstBadSeq);
        if (AuditHeadMemory.CheckNotBehind(session.VaultId, r.LastAuditRow()?.Seq, seq => r.AuditRowAt(seq)?.Hash) is { } behind)
            Add(VaultCheckFindingKind.Chain, "audit_log", behind + "; what was written after that is lost with it");

        if (AuditExpectations.UncheckedRollback(r) is { } rollback)
            Add(VaultCheckFindingKind.Chain, "audit_log", $"audit record {rollback} (an unlock) found the vault behind the audit head this profile had seen: "
                + "it was rolled back to an older copy, or lost its newest commits (a damaged journal frame drops that commit and every later one); what was written after that is gone", seq: rollback);
        var log = AuditExpectations.Replay(r, cancellation);
        counts.Records = log.Records;
        using var names = new AuditNameOpener(session, r.MetadataKeyLinks());
        string? LogName(AuditExpectations.KeyState state) =>
            mayReadLog && state.SealedName != null ? names.Open(state.Id, state.SealedName) : null;

        // Keys and their versions.
        var keyNames = new Dictionary<Guid, string>();
        foreach (var row in r.Secrets())
        {
            if ((++counts.Keys & 1023) == 0) cancellation.ThrowIfCancellationRequested();
            Values.KeyMetadata metadata;
            try
            {
                metadata = OpenMetadata(session, row);
            }
            catch (VaultIntegrityException e)
            {
                Add(VaultCheckFindingKind.IntegrityCheck, "secrets", e.Message, id: row.Id);
                continue;
            }
            keyNames[row.Id] = metadata.Name;
            if (log.Keys.TryGetValue(row.Id, out var state))
            {
                try
                {
                    AuditCrossCheck.CheckKeyRow(r, row, metadata.Name);
                }
                catch (VaultIntegrityException)
                {
                    Add(VaultCheckFindingKind.Restored, "secrets", state.Removed
                        ? $"audit record {state.Seq} removed this key, and its row is present again (put back from an older copy)"
                        : $"its row is at version {row.CurrentVersion}, but audit record {state.Seq} wrote version {state.Version} last (an older copy of the row)",
                        metadata.Name, row.Id, row.CurrentVersion, state.Seq);
                }
            }
            else if (log.Complete)
            {
                Add(VaultCheckFindingKind.Unexpected, "secrets", "no audit record writes this key", metadata.Name, row.Id);
            }
            var stored = r.Versions(row.Id);
            counts.Versions += stored.Count;
            var storedNumbers = stored.Select(v => v.Version).ToHashSet();
            foreach (int kept in metadata.Versions.Where(v => !storedNumbers.Contains(v)))
                Add(VaultCheckFindingKind.Missing, "secret_versions", "the key's sealed metadata keeps this version, and its row is gone", metadata.Name, row.Id, kept);
            foreach (int extra in storedNumbers.Where(v => !metadata.Versions.Contains(v)))
                Add(VaultCheckFindingKind.Unexpected, "secret_versions", "this version is not in the key's sealed list of kept versions", metadata.Name, row.Id, extra);
        }
        foreach (var state in log.Keys.Values.Where(k => !k.Removed && !keyNames.ContainsKey(k.Id)).OrderBy(k => k.Seq))
            Add(VaultCheckFindingKind.Missing, "secrets", $"audit record {state.Seq} wrote version {state.Version} and no record removed the key; its row is gone",
                LogName(state), state.Id, state.Version, state.Seq);

        // Principals.
        var principals = r.Principals();
        counts.Principals = principals.Count;
        var principalByName = principals.ToDictionary(p => PrincipalNames.Normalize(p.Name), StringComparer.Ordinal);
        var principalById = principals.ToDictionary(p => p.Id);
        foreach (var p in principals)
        {
            var normalized = PrincipalNames.Normalize(p.Name);
            if (p.Id == log.Creator)
            {
                if (log.CreatorRemovedSeq is { } removedAt && !log.Principals.ContainsKey(normalized))
                    Add(VaultCheckFindingKind.Restored, "principals", $"audit record {removedAt} removed this principal, and its row is present again", p.Name, p.Id, seq: removedAt);
            }
            else if (log.Principals.TryGetValue(normalized, out var state))
            {
                if (state.Removed)
                    Add(VaultCheckFindingKind.Restored, "principals", $"audit record {state.Seq} removed this principal, and its row is present again", p.Name, p.Id, seq: state.Seq);
            }
            else if (log.Complete)
            {
                Add(VaultCheckFindingKind.Unexpected, "principals", "no audit record adds this principal", p.Name, p.Id);
            }
        }
        if (log.Creator is { } creator && log.CreatorRemovedSeq is null && !principalById.ContainsKey(creator))
            Add(VaultCheckFindingKind.Missing, "principals", "the create record names this principal as the vault's first, no record removed it, and its row is gone", id: creator, seq: 1);
        foreach (var (normalized, state) in log.Principals.Where(x => !x.Value.Removed && !principalByName.ContainsKey(x.Key)).OrderBy(x => x.Value.Seq))
            Add(VaultCheckFindingKind.Missing, "principals", $"audit record {state.Seq} added this principal and no record removed it; its row is gone", state.Name, seq: state.Seq);

        // Keyslots.
        var keyslotIds = new HashSet<Guid>();
        foreach (var p in principals)
        {
            var keyslots = r.Keyslots(p.Id);
            counts.Keyslots += keyslots.Count;
            if (keyslots.Count == 0)
                Add(VaultCheckFindingKind.Missing, "keyslots", "this principal has no keyslot left: nobody can unlock as it", p.Name, p.Id);
            foreach (var keyslot in keyslots)
            {
                keyslotIds.Add(keyslot.Id);
                try
                {
                    AuditCrossCheck.CheckKeyslot(r, p.Id, keyslot);
                }
                catch (VaultIntegrityException)
                {
                    Add(VaultCheckFindingKind.Restored, "keyslots", "the audit log records this keyslot as removed, or sealed again since: it is an older copy", p.Name, keyslot.Id);
                }
            }
        }
        foreach (var state in log.Keyslots.Values.Where(k => !k.Removed && !keyslotIds.Contains(k.Id)).OrderBy(k => k.Seq))
        {
            // A keyslot of a principal that is gone goes with it: the principal's own finding (or its removal) says so.
            var owner = state.OwnerId is { } ownerId ? principalById.GetValueOrDefault(ownerId)
                : state.OwnerName is { } ownerName ? principalByName.GetValueOrDefault(ownerName) : null;
            if (owner is null) continue;
            Add(VaultCheckFindingKind.Missing, "keyslots", $"audit record {state.Seq} added this keyslot and no record removed it; its row is gone", owner.Name, state.Id, seq: state.Seq);
        }

        // Grants.
        var grants = r.Grants();
        counts.Grants = grants.Count;
        var grantKeys = new HashSet<(Guid, Guid)>();
        foreach (var grant in grants)
        {
            grantKeys.Add((grant.SecretId, grant.PrincipalId));
            var keyName = keyNames.GetValueOrDefault(grant.SecretId);
            try
            {
                CheckGrantMac(session.Keys, grant);
            }
            catch (VaultIntegrityException)
            {
                Add(VaultCheckFindingKind.Unexpected, "grants", "its MAC does not match: SecureVault did not write this grant", keyName, grant.SecretId);
                continue;
            }
            if (principalById.GetValueOrDefault(grant.PrincipalId) is { } grantee
                && log.Grants.GetValueOrDefault((grant.SecretId, PrincipalNames.Normalize(grantee.Name))) is { Present: false } state)
                Add(VaultCheckFindingKind.Restored, "grants", $"audit record {state.Seq} took this grant of '{grantee.Name}' away, and its row is present again", keyName, grant.SecretId, seq: state.Seq);
        }
        long now = NowMs();
        foreach (var state in log.Grants.Values.Where(g => g.Present == true && (g.ExpiresMs is null || g.ExpiresMs > now)).OrderBy(g => g.Seq))
        {
            if (!keyNames.TryGetValue(state.KeyId, out var keyName) || !principalByName.TryGetValue(state.Principal, out var grantee)) continue;
            if (!grantKeys.Contains((state.KeyId, grantee.Id)))
                Add(VaultCheckFindingKind.Missing, "grants", $"audit record {state.Seq} granted '{grantee.Name}' access and no record took it away; its row is gone", keyName, state.KeyId, seq: state.Seq);
        }
    }

    /// <summary>
    /// What to throw when no row answers for key <paramref name="name"/>: a KeyNotFound that
    /// AuditedWrite and AuditedRead answer with <see cref="AnswerNotFound"/> once the operation's
    /// transaction has ended, so the log search never runs under the write lock.
    /// </summary>
    private static VaultKeyNotFoundException KeyNotFoundOrLost(string name) => new(name) { Target = name, LogNotAsked = true };

    /// <summary>
    /// The answer to a refusal: a KeyNotFound the log was not asked about yet is asked about in a
    /// read transaction of its own (where the key is looked for again: one made meanwhile is not
    /// "lost", and the original answer stands); any other refusal is returned as it is.
    /// </summary>
    private VaultException AnswerNotFound(VaultSession session, VaultException refusal)
    {
        if (refusal is not VaultKeyNotFoundException { LogNotAsked: true, Target: { } name }) return refusal;
        return _store.Read(r => r.FindSecret(session.Keys.NameIndex(name)) is null ? LostOrNotFound(r, session, name) : refusal);
    }

    /// <summary>
    /// An integrity violation when the signed log's newest record for key <paramref name="name"/>
    /// is a write (its row was deleted or lost), or when the vault is behind the audit head this
    /// profile saw or an unlock found it rolled back since the last acknowledgement (the key may
    /// have gone with the lost commits); otherwise KeyNotFound. Only the not-found path pays for the log search.
    /// </summary>
    private static VaultException LostOrNotFound(IVaultReader reader, VaultSession session, string name)
    {
        using var names = new AuditNameOpener(session, reader.MetadataKeyLinks());
        if (session.AuditKeys.Newest(reader, names, name) is { Written: true } newest)
            return new VaultIntegrityException(
                $"key '{name}' is missing, but audit record {newest.Seq} wrote it and no record removed it: its row was deleted or lost ({RestoreAdvice})") { Target = name };
        if (AuditHeadMemory.CheckNotBehind(session.VaultId, reader.LastAuditRow()?.Seq, seq => reader.AuditRowAt(seq)?.Hash) is { } behind)
            return new VaultIntegrityException($"key '{name}' is not in the vault, and the vault has gone backwards ({behind}): the key may have been lost with it ({RestoreAdvice})") { Target = name };
        if (AuditExpectations.UncheckedRollback(reader) is { } rollback)
            return new VaultIntegrityException($"key '{name}' is not in the vault, and audit record {rollback} found the vault rolled back or short of its newest commits: "
                + $"the key may have been lost with them ({RestoreAdvice}; a check also clears this answer)") { Target = name };
        return new VaultKeyNotFoundException(name) { Target = name };
    }

    /// <summary>
    /// What to throw when the store has no row for version <paramref name="version"/> of a key: an
    /// integrity violation when the key's sealed metadata keeps that version (its row was deleted
    /// or lost), otherwise KeyVersionNotFound.
    /// </summary>
    private static VaultException VersionNotFoundOrLost(Values.KeyMetadata metadata, int version, string name) =>
        metadata.Versions.Contains(version)
            ? new VaultIntegrityException($"version {version} of key '{metadata.Name}' is missing, but the key's sealed metadata keeps it: its row was deleted or lost ({RestoreAdvice})") { Target = name }
            : new VaultKeyVersionNotFoundException(metadata.Name, version) { Target = name };
}
