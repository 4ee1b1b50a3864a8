using System.Security.Cryptography.X509Certificates;
using SecureVault.Access;
using SecureVault.Audit;
using SecureVault.Crypto;
using SecureVault.Identity;
using SecureVault.Memory;
using SecureVault.Sessions;
using SecureVault.Storage;

namespace SecureVault;

/// <summary>
/// A principal's keyslots: each seals the same private keys under one credential (a password, a
/// certificate, or a password and a certificate together). Only the principal itself can add one
/// (nobody else holds its private keys); an Admin can take one away.
/// </summary>
public sealed partial class VaultEngine
{
    /// <summary>
    /// Adds a certificate keyslot to the unlocked principal. With <paramref name="requireBoth"/>, the
    /// keyslot needs <paramref name="password"/> (the current one) and the certificate together, and
    /// the password-only keyslots (and a certificate-only keyslot of the same certificate) are
    /// removed, so neither factor alone unlocks (another certificate enrolled on its own still
    /// does). Copies of the vault made before still open with the password alone (the private keys
    /// stay the same).
    /// </summary>
    public VaultPrincipalInfo AddCertificateKeyslot(X509Certificate2 certificate, bool requireBoth = false, ReadOnlySpan<byte> password = default)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        CertificateKeyWrap.CheckEnrollable(certificate, _clock.UtcNow);
        if (requireBoth && password.IsEmpty)
            throw new VaultInvalidInputException("-RequireBoth needs the principal's current -Password: the new keyslot is sealed under both.");
        if (!requireBoth && !password.IsEmpty)
            throw new VaultInvalidInputException("A -Password is used only with -RequireBoth.");
        using var passwordCopy = SecureBuffer.CopyOf(password);
        return WithSession(session =>
        {
            var facts = new AuditFacts(AuditAction.KeyslotAdd);
            KeyslotRecord keyslot;
            List<KeyslotRecord> replaced;
            try
            {
                // Sealed before the write transaction: Argon2 must not hold the write lock.
                var existing = _store.Read(r => { Require(r, session, Permissions.ManageOwnCredentials); return r.Keyslots(session.PrincipalId); });
                // With RequireBoth, what would still open with one factor goes: every password-only keyslot,
                // and a certificate-only keyslot of this same certificate.
                replaced = requireBoth
                    ? existing.Where(k => k.Kind == KeyslotKinds.Password || (k.Kind == KeyslotKinds.Certificate && KeyslotMatches(k, certificate))).ToList()
                    : [];
                KdfParameters? kdf = null;
                if (requireBoth)
                {
                    // A wrong password here counts toward the lockout like one at unlock: an open session must not be a way to guess it.
                    var attempt = new AuthenticationAttempt(session.PrincipalId);
                    CountAttempt(attempt, session.PrincipalName);
                    facts.OnRefusal = w => RecordFailure(w, attempt, facts);
                    kdf = ProvePassword(session, replaced.Where(k => k.Kind == KeyslotKinds.Password).ToList(), passwordCopy.ReadOnlySpan);
                    facts.OnRefusal = null;
                    _store.Write(w => { ClearLockout(w, session.PrincipalId); return 0; }); // proven: as a successful unlock
                }
                keyslot = SealOwnKeyslot(session, (vaultId, principalId, payload) => requireBoth
                    ? PasswordCertificateKeyslot.Seal(vaultId, Guid.NewGuid(), principalId, passwordCopy.ReadOnlySpan, kdf!, certificate, payload, NowMs())
                    : CertificateKeyslot.Seal(vaultId, Guid.NewGuid(), principalId, certificate, payload, NowMs()));
            }
            catch (VaultException e) when (IsAuditedRefusal(e))
            {
                AuditRefusal(session, facts, e);
                throw;
            }
            var info = AuditedWrite(session, AuditAction.KeyslotAdd, (w, f) =>
            {
                Require(w, session, Permissions.ManageOwnCredentials);
                if (w.Keyslots(session.PrincipalId).Any(k => k.Kind == keyslot.Kind && KeyslotMatches(k, certificate)))
                    throw new VaultInvalidInputException($"This certificate is already enrolled for '{session.PrincipalName}' ({KeyslotKinds.Describe(keyslot.Kind)}).");
                w.UpsertKeyslot(keyslot);
                foreach (var old in replaced) w.DeleteKeyslot(old.Id);
                f.Keyslot = AuditCrossCheck.KeyslotFingerprint(keyslot.Id, keyslot.Kdf);
                f.Detail = KeyslotKinds.Describe(keyslot.Kind)
                    + (replaced.Count > 0 ? " removed " + string.Join(",", replaced.Select(k => k.Id.ToString("N"))) : "");
                return ToPrincipalInfo(w, Acting(w, session));
            });
            // A removed password keyslot must not linger in the journal, where the password alone would still open it.
            if (replaced.Count > 0) _store.Checkpoint();
            return info;
        });
    }

    /// <summary>Adds a password keyslot to the unlocked principal (one that has none, such as a certificate principal).</summary>
    public VaultPrincipalInfo AddPasswordKeyslot(ReadOnlySpan<byte> password)
    {
        using var passwordCopy = SecureBuffer.CopyOf(password);
        return WithSession(session =>
        {
            var (kdf, mfaOn) = _store.Read(r => (VaultKdf(r), r.Mfa(session.PrincipalId)?.Confirmed == true));
            PasswordRules.CheckNew(passwordCopy.ReadOnlySpan, secondFactor: mfaOn);
            var keyslot = SealOwnKeyslot(session, (vaultId, principalId, payload) =>
                PasswordKeyslot.Seal(vaultId, Guid.NewGuid(), principalId, passwordCopy.ReadOnlySpan, kdf, payload, NowMs()));
            return AuditedWrite(session, AuditAction.KeyslotAdd, (w, facts) =>
            {
                Require(w, session, Permissions.ManageOwnCredentials);
                if (w.Keyslots(session.PrincipalId).Any(k => k.Kind is KeyslotKinds.Password or KeyslotKinds.PasswordAndCertificate))
                    throw new VaultInvalidInputException($"'{session.PrincipalName}' has a password already; change it with Set-VaultPassword.");
                w.UpsertKeyslot(keyslot);
                facts.Keyslot = AuditCrossCheck.KeyslotFingerprint(keyslot.Id, keyslot.Kdf);
                facts.Detail = KeyslotKinds.Describe(keyslot.Kind);
                return ToPrincipalInfo(w, Acting(w, session));
            });
        });
    }

    /// <summary>
    /// Removes one keyslot: one's own, or, for an Admin, any principal's (a lost certificate). A
    /// principal's last keyslot cannot be removed (remove the principal instead).
    /// </summary>
    public VaultPrincipalInfo RemoveKeyslot(Guid keyslotId, string? principal = null)
    {
        var info = WithSession(session => AuditedWrite(session, AuditAction.KeyslotRemove, (w, facts) =>
        {
            var target = principal is null ? Acting(w, session) : FindPrincipalOrThrow(w, session, PrincipalNames.Validate(principal));
            Require(w, session, target.Id == session.PrincipalId ? Permissions.ManageOwnCredentials : Permissions.ManagePrincipals);
            facts.Detail = $"principal '{target.Name}'";
            var keyslots = w.Keyslots(target.Id);
            var keyslot = keyslots.FirstOrDefault(k => k.Id == keyslotId)
                ?? throw new VaultInvalidInputException($"'{target.Name}' has no keyslot {keyslotId}. See its keyslots with (Get-VaultPrincipal -Name '{target.Name}').Keyslots.");
            if (keyslots.Count == 1)
                throw new VaultInvalidInputException($"That is the last keyslot of '{target.Name}': without it nobody could unlock as '{target.Name}'. Add another first, or remove the principal.");
            facts.Keyslot = AuditCrossCheck.KeyslotFingerprint(keyslot.Id, keyslot.Kdf);
            w.DeleteKeyslot(keyslot.Id);
            return ToPrincipalInfo(w, target);
        }));
        _store.Checkpoint(); // the removed keyslot must not linger in the journal
        return info;
    }

    /// <summary>Seals the session principal's private keys and metadata key commitment with <paramref name="seal"/>.</summary>
    private static KeyslotRecord SealOwnKeyslot(VaultSession session, KeyslotSealer seal)
    {
        using var scalars = session.CopyPrivateScalars();
        using var payload = KeyslotPayload(scalars.ReadOnlySpan, session.Keys.MetadataKey, session.VaultId, session.PrincipalId);
        return seal(session.VaultId, session.PrincipalId, payload.ReadOnlySpan);
    }

    /// <summary>Checks that <paramref name="password"/> opens one of the principal's password keyslots; returns that keyslot's KDF cost.</summary>
    private static KdfParameters ProvePassword(VaultSession session, IReadOnlyList<KeyslotRecord> passwordSlots, ReadOnlySpan<byte> password)
    {
        if (passwordSlots.Count == 0)
            throw new VaultInvalidInputException($"'{session.PrincipalName}' has no password-only keyslot to combine with the certificate.");
        foreach (var slot in passwordSlots)
        {
            try
            {
                PasswordKeyslot.Open(session.VaultId, slot, password, session.PrincipalName).Dispose();
                return KdfParameters.Decode(slot.Kdf).Parameters;
            }
            catch (VaultAuthenticationException) when (slot != passwordSlots[^1])
            {
                // Another password keyslot may match.
            }
        }
        throw new VaultAuthenticationException(session.PrincipalName, "Check the principal's current password.") { Target = session.PrincipalName };
    }
}
