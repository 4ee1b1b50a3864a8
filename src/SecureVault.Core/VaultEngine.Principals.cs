using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecureVault.Access;
using SecureVault.Audit;
using SecureVault.Crypto;
using SecureVault.Identity;
using SecureVault.Memory;
using SecureVault.Sessions;
using SecureVault.Storage;

namespace SecureVault;

/// <summary>Principals: who may unlock the vault, with which role, and their lockout.</summary>
public sealed partial class VaultEngine
{
    /// <summary>Seals a new principal's 96-byte keyslot payload under one credential.</summary>
    internal delegate KeyslotRecord KeyslotSealer(Guid vaultId, Guid principalId, ReadOnlySpan<byte> payload);

    /// <summary>
    /// What every keyslot seals: the principal's private scalars and its commitment to the vault's
    /// metadata key (see PasswordKeyslot). The caller disposes it.
    /// </summary>
    private static SecureBuffer KeyslotPayload(ReadOnlySpan<byte> scalars, ReadOnlySpan<byte> metadataKey, Guid vaultId, Guid principalId)
    {
        var payload = new SecureBuffer(PasswordKeyslot.SealedSize);
        scalars.CopyTo(payload.Span);
        KeyCommitment.Compute(metadataKey, MetadataKeyCheckLabel, vaultId, principalId).CopyTo(payload.Span[ScalarsSize..]);
        return payload;
    }

    #region Principals

    /// <summary>
    /// Adds a principal that unlocks with a password. <paramref name="kdf"/> null: the cost of
    /// the vault's existing password keyslots. Admins only.
    /// </summary>
    public VaultPrincipalInfo NewPrincipal(string name, Role role, ReadOnlySpan<byte> password, KdfParameters? kdf = null)
    {
        PrincipalNames.Validate(name);
        PasswordRules.CheckNew(password);
        var parameters = (kdf ?? _store.Read(VaultKdf)).Validated();
        // Argon2 runs here, before the write transaction, so other writers do not wait for it.
        var passwordCopy = SecureBuffer.CopyOf(password);
        try
        {
            return AddPrincipal(name, role, (vaultId, principalId, payload) =>
                PasswordKeyslot.Seal(vaultId, Guid.NewGuid(), principalId, passwordCopy.ReadOnlySpan, parameters, payload, NowMs()));
        }
        finally
        {
            passwordCopy.Dispose();
        }
    }

    /// <summary>
    /// Adds a principal that unlocks with a certificate and no password, for unattended jobs. The
    /// certificate must come with its private key: the keyslot is signed with it, so that nobody
    /// holding only the public certificate can forge one. Admins only.
    /// </summary>
    public VaultPrincipalInfo NewPrincipal(string name, Role role, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        PrincipalNames.Validate(name);
        CertificateKeyWrap.CheckEnrollable(certificate, _clock.UtcNow);
        return AddPrincipal(name, role, (vaultId, principalId, payload) =>
            CertificateKeyslot.Seal(vaultId, Guid.NewGuid(), principalId, certificate, payload, NowMs()));
    }

    /// <summary>
    /// Creates a principal's key pairs, seals them with <paramref name="seal"/>, and in one audited
    /// transaction stores it with the metadata key wrapped to it (and, for an Admin, every data key).
    /// </summary>
    internal VaultPrincipalInfo AddPrincipal(string name, Role role, KeyslotSealer seal)
    {
        CheckRole(role);
        return WithSession(session =>
        {
            var principalId = Guid.NewGuid();
            var (scalars, ecdhPublic, ecdsaPublic) = EcKeys.NewPrincipalKeys();
            var payload = KeyslotPayload(scalars.ReadOnlySpan, session.Keys.MetadataKey, session.VaultId, principalId);
            try
            {
                var keyslot = seal(session.VaultId, principalId, payload.ReadOnlySpan);
                long senderId = SenderOf(session, out var senderPublic);
                return AuditedWrite(session, AuditAction.PrincipalAdd, (w, facts) =>
                {
                    Require(w, session, Permissions.ManagePrincipals);
                    facts.Detail = $"principal '{name}' role {role}";
                    if (w.FindPrincipal(PrincipalNames.Normalize(name)) != null) throw new VaultPrincipalExistsException(name) { Target = name };
                    long now = NowMs();
                    var pairKey = session.PairKey(senderId, principalId, () => (senderPublic, ecdhPublic));
                    var wrappedMetadataKey = KeyWrap.Wrap(pairKey, session.Keys.MetadataKey,
                        new WrapContext(WrapPurpose.MetadataKey, session.VaultId, session.VaultId, principalId));
                    var mac = session.Keys.PrincipalMac(principalId, (int)role, now, ecdhPublic, ecdsaPublic, name);
                    var record = new PrincipalRecord(principalId, name, (int)role, ecdhPublic, ecdsaPublic, now, senderId, wrappedMetadataKey, mac);
                    w.InsertPrincipal(record);
                    w.UpsertKeyslot(keyslot);
                    facts.Keyslot = AuditCrossCheck.KeyslotFingerprint(keyslot.Id, keyslot.Kdf);
                    if (role == Role.Admin) facts.Count = WrapEveryKeyTo(w, session, record, senderId, senderPublic);
                    return ToPrincipalInfo(w, record);
                });
            }
            finally
            {
                scalars.Dispose();
                payload.Dispose();
            }
        });
    }

