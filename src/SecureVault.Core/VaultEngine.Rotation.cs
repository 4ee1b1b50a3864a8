using SecureVault.Access;
using SecureVault.Audit;
using SecureVault.Crypto;
using SecureVault.Memory;
using SecureVault.Rotation;
using SecureVault.Sessions;
using SecureVault.Storage;
using SecureVault.Values;

namespace SecureVault;

/// <summary>
/// Rotation (ARCHITECTURE.md section 8): policies, exemptions, status, rotating keys one at a
/// time or as a scheduled run, and key history. The vault rekey is in VaultEngine.Rekey.cs.
/// </summary>
public sealed partial class VaultEngine
{
    private const int MaxExemptionReasonLength = 500;
    private static readonly TimeSpan MaxExemption = TimeSpan.FromDays(366);

    #region Policies

    /// <summary>The vault-wide default policy (every key without its own values follows it).</summary>
    public VaultRotationPolicyInfo GetDefaultRotationPolicy() => WithSession(session => AuditedRead(session, AuditAction.RotationRead, (r, facts) =>
    {
        Require(r, session, Permissions.List);
        facts.Detail = "default policy";
        return PolicyInfo(VaultRotationPolicyInfo.DefaultScope, DefaultRotationPolicy(r, session), null);
    }));

    /// <summary>The effective policy of every key matching <paramref name="name"/> (a name or a wildcard).</summary>
    public IReadOnlyList<VaultRotationPolicyInfo> GetRotationPolicy(string name) => WithSession(session => AuditedRead(session, AuditAction.RotationRead, (r, facts) =>
    {
        Require(r, session, Permissions.List);
        facts.Detail = "key policies";
        var defaults = DefaultRotationPolicy(r, session);
        var result = MatchingKeys(r, session, name, facts)
            .Select(k => PolicyInfo(k.Metadata.Name, RotationSchedule.Effective(defaults, k.Metadata.Policy), k.Metadata.Policy))
            .OrderBy(p => p.Scope, StringComparer.OrdinalIgnoreCase).ToList();
        facts.Count = result.Count;
        return (IReadOnlyList<VaultRotationPolicyInfo>)result;
    }));

