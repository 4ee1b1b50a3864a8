using SecureVault.Access;
using SecureVault.Audit;
using SecureVault.Identity;
using SecureVault.Memory;
using SecureVault.Sessions;
using SecureVault.Storage;

namespace SecureVault;

/// <summary>
/// The TOTP second factor (ARCHITECTURE.md section 5): enrolment confirmed by a first valid code,
/// checked at every password unlock, each time step accepted once.
/// </summary>
public sealed partial class VaultEngine
{
    /// <summary>The issuer shown by authenticator apps.</summary>
    public const string TotpIssuer = "SecureVault";

    /// <summary>The cache slot of a session's pair key with itself (no real sender key has a negative id).</summary>
    private const long SelfSender = -1;

    /// <summary>
    /// Starts TOTP enrolment for the unlocked principal: a new secret, pending until
    /// <see cref="ConfirmMfa"/> is given a valid code from it. Replaces a pending enrolment;
    /// refused when MFA is already on.
    /// </summary>
    public MfaEnrolment EnableMfa() => WithSession(session => AuditedWrite(session, AuditAction.MfaEnable, (w, facts) =>
    {
        Require(w, session, Permissions.ManageOwnCredentials);
        if (!w.Keyslots(session.PrincipalId).Any(k => k.Kind is KeyslotKinds.Password or KeyslotKinds.PasswordAndCertificate))
            throw new VaultInvalidInputException($"'{session.PrincipalName}' has no password; a second factor guards password unlocks only.");
        if (w.Mfa(session.PrincipalId) is { Confirmed: true })
            throw new VaultInvalidInputException($"MFA is already on for '{session.PrincipalName}'. Turn it off with Disable-VaultMfa first to enrol a new device.");
        using var secret = TotpEnrolment.NewSecret();
        var sealedSecret = MfaSecret.Seal(SelfPairKey(session), session.VaultId, session.PrincipalId, secret.ReadOnlySpan);
        w.SetMfa(new MfaRecord(session.PrincipalId, sealedSecret, Confirmed: false, LastStep: -1, NowMs()));
        facts.Detail = $"principal '{session.PrincipalName}' pending";
        using var uri = TotpEnrolment.OtpAuthUri(secret.ReadOnlySpan, TotpIssuer, session.PrincipalName);
        return new MfaEnrolment
        {
            Principal = session.PrincipalName,
            OtpAuthUri = SecureText.ToSecureString(uri.ReadOnlySpan),
            Vault = Vault,
        };
    }));

    /// <summary>Turns a pending enrolment on with a valid code from the new device.</summary>
    public VaultPrincipalInfo ConfirmMfa(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return WithSession(session => AuditedWrite(session, AuditAction.MfaConfirm, (w, facts) =>
        {
            Require(w, session, Permissions.ManageOwnCredentials);
            facts.Detail = $"principal '{session.PrincipalName}'";
            var pending = w.Mfa(session.PrincipalId) is { Confirmed: false } p ? p
                : throw new VaultInvalidInputException($"'{session.PrincipalName}' has no pending MFA enrolment. Start one with Enable-VaultMfa.");
            using var secret = MfaSecret.Open(SelfPairKey(session), session.VaultId, session.PrincipalId, pending.Secret);
            long step = Totp.Verify(secret.ReadOnlySpan, code, _clock.UtcNow, pending.LastStep)
                ?? throw new VaultInvalidInputException("The code does not match the new secret. Check that the device's clock is right and give the code it shows now.");
            w.SetMfa(pending with { Confirmed = true, LastStep = step, UpdatedMs = NowMs() });
            return ToPrincipalInfo(w, Acting(w, session));
        }));
    }

    /// <summary>
    /// Turns MFA off: for oneself with a valid current code, or for <paramref name="principal"/> by
    /// an Admin (who cannot read another principal's secret, only remove it).
    /// </summary>
    public VaultPrincipalInfo DisableMfa(string? principal = null, string? code = null)
    {
        return WithSession(session => AuditedWrite(session, AuditAction.MfaDisable, (w, facts) =>
        {
            var target = principal is null ? Acting(w, session) : FindPrincipalOrThrow(w, session, PrincipalNames.Validate(principal));
            facts.Detail = $"principal '{target.Name}'";
            bool withOwnCode = target.Id == session.PrincipalId && code is not null;
            // Without one's own code, only an Admin may take a second factor away; checked before the
            // MFA state is looked at, so a refused caller learns nothing about it.
            if (!withOwnCode && Permissions.ScopeOf((Role)Acting(w, session).Role, Permissions.ManagePrincipals) == PermissionScope.None)
                throw new VaultAccessDeniedException(Permissions.ManagePrincipals, session.PrincipalName,
                    target.Id == session.PrincipalId ? "give -Code with a current code to turn off your own MFA" : null) { Target = target.Name };
            var mfa = w.Mfa(target.Id) ?? throw new VaultInvalidInputException($"MFA is not on for '{target.Name}'.");
            if (withOwnCode && mfa.Confirmed)
            {
                using var secret = MfaSecret.Open(SelfPairKey(session), session.VaultId, session.PrincipalId, mfa.Secret);
                if (Totp.Verify(secret.ReadOnlySpan, code, _clock.UtcNow, mfa.LastStep) is null)
                    throw new VaultAuthenticationException(session.PrincipalName) { Target = session.PrincipalName };
            }
            w.DeleteMfa(target.Id);
            return ToPrincipalInfo(w, target);
        }));
    }

    /// <summary>
    /// At unlock, after the credential opened the principal's keys: when MFA is on, requires a code,
    /// and accepts it only for a time step later than the last accepted one (checked and stored
    /// under the write lock, so two processes cannot both use one code).
    /// </summary>
    private void CheckSecondFactor(HeaderRecord header, PrincipalRecord record, SecureBuffer scalars, string? code, string name)
    {
        var mfa = _store.Read(r => r.Mfa(record.Id));
        if (mfa is not { Confirmed: true }) return;
        if (string.IsNullOrEmpty(code)) throw new VaultMfaRequiredException(name) { Target = name };
        using var own = Crypto.EcKeys.ImportEcdhPrivate(scalars.ReadOnlySpan[..Crypto.EcKeys.PrivateKeySize], record.EcdhPublic, "the principal's key-agreement key");
        using var pairKey = MfaSecret.SelfPairKey(own, record.EcdhPublic);
        using var secret = MfaSecret.Open(pairKey.ReadOnlySpan, header.VaultId, record.Id, mfa.Secret);
        _store.Write(w =>
        {
            var current = w.Mfa(record.Id) ?? throw new VaultAuthenticationException(name) { Target = name };
            long step = Totp.Verify(secret.ReadOnlySpan, code, _clock.UtcNow, current.LastStep)
                ?? throw new VaultAuthenticationException(name) { Target = name };
            w.SetMfa(current with { LastStep = step, UpdatedMs = NowMs() });
            return 0;
        });
    }

    private static ReadOnlySpan<byte> SelfPairKey(VaultSession session) =>
        session.PairKey(SelfSender, session.PrincipalId, () => (session.EcdhPublic, session.EcdhPublic));
}