    /// <summary>Every principal, in the order they were added. Any role may list them.</summary>
    public IReadOnlyList<VaultPrincipalInfo> GetPrincipals(string? name = null)
    {
        var match = string.IsNullOrEmpty(name) || name == "*" ? null : new Values.Wildcard(name);
        return WithSession(session => AuditedRead(session, AuditAction.PrincipalList, (r, facts) =>
        {
            Require(r, session, Permissions.ListPrincipals);
            var result = r.Principals().Where(p => match is null || match.IsMatch(p.Name)).Select(p => ToPrincipalInfo(r, p)).ToList();
            if (result.Count == 0 && match != null && !Values.Wildcard.HasWildcards(name!))
                throw new VaultPrincipalNotFoundException(name!) { Target = name };
            facts.Count = result.Count;
            return (IReadOnlyList<VaultPrincipalInfo>)result;
        }));
    }

    /// <summary>
    /// Changes a principal's role or disables (enables) it. Promotion to Admin wraps every data key
    /// to it; demotion takes away the copies it may no longer hold and rotates those data keys.
    /// Disabling only suspends: the engine refuses the principal until it is enabled again (its
    /// copies stay, so whoever holds its credentials and the file could still open them offline;
    /// remove the principal to shut it out for good). The last enabled Admin cannot be demoted or
    /// disabled. Admins only.
    /// </summary>
    public VaultPrincipalInfo SetPrincipal(string name, Role? role = null, bool? disabled = null, Action<long, long>? progress = null)
    {
        PrincipalNames.Validate(name);
        if (role is { } r0) CheckRole(r0);
        if (role is null && disabled is null) throw new VaultInvalidInputException("Give -Role or -Disabled (or both).");
        return WithSession(session =>
        {
            long senderId = SenderOf(session, out var senderPublic);
            return AuditedWrite(session, AuditAction.PrincipalSet, (w, facts) =>
            {
                Require(w, session, Permissions.ManagePrincipals);
                var target = FindPrincipalOrThrow(w, session, name);
                var newRole = role ?? (Role)target.Role;
                bool newDisabled = disabled ?? target.Disabled;
                facts.Detail = $"principal '{target.Name}' role {newRole}" + (newDisabled ? " disabled" : "");
                bool wasActiveAdmin = (Role)target.Role == Role.Admin && !target.Disabled;
                if (wasActiveAdmin && (newRole != Role.Admin || newDisabled)) RefuseIfLastAdmin(w, target, "demoted or disabled");
                var updated = target with
                {
                    Role = (int)newRole,
                    Disabled = newDisabled,
                    Mac = session.Keys.PrincipalMac(target.Id, (int)newRole, target.CreatedMs, target.EcdhPublic, target.EcdsaPublic, target.Name, newDisabled),
                };
                w.UpdatePrincipal(target.Id, updated.Role, updated.Disabled, updated.Mac);
                // Disabling suspends: the engine refuses the principal, its copies stay for when it is enabled again.
                if (newRole == Role.Admin && (Role)target.Role != Role.Admin)
                    facts.Count = WrapEveryKeyTo(w, session, updated, senderId, senderPublic);
                else if (newRole != (Role)target.Role)
                    facts.Count = ShutOut(w, session, updated, senderId, senderPublic, progress, dropAll: false);
                return ToPrincipalInfo(w, updated);
            });
        });
    }