    /// <summary>Changes the vault-wide default. Admins only (manage-rotation-policy). Audited.</summary>
    public VaultRotationPolicyInfo SetDefaultRotationPolicy(RotationPolicyChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Inherit) throw new VaultInvalidInputException("-Inherit applies to a key's policy; the default has nothing to inherit from.");
        return WithSession(session => AuditedWrite(session, AuditAction.RotationPolicy, (w, facts) =>
        {
            Require(w, session, Permissions.ManageRotationPolicy);
            var current = DefaultRotationPolicy(w, session);
            var policy = new VaultRotationPolicy(change.MaxAge ?? current.MaxAge, change.Warning ?? current.Warning,
                change.Grace ?? current.Grace, change.VersionsKept ?? current.VersionsKept).Validated();
            facts.Detail = "default: " + policy;
            w.UpsertSealedSetting(RotationSettings.SealPolicy(session.Keys, session.VaultId, policy, NowMs()));
            // Keys with values of their own must still make a valid policy with the new default, and
            // keys following it keep fewer versions at once, as Set-VaultRotationPolicy -Name does.
            foreach (var key in w.Secrets().ToList())
            {
                var metadata = OpenMetadata(session, key);
                var effective = RotationSchedule.Effective(policy, metadata.Policy);
                if (metadata.Policy != null) ValidatedFor(metadata.Name, effective);
                if (metadata.Versions.Length <= effective.VersionsKept) continue;
                TrimVersions(metadata, effective.VersionsKept);
                w.UpsertSecret(key with { Metadata = metadata.Seal(session.Keys.MetadataCipherKey, session.VaultId, key.Id) });
                w.PruneVersions(key.Id, effective.VersionsKept);
            }
            return PolicyInfo(VaultRotationPolicyInfo.DefaultScope, policy, null);
        }));
    }

    /// <summary>
    /// Sets values of the policy of every existing key matching <paramref name="name"/>; values not
    /// given keep inheriting from the default. Admins only. One audited transaction.
    /// </summary>
    public IReadOnlyList<VaultRotationPolicyInfo> SetRotationPolicy(string name, RotationPolicyChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return WithSession(session => AuditedWrite(session, AuditAction.RotationPolicy, (w, facts) =>
        {
            Require(w, session, Permissions.ManageRotationPolicy);
            var defaults = DefaultRotationPolicy(w, session);
            var result = new List<VaultRotationPolicyInfo>();
            foreach (var (key, metadata) in MatchingKeys(w, session, name, facts))
            {
                var own = change.Inherit ? new KeyPolicyOverride() : metadata.Policy ?? new KeyPolicyOverride();
                if (change.MaxAge is { } maxAge) own.MaxAgeMs = (long)maxAge.TotalMilliseconds;
                if (change.Warning is { } warning) own.WarningMs = (long)warning.TotalMilliseconds;
                if (change.Grace is { } grace) own.GraceMs = (long)grace.TotalMilliseconds;
                if (change.VersionsKept is { } kept) own.VersionsKept = kept;
                var effective = ValidatedFor(metadata.Name, RotationSchedule.Effective(defaults, own));
                metadata.Policy = own.IsEmpty ? null : own;
                metadata.Touch(NowMs());
                // Fewer versions kept takes effect now, not at the next write.
                TrimVersions(metadata, effective.VersionsKept);
                w.UpsertSecret(key with { Metadata = metadata.Seal(session.Keys.MetadataCipherKey, session.VaultId, key.Id) });
                w.PruneVersions(key.Id, effective.VersionsKept);
                result.Add(PolicyInfo(metadata.Name, effective, metadata.Policy));
            }
            facts.Count = result.Count;
            facts.Detail = (change.Inherit ? "inherit; " : "") + Describe(change);
            return (IReadOnlyList<VaultRotationPolicyInfo>)result;
        }));
    }

    /// <summary>The stored default policy, or the built-in default when none was set.</summary>
    private static VaultRotationPolicy DefaultRotationPolicy(IVaultReader reader, VaultSession session) =>
        RotationSettings.OpenPolicy(session.Keys, session.VaultId, reader.SealedSetting(RotationSettings.DefaultPolicyId)) ?? VaultRotationPolicy.Default;

    /// <summary>A key's effective policy, refused (naming the key) when its own values do not fit the default.</summary>
    private static VaultRotationPolicy ValidatedFor(string keyName, VaultRotationPolicy effective)
    {
        try
        {
            return effective.Validated();
        }
        catch (VaultInvalidInputException e)
        {
            throw new VaultInvalidInputException($"Key '{keyName}': {e.Message}") { Target = keyName };
        }
    }

    /// <summary>Keeps the newest <paramref name="keep"/> versions in a key's metadata, and their history (the caller prunes the rows).</summary>
    private static void TrimVersions(KeyMetadata metadata, int keep)
    {
        metadata.Versions = metadata.Versions.TakeLast(keep).ToArray();
        var kept = metadata.Versions;
        metadata.History = metadata.History?.Where(e => kept.Contains(e.Version)).ToArray();
    }

    private VaultRotationPolicyInfo PolicyInfo(string scope, VaultRotationPolicy policy, KeyPolicyOverride? own) => new()
    {
        Scope = scope,
        MaxAge = policy.MaxAge,
        Warning = policy.Warning,
        Grace = policy.Grace,
        VersionsKept = policy.VersionsKept,
        Overrides = own is null ? [] : new[]
        {
            own.MaxAgeMs is null ? null : "MaxAge",
            own.WarningMs is null ? null : "Warning",
            own.GraceMs is null ? null : "Grace",
            own.VersionsKept is null ? null : "VersionsKept",
        }.OfType<string>().ToArray(),
        Vault = Vault,
    };

    private static string Describe(RotationPolicyChange change) => string.Join(", ", new[]
    {
        change.MaxAge is { } m ? "MaxAge " + VaultRotationPolicy.Describe(m) : null,
        change.Warning is { } w ? "Warning " + VaultRotationPolicy.Describe(w) : null,
        change.Grace is { } g ? "Grace " + VaultRotationPolicy.Describe(g) : null,
        change.VersionsKept is { } k ? "VersionsKept " + k : null,
    }.OfType<string>());

    #endregion

    #region Exemptions

    /// <summary>
    /// Exempts every key of <paramref name="service"/> (wildcards allowed) or the one key
    /// <paramref name="key"/> from blocking, until <paramref name="until"/>, which is required and
    /// must be in the future. Admins only.
    /// </summary>
    public VaultRotationExemption AddRotationExemption(string? service, string? key, string reason, DateTimeOffset? until)
    {
        bool byService = !string.IsNullOrWhiteSpace(service), byKey = !string.IsNullOrWhiteSpace(key);
        if (byService == byKey) throw new VaultInvalidInputException("Exempt either a service (-Service) or one key (-Key), not both and not neither.");
        if (string.IsNullOrWhiteSpace(reason)) throw new VaultInvalidInputException("An exemption needs a reason (-Reason): say why the key cannot be rotated on time.");
        if (reason.Length > MaxExemptionReasonLength) throw new VaultInvalidInputException($"The reason may be at most {MaxExemptionReasonLength} characters.");
        if (until is not { } end) throw new VaultInvalidInputException("An exemption needs an end date (-Until): exemptions without one are refused.");
        var now = _clock.UtcNow;
        if (end <= now) throw new VaultInvalidInputException($"-Until {end.UtcDateTime:u} is not in the future.");
        if (end - now > MaxExemption) throw new VaultInvalidInputException($"An exemption may last at most {MaxExemption.TotalDays:0} days; renew it when it ends.");
        if (byKey) KeyNames.Validate(key!);
        return WithSession(session => AuditedWrite(session, AuditAction.ExemptionAdd, (w, facts) =>
        {
            Require(w, session, Permissions.ManageRotationPolicy);
            var stored = new StoredExemption
            {
                Service = byService ? service!.Trim() : null,
                Reason = reason.Trim(),
                UntilMs = end.ToUnixTimeMilliseconds(),
                CreatedMs = now.ToUnixTimeMilliseconds(),
                CreatedBy = session.PrincipalId,
            };
            if (byKey)
            {
                var record = w.FindSecret(session.Keys.NameIndex(key!)) ?? throw KeyNotFoundOrLost(key!);
                var metadata = OpenMetadata(session, record, key);
                facts.SetTarget(record.Id, metadata.Name);
                stored.KeyId = record.Id;
                stored.KeyName = metadata.Name;
            }
            var id = Guid.NewGuid();
            // The service pattern and the reason stay sealed in the setting: the record is readable in the file.
            facts.Detail = $"exemption {id:D} for " + (byService ? "a service" : "a key") + $" until {AuditEntry.FormatTime(stored.UntilMs)}";
            w.UpsertSealedSetting(RotationSettings.SealExemption(session.Keys, session.VaultId, id, stored, NowMs()));
            return ToExemption(w, id, stored);
        }));
    }

    /// <summary>The exemptions, active ones only unless <paramref name="includeExpired"/>.</summary>
    public IReadOnlyList<VaultRotationExemption> GetRotationExemptions(bool includeExpired = false) =>
        WithSession(session => AuditedRead(session, AuditAction.RotationRead, (r, facts) =>
        {
            Require(r, session, Permissions.List);
            facts.Detail = "exemptions";
            var result = Exemptions(r, session).Select(x => ToExemption(r, x.Id, x.Exemption))
                .Where(x => includeExpired || x.IsActive).OrderBy(x => x.Until).ToList();
            facts.Count = result.Count;
            return (IReadOnlyList<VaultRotationExemption>)result;
        }));

    /// <summary>Removes an exemption; returns it as it was. Admins only.</summary>
    public VaultRotationExemption RemoveRotationExemption(Guid id) => WithSession(session => AuditedWrite(session, AuditAction.ExemptionRemove, (w, facts) =>
    {
        Require(w, session, Permissions.ManageRotationPolicy);
        facts.Detail = $"exemption {id:D}";
        var row = w.SealedSetting(id);
        if (row is null || row.Kind != SealedSettingKinds.RotationExemption)
            throw new VaultInvalidInputException($"There is no rotation exemption with id {id:D}. List them with Get-VaultRotationExemption -IncludeExpired.");
        var stored = RotationSettings.OpenExemption(session.Keys, session.VaultId, row);
        if (stored.KeyId is { } keyId && stored.KeyName is { } keyName) facts.SetTarget(keyId, keyName);
        w.DeleteSealedSetting(id);
        return ToExemption(w, id, stored);
    }));

    private static List<(Guid Id, StoredExemption Exemption)> Exemptions(IVaultReader reader, VaultSession session) =>
        reader.SealedSettings(SealedSettingKinds.RotationExemption)
            .Select(row => (row.Id, RotationSettings.OpenExemption(session.Keys, session.VaultId, row))).ToList();

    /// <summary>Every stored exemption, ended ones included (RotationSchedule keeps only the active ones).</summary>
    private static IReadOnlyList<StoredExemption> StoredExemptions(IVaultReader reader, VaultSession session) =>
        Exemptions(reader, session).Select(x => x.Exemption).ToList();

    private VaultRotationExemption ToExemption(IVaultReader reader, Guid id, StoredExemption stored) => new()
    {
        Id = id,
        Service = stored.Service,
        Key = stored.KeyName,
        Reason = stored.Reason,
        Until = DateTime.UnixEpoch.AddMilliseconds(stored.UntilMs),
        Created = DateTime.UnixEpoch.AddMilliseconds(stored.CreatedMs),
        CreatedBy = NameOf(reader, stored.CreatedBy),
        IsActive = stored.UntilMs > NowMs(),
        Vault = Vault,
    };

    #endregion

    #region Status

    /// <summary>
    /// The rotation status of every key matching <paramref name="name"/> (null: all), optionally
    /// only those in <paramref name="state"/>, or only those due (Warning, Overdue, Blocked). Sorted by name.
    /// </summary>
    public IReadOnlyList<VaultRotationStatus> GetRotationStatus(string? name = null, RotationState? state = null, bool dueOnly = false,
        CancellationToken cancellation = default) => WithSession(session => AuditedRead(session, AuditAction.RotationRead, (r, facts) =>
    {
        Require(r, session, Permissions.List);
        facts.Detail = "status";
        var defaults = DefaultRotationPolicy(r, session);
        var exemptions = StoredExemptions(r, session);
        var now = _clock.UtcNow;
        var result = new List<VaultRotationStatus>();
        int seen = 0;
        foreach (var (key, metadata) in KeysNamed(r, session, name, facts))
        {
            if ((++seen & 1023) == 0) cancellation.ThrowIfCancellationRequested();
            var status = ToStatus(metadata, key.Id, RotationSchedule.Of(metadata, key.Id, defaults, exemptions, now), now);
            if (state is { } wanted && status.State != wanted) continue;
            if (dueOnly && !status.IsDue) continue;
            result.Add(status);
        }
        result.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name));
        facts.Count = result.Count;
        return (IReadOnlyList<VaultRotationStatus>)result;
    }));

    /// <summary>Every key (null or "*"), the keys a wildcard matches (none is no error), or one key by name.</summary>
    private static IEnumerable<(SecretRecord Key, KeyMetadata Metadata)> KeysNamed(IVaultReader reader, VaultSession session, string? name, AuditFacts facts)
    {
        if (!string.IsNullOrEmpty(name) && name != "*" && !Wildcard.HasWildcards(name)) return MatchingKeys(reader, session, name, facts);
        var match = string.IsNullOrEmpty(name) || name == "*" ? null : new Wildcard(name);
        return reader.Secrets().Select(key => (key, OpenMetadata(session, key))).Where(k => match is null || match.IsMatch(k.Item2.Name));
    }

    private VaultRotationStatus ToStatus(KeyMetadata metadata, Guid id, KeySchedule schedule, DateTimeOffset now) => new()
    {
        Name = metadata.Name,
        Id = id,
        Service = metadata.Service,
        Version = metadata.Version,
        LastRotated = schedule.LastRotated.UtcDateTime,
        Age = now - schedule.LastRotated,
        DueDate = schedule.Due.UtcDateTime,
        BlockedFrom = schedule.BlockedFrom.UtcDateTime,
        DaysLeft = (int)Math.Floor((schedule.Due - now).TotalDays),
        State = schedule.State,
        ExemptUntil = schedule.Exemption is { } e ? DateTime.UnixEpoch.AddMilliseconds(e.UntilMs) : null,
        ExemptReason = schedule.Exemption?.Reason,
        Policy = schedule.Policy,
        Vault = Vault,
    };

    /// <summary>Refuses a replaced version whose grace (counted from when it was replaced) is over.</summary>
    private static void CheckVersionReadable(KeyMetadata metadata, int version, VaultRotationPolicy policy, DateTimeOffset now)
    {
        if (RotationSchedule.ReplacedAt(metadata, version) is not { } replaced) return;
        var readableUntil = replaced + policy.Grace;
        if (now >= readableUntil) throw new VaultKeyVersionRetiredException(metadata.Name, version, readableUntil) { Target = metadata.Name };
    }

    #endregion

    #region Rotating keys

    /// <summary>Writes <paramref name="value"/> as a new version of an existing key (a rotation). Needs the rotate permission.</summary>
    public VaultKeyInfo UpdateKey(string name, SecretValue value)
    {
        KeyNames.Validate(name);
        ArgumentNullException.ThrowIfNull(value);
        using var plaintext = SecretCodec.Encode(value);
        return WithSession(session => WriteRotation(session, name, plaintext, value.Type, expected: null));
    }

    /// <summary>
    /// Rotates an existing key with a value made from its current one: <paramref name="produce"/>
    /// receives the current value and returns the new one (the engine disposes both). When it
    /// throws or returns null, nothing changes, the failed attempt is audited, and
    /// <see cref="VaultRotationFailedException"/> is thrown with its error inside.
    /// </summary>
    public VaultKeyInfo UpdateKey(string name, Func<SecretValue, SecretValue?> produce)
    {
        KeyNames.Validate(name);
        ArgumentNullException.ThrowIfNull(produce);
        // The current value is read as an audited read of its own (fail closed: no record, no value).
        using var current = WithSession(session => ReadKey(session, name, null, KeyPermissions.Read | KeyPermissions.Rotate, enforcePolicy: false));
        SecretValue? next;
        try
        {
            next = produce(current.Value);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not hidden: the script's error travels inside, and the failed attempt is audited.
            throw RecordFailedRotation(name, current, $"the new value could not be made ({e.GetType().Name})", e);
        }
        if (next is null) throw RecordFailedRotation(name, current, "the new value could not be made (nothing was returned)", null);
        using (next)
        {
            SecureBuffer plaintext;
            try
            {
                plaintext = SecretCodec.Encode(next);
            }
            catch (VaultInvalidInputException e)
            {
                // A value the vault cannot store (over 1 MiB, say) is a failed attempt, audited as such.
                throw RecordFailedRotation(name, current, "the new value cannot be stored: " + e.Message, e);
            }
            using (plaintext)
                return WithSession(session => WriteRotation(session, name, plaintext, next.Type, (current.KeyId, current.Version)));
        }
    }

    /// <summary>
    /// One rotation write: the next version of an existing key. With <paramref name="expected"/>,
    /// refused when someone else wrote a version since the current value was read, or the key was
    /// removed and made again under the same name (a new id).
    /// </summary>
    private VaultKeyInfo WriteRotation(VaultSession session, string name, SecureBuffer plaintext, SecretValueType type, (Guid KeyId, int Version)? expected)
    {
        var index = session.Keys.NameIndex(name);
        long senderId = SenderOf(session, out var senderPublic);
        return AuditedWrite(session, AuditAction.Rotate, (w, facts) =>
        {
            var key = w.FindSecret(index) ?? throw KeyNotFoundOrLost(name);
            facts.SetTarget(key.Id, name);
            facts.Version = key.CurrentVersion;
            var metadata = OpenMetadata(session, key, name);
            RequireOnKey(w, session, key, metadata, KeyPermissions.Rotate, facts);
            AuditCrossCheck.CheckKeyRow(w, key, name);
            if (expected is { } read && (key.Id != read.KeyId || key.CurrentVersion != read.Version))
                throw new VaultRotationFailedException(metadata.Name, "the key was written or made again by someone else while the new value was being made; run the rotation again") { Target = name };
            using var dataKey = DataKeyForWrite(w, session, key, metadata, senderId, senderPublic);
            return AppendVersion(w, session, key, metadata, dataKey, plaintext.ReadOnlySpan, type, facts);
        });
    }

    /// <summary>Audits a failed rotation attempt (outcome error, reason RotationFailed) and returns the exception to throw.</summary>
    private VaultRotationFailedException RecordFailedRotation(string name, KeyRead current, string why, Exception? inner)
    {
        var failure = new VaultRotationFailedException(name, why, inner) { Target = name };
        WithSession(session =>
        {
            var facts = new AuditFacts(AuditAction.Rotate);
            facts.SetTarget(current.KeyId, name);
            facts.Version = current.Version;
            AuditRefusal(session, facts, failure);
            return 0;
        });
        return failure;
    }

    /// <summary>
    /// A rotation run: every key matching <paramref name="name"/> (null: all), only those due when
    /// <paramref name="dueOnly"/>, each rotated with <paramref name="produce"/> (key name and
    /// current value in, new value out). <paramref name="confirm"/> may decline a key (-WhatIf,
    /// -Confirm): it is then skipped. A failing key is reported and the run goes on. Results are
    /// streamed one per key; every attempt (failed ones included) has its audit record.
    /// </summary>
    public IEnumerable<VaultRotationResult> RotateKeys(string? name, bool dueOnly, Func<string, SecretValue, SecretValue?> produce,
        Func<VaultRotationStatus, bool>? confirm = null, Action<RotationProgressInfo>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(produce);
        // Chosen up front (and audited as one status read), so a bad pattern fails before anything runs.
        var selected = GetRotationStatus(name, state: null, dueOnly, cancellation);
        var rotatable = WithSession(session => _store.Read(r => RotatableBy(r, session, selected)));
        return Run();

        IEnumerable<VaultRotationResult> Run()
        {
            for (int i = 0; i < selected.Count; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                var status = selected[i];
                progress?.Invoke(new RotationProgressInfo(i, selected.Count, "Rotating keys", status.Name));
                // A job holding grants on some keys runs over all of them: the others are not its to
                // rotate, which is no failure (and raises no access-denied alert per key).
                yield return rotatable.Contains(status.Id) ? RotateOne(status, produce, confirm)
                    : Result(status, RotationOutcome.Skipped, null, "no read and rotate permission on this key", null);
            }
            progress?.Invoke(new RotationProgressInfo(selected.Count, selected.Count, "Rotating keys", null));
        }
    }

    /// <summary>The keys among <paramref name="selected"/> the acting principal may read and rotate now.</summary>
    private HashSet<Guid> RotatableBy(IVaultReader reader, VaultSession session, IReadOnlyList<VaultRotationStatus> selected)
    {
        var role = (Identity.Role)Acting(reader, session).Role;
        var result = new HashSet<Guid>();
        foreach (var status in selected)
        {
            if (reader.FindSecret(status.Id) is not { } key) continue;
            var held = Permissions.OnKey(role, OpenMetadata(session, key).Owner == session.PrincipalId, GrantedOnKey(reader, session, role, key.Id, out _));
            if ((held & (KeyPermissions.Read | KeyPermissions.Rotate)) == (KeyPermissions.Read | KeyPermissions.Rotate)) result.Add(key.Id);
        }
        return result;
    }

    private VaultRotationResult RotateOne(VaultRotationStatus status, Func<string, SecretValue, SecretValue?> produce, Func<VaultRotationStatus, bool>? confirm)
    {
        if (confirm != null && !confirm(status))
            return Result(status, RotationOutcome.Skipped, null, "not confirmed (-WhatIf or -Confirm)", null);
        try
        {
            var info = UpdateKey(status.Name, value => produce(status.Name, value));
            return Result(status, RotationOutcome.Rotated, info.Version, null, null);
        }
        catch (VaultException e) when (e is not (VaultLockedException or VaultNotFoundException or VaultStorageException))
        {
            // One key's failure is its result; the run goes on. A locked vault or a failing store stops it.
            return Result(status, RotationOutcome.Failed, null, e.Message, e);
        }
    }

    private VaultRotationResult Result(VaultRotationStatus status, RotationOutcome outcome, int? newVersion, string? reason, Exception? error) => new()
    {
        Name = status.Name,
        Outcome = outcome,
        StateBefore = status.State,
        PreviousVersion = status.Version,
        NewVersion = newVersion,
        Reason = reason,
        Error = error,
        Vault = Vault,
    };

    #endregion

    #region History

    /// <summary>The kept versions of a key, newest first, with when and by whom each was written.</summary>
    public IReadOnlyList<VaultKeyVersionInfo> GetKeyHistory(string name)
    {
        KeyNames.Validate(name);
        return WithSession(session => AuditedRead(session, AuditAction.History, (r, facts) =>
        {
            Require(r, session, Permissions.List);
            var key = r.FindSecret(session.Keys.NameIndex(name)) ?? throw KeyNotFoundOrLost(name);
            facts.SetTarget(key.Id, name);
            var metadata = OpenMetadata(session, key, name);
            var policy = RotationSchedule.Effective(DefaultRotationPolicy(r, session), metadata.Policy);
            var rows = r.Versions(key.Id).ToDictionary(v => v.Version);
            var result = new List<VaultKeyVersionInfo>();
            foreach (var version in Enumerable.Reverse(metadata.Versions))
            {
                var entry = metadata.History?.FirstOrDefault(e => e.Version == version);
                var replaced = RotationSchedule.ReplacedAt(metadata, version);
                result.Add(new VaultKeyVersionInfo
                {
                    Name = metadata.Name,
                    Version = version,
                    // The row's time is not authenticated; the sealed history is, when it has the version.
                    Created = DateTime.UnixEpoch.AddMilliseconds(entry?.WrittenMs ?? rows.GetValueOrDefault(version)?.CreatedMs ?? metadata.CreatedMs),
                    CreatedBy = entry is null || entry.WrittenBy == Guid.Empty ? null : NameOf(r, entry.WrittenBy),
                    IsCurrent = version == metadata.Version,
                    ReadableUntil = replaced is { } at ? (at + policy.Grace).UtcDateTime : null,
                    Vault = Vault,
                });
            }
            facts.Count = result.Count;
            return (IReadOnlyList<VaultKeyVersionInfo>)result;
        }));
    }

    /// <summary>Makes an old version current again, by writing its value as a new version.</summary>
    public VaultKeyInfo RestoreKey(string name, int version)
    {
        KeyNames.Validate(name);
        if (version < 1) throw new VaultInvalidInputException("A version number starts at 1.");
        return WithSession(session =>
        {
            var index = session.Keys.NameIndex(name);
            long senderId = SenderOf(session, out var senderPublic);
            return AuditedWrite(session, AuditAction.Restore, (w, facts) =>
            {
                var record = w.ReadValue(index, session.PrincipalId, version) ?? throw KeyNotFoundOrLost(name);
                var key = record.Secret;
                facts.SetTarget(key.Id, name);
                facts.Detail = $"from version {version}";
                var metadata = OpenMetadata(session, key, name);
                RequireOnKey(w, session, key, metadata, KeyPermissions.Read | KeyPermissions.Write, facts);
                AuditCrossCheck.CheckKeyRow(w, key, name);
                if (record.Version is null) throw VersionNotFoundOrLost(metadata, version, name);
                using var dataKey = DataKeyForWrite(w, session, key, metadata, senderId, senderPublic);
                // Read again after DataKeyForWrite: a pending data-key rotation has just re-encrypted every kept version.
                var stored = w.Versions(key.Id).FirstOrDefault(v => v.Version == version)
                    ?? throw new VaultIntegrityException($"version {version} of key '{metadata.Name}' vanished inside its own transaction");
                using var plaintext = OpenVersion(session, dataKey, stored, key.Id, version, metadata.Name, out var type);
                return AppendVersion(w, session, key, metadata, dataKey, plaintext.ReadOnlySpan, type, facts);
            });
        });
    }

    #endregion
}