    /// <summary>
    /// Removes a principal with its credentials and grants; every data key it could read is rotated
    /// so a copy it kept opens nothing the vault still holds. Its audit signing key stays known for
    /// the records it signed. The last enabled Admin cannot be removed. Admins only.
    /// </summary>
    public VaultPrincipalInfo RemovePrincipal(string name, Action<long, long>? progress = null)
    {
        PrincipalNames.Validate(name);
        return WithSession(session =>
        {
            long senderId = SenderOf(session, out var senderPublic);
            return AuditedWrite(session, AuditAction.PrincipalRemove, (w, facts) =>
            {
                Require(w, session, Permissions.ManagePrincipals);
                var target = FindPrincipalOrThrow(w, session, name);
                facts.Detail = $"principal '{target.Name}'";
                if ((Role)target.Role == Role.Admin && !target.Disabled) RefuseIfLastAdmin(w, target, "removed");
                var info = ToPrincipalInfo(w, target);
                facts.Count = ShutOut(w, session, target, senderId, senderPublic, progress, dropAll: true);
                w.DeletePrincipal(target.Id);
                // Its signing key may have signed the records before this one, and no later ones.
                long next = AuditTrail.Next(w, session.VaultId).Seq;
                foreach (var signer in w.AuditSigners().Where(s => s.PrincipalId == target.Id && s.ValidUntilSeq is null))
                    w.CloseAuditSigner(signer.Id, next, session.Keys.SignerMac(signer.PrincipalId, signer.ValidFromSeq, next, signer.PublicKey));
                return info;
            });
        });
    }

    /// <summary>
    /// Takes from <paramref name="principal"/> every data key copy it may no longer hold (all of them
    /// with <paramref name="dropAll"/>) and rotates those keys now. Returns how many were rotated.
    /// </summary>
    private int ShutOut(IVaultWriter writer, VaultSession session, PrincipalRecord principal, long senderId, byte[] senderPublic,
        Action<long, long>? progress, bool dropAll)
    {
        var held = writer.SecretsWrappedTo(principal.Id);
        int rotated = 0;
        for (int i = 0; i < held.Count; i++)
        {
            progress?.Invoke(i, held.Count);
            bool dropped;
            if (dropAll)
            {
                writer.DeleteWrappedKey(held[i], principal.Id);
                dropped = true;
            }
            else dropped = DropCopyIfUnentitled(writer, session, held[i], principal);
            if (!dropped) continue;
            var key = writer.FindSecret(held[i])!;
            RotateNow(writer, session, key, OpenMetadata(session, key), senderId, senderPublic);
            rotated++;
        }
        progress?.Invoke(held.Count, held.Count);
        return rotated;
    }

    /// <summary>Wraps every key's data key to a new or promoted Admin; returns how many.</summary>
    private static int WrapEveryKeyTo(IVaultWriter writer, VaultSession session, PrincipalRecord admin, long senderId, byte[] senderPublic)
    {
        int count = 0;
        foreach (var key in writer.Secrets().ToList())
        {
            if (writer.WrappedKey(key.Id, admin.Id) != null) continue;
            var metadata = OpenMetadata(session, key);
            using var dataKey = UnwrapDataKey(writer, session, key.Id, writer.WrappedKey(key.Id, session.PrincipalId), metadata);
            WrapTo(writer, session, key.Id, dataKey, admin, senderId, senderPublic);
            count++;
        }
        return count;
    }

    private static void RefuseIfLastAdmin(IVaultReader reader, PrincipalRecord target, string change)
    {
        bool another = reader.Principals().Any(p => p.Id != target.Id && (Role)p.Role == Role.Admin && !p.Disabled);
        if (!another)
            throw new VaultInvalidInputException($"'{target.Name}' is the last enabled Admin and cannot be {change}. Make another principal an Admin first (Set-VaultPrincipal -Role Admin).");
    }

    private static void CheckRole(Role role)
    {
        if (!Enum.IsDefined(role)) throw new VaultInvalidInputException("A role is Admin, User or Viewer.");
    }

    /// <summary>The KDF cost of the vault's password keyslots (the oldest one's), for new ones (which always normalize the password).</summary>
    private static KdfParameters VaultKdf(IVaultReader reader)
    {
        foreach (var principal in reader.Principals())
        {
            var slot = reader.Keyslots(principal.Id).FirstOrDefault(k => k.Kind == PasswordKeyslot.Kind);
            if (slot != null) return KdfParameters.Decode(slot.Kdf).Parameters with { PasswordNormalized = true };
        }
        return KdfParameters.Default;
    }

    private VaultPrincipalInfo ToPrincipalInfo(IVaultReader reader, PrincipalRecord principal)
    {
        var lockout = reader.Lockout(principal.Id);
        var keyslots = reader.Keyslots(principal.Id);
        return new VaultPrincipalInfo
        {
            Name = principal.Name,
            Role = (Role)principal.Role,
            Disabled = principal.Disabled,
            Credentials = keyslots.Select(k => KeyslotKinds.Describe(k.Kind)).ToArray(),
            Keyslots = keyslots.Select(k => new VaultKeyslotInfo
            {
                Principal = principal.Name,
                Id = k.Id,
                Kind = KeyslotKinds.Describe(k.Kind),
                Updated = DateTime.UnixEpoch.AddMilliseconds(k.UpdatedMs),
                Vault = Vault,
            }).ToArray(),
            MfaEnabled = reader.Mfa(principal.Id)?.Confirmed == true,
            LockedUntil = LockoutPolicy.LockedUntil(lockout, NowMs())?.UtcDateTime,
            FailedAttempts = lockout.Failures,
            Created = DateTime.UnixEpoch.AddMilliseconds(principal.CreatedMs),
            Vault = Vault,
        };
    }

    #endregion

    #region Lockout administration

    /// <summary>Clears a principal's lockout and failure count. Admins only; audited.</summary>
    public VaultPrincipalInfo UnlockPrincipal(string name)
    {
        PrincipalNames.Validate(name);
        return WithSession(session => AuditedWrite(session, AuditAction.LockoutClear, (w, facts) =>
        {
            Require(w, session, Permissions.UnlockPrincipal);
            var target = FindPrincipalOrThrow(w, session, name);
            facts.Detail = $"principal '{target.Name}'";
            w.SetLockout(target.Id, LockoutState.Clear);
            return ToPrincipalInfo(w, target);
        }));
    }

    /// <summary>The vault's lockout policy (the defaults until an Admin changes it). Works while locked.</summary>
    public VaultLockoutPolicy GetLockoutPolicy() => _store.Read(LockoutPolicyOf);

    /// <summary>Changes the lockout policy; only the values given change. Admins only; audited.</summary>
    public VaultLockoutPolicy SetLockoutPolicy(int? maxFailures = null, TimeSpan? lockoutDuration = null, TimeSpan? maxLockoutDuration = null)
    {
        return WithSession(session => AuditedWrite(session, AuditAction.LockoutPolicy, (w, facts) =>
        {
            Require(w, session, Permissions.ManageLockoutPolicy);
            var current = LockoutPolicyOf(w);
            var updated = new VaultLockoutPolicy
            {
                MaxFailures = maxFailures ?? current.MaxFailures,
                LockoutDuration = lockoutDuration ?? current.LockoutDuration,
                MaxLockoutDuration = maxLockoutDuration ?? Max(current.MaxLockoutDuration, lockoutDuration ?? TimeSpan.Zero),
                Vault = Vault,
            }.Validated();
            facts.Detail = $"maxFailures={updated.MaxFailures} lockout={updated.LockoutDuration} maxLockout={updated.MaxLockoutDuration}";
            w.SetLockoutPolicy(new LockoutPolicyRecord(updated.MaxFailures, (long)updated.LockoutDuration.TotalSeconds, (long)updated.MaxLockoutDuration.TotalSeconds, NowMs()));
            return updated;
        }));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private VaultLockoutPolicy LockoutPolicyOf(IVaultReader reader)
    {
        if (reader.LockoutPolicy() is not { } stored) return new VaultLockoutPolicy { Vault = Vault };
        // The row is not authenticated: a value out of range is refused, never used (a lockout of 0 s would disable it).
        long longest = (long)VaultLockoutPolicy.MaxAllowedDuration.TotalSeconds;
        if (stored.LockSeconds is < 1 || stored.LockSeconds > longest || stored.MaxLockSeconds < stored.LockSeconds || stored.MaxLockSeconds > longest
            || stored.MaxFailures is < 1 or > VaultLockoutPolicy.MaxAllowedFailures)
            throw new VaultIntegrityException("the stored lockout policy is out of range");
        return new VaultLockoutPolicy
        {
            MaxFailures = stored.MaxFailures,
            LockoutDuration = TimeSpan.FromSeconds(stored.LockSeconds),
            MaxLockoutDuration = TimeSpan.FromSeconds(stored.MaxLockSeconds),
            Vault = Vault,
        };
    }

    #endregion
}
