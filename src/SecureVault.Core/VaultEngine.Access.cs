using System.Security.Cryptography;
using SecureVault.Access;
using SecureVault.Audit;
using SecureVault.Crypto;
using SecureVault.Identity;
using SecureVault.Memory;
using SecureVault.Sessions;
using SecureVault.Storage;
using SecureVault.Values;

namespace SecureVault;

/// <summary>
/// Access control (ARCHITECTURE.md section 6): every operation checks the acting principal's role
/// and grants as the store has them now, before any key is touched; and a data key is wrapped only
/// to principals who may hold it, so the rule also holds for someone reading the file directly.
/// </summary>
public sealed partial class VaultEngine
{
    /// <summary>The key permissions that need the data key (a delete does not).</summary>
    private const KeyPermissions KeyBearing = KeyPermissions.Read | KeyPermissions.Write | KeyPermissions.Rotate | KeyPermissions.Grant;

    #region Checks

    /// <summary>
    /// The acting principal as stored now, so that a principal removed, disabled or demoted by
    /// another process loses its rights at its next operation, not when its session ends.
    /// </summary>
    private static PrincipalRecord Acting(IVaultReader reader, VaultSession session)
    {
        var me = reader.FindPrincipal(session.PrincipalId);
        if (me is null || me.Disabled) throw new VaultPrincipalDisabledException(session.PrincipalName) { Target = session.PrincipalName };
        ThrowIfSuperseded(session, me);
        CheckPrincipalMac(session.Keys, me);
        return me;
    }

    /// <summary>
    /// Refuses a session whose metadata key is outdated because another session rekeyed the vault
    /// (the principal's row holds a newer wrapped copy): it counts as locked from now on.
    /// </summary>
    private static void ThrowIfSuperseded(VaultSession session, PrincipalRecord me)
    {
        if (session.HoldsMetadataKeyCopy(me.WrappedMetadataKey.Nonce)) return;
        session.Supersede();
        throw new VaultLockedException(session.VaultPath, "it was rekeyed by another session since it was unlocked here") { Target = session.VaultPath };
    }

    /// <summary>Checked first in every audited operation, before a lookup by name could fail for the wrong reason.</summary>
    private static void ThrowIfSuperseded(IVaultReader reader, VaultSession session)
    {
        if (reader.FindPrincipal(session.PrincipalId) is { } me) ThrowIfSuperseded(session, me);
    }

    /// <summary>Refuses unless the acting principal's role holds <paramref name="permission"/>; returns the role.</summary>
    private static Role Require(IVaultReader reader, VaultSession session, string permission)
    {
        var role = (Role)Acting(reader, session).Role;
        if (Permissions.ScopeOf(role, permission) == PermissionScope.None)
            throw new VaultAccessDeniedException(permission, session.PrincipalName) { Target = session.PrincipalName };
        return role;
    }

    /// <summary>
    /// Refuses unless the acting principal holds every permission in <paramref name="needed"/> on
    /// one key. An expired grant gives nothing, and is removed in the refusal's own transaction.
    /// </summary>
    private void RequireOnKey(IVaultReader reader, VaultSession session, SecretRecord key, KeyMetadata metadata, KeyPermissions needed, AuditFacts facts)
    {
        var role = (Role)Acting(reader, session).Role;
        var granted = GrantedOnKey(reader, session, role, key.Id, out var expired);
        string? why = null;
        if (expired != null)
        {
            why = $"the grant on key '{metadata.Name}' expired at {AuditEntry.FormatTime(expired.ExpiresMs!.Value)}";
            facts.OnRefusal = w => RemoveGrant(w, session, key.Id, expired.PrincipalId);
        }
        var held = Permissions.OnKey(role, metadata.Owner == session.PrincipalId, granted);
        var missing = needed & ~held;
        if (missing == KeyPermissions.None) return;
        var first = Enum.GetValues<KeyPermissions>().First(p => p != KeyPermissions.None && missing.HasFlag(p));
        throw new VaultAccessDeniedException(Permissions.NameOf(first), session.PrincipalName, why ?? $"on key '{metadata.Name}'") { Target = metadata.Name };
    }

    /// <summary>
    /// What an unexpired grant gives the acting principal on one key (None for an Admin, who needs
    /// none). An expired grant gives nothing and comes back in <paramref name="expired"/>.
    /// </summary>
    private KeyPermissions GrantedOnKey(IVaultReader reader, VaultSession session, Role role, Guid keyId, out GrantRecord? expired)
    {
        expired = null;
        if (role == Role.Admin || reader.FindGrant(keyId, session.PrincipalId) is not { } grant) return KeyPermissions.None;
        CheckGrantMac(session.Keys, grant);
        if (!IsExpired(grant)) return (KeyPermissions)grant.Permissions;
        expired = grant;
        return KeyPermissions.None;
    }

    private bool IsExpired(GrantRecord grant) => grant.ExpiresMs is { } expires && expires <= NowMs();

    private static void CheckGrantMac(VaultKeys keys, GrantRecord grant)
    {
        var expected = keys.GrantMac(grant.SecretId, grant.PrincipalId, grant.Permissions, grant.ExpiresMs, grant.CreatedMs, grant.GrantedBy);
        if (grant.Mac.Length != expected.Length || !SecureText.FixedTimeEquals(expected, grant.Mac))
            throw new VaultIntegrityException("a grant does not match its MAC");
    }

    #endregion

    #region Data keys

    /// <summary>This session's sender key (stored in its own transaction the first time; see SetKey).</summary>
    private long SenderOf(VaultSession session, out byte[] senderPublic) =>
        session.SenderKey(pub => _store.Write(w => w.InsertSenderKey(session.PrincipalId, pub, NowMs())), out senderPublic);

    /// <summary>Wraps a data key to one principal (whose row must carry a valid MAC).</summary>
    private static void WrapTo(IVaultWriter writer, VaultSession session, Guid secretId, SecureBuffer dataKey, PrincipalRecord principal, long senderId, byte[] senderPublic)
    {
        CheckPrincipalMac(session.Keys, principal); // never wrap a key to a planted principal
        var pairKey = session.PairKey(senderId, principal.Id, () => (senderPublic, principal.EcdhPublic));
        var wrapped = KeyWrap.Wrap(pairKey, dataKey.ReadOnlySpan, new WrapContext(WrapPurpose.DataKey, session.VaultId, secretId, principal.Id));
        writer.UpsertWrappedKey(new WrappedKeyRecord(secretId, principal.Id, senderId, wrapped));
    }

    /// <summary>
    /// Gives a key a new data key: every kept version is re-encrypted under it and it is wrapped to
    /// the principals still holding the old one (remove a principal's copy first to shut it out).
    /// Returns the new data key; the caller disposes it.
    /// </summary>
    private SecureBuffer RotateDataKey(IVaultWriter writer, VaultSession session, SecretRecord key, KeyMetadata metadata, SecureBuffer oldKey, long senderId, byte[] senderPublic)
    {
        var newKey = new SecureBuffer(32);
        try
        {
            RandomNumberGenerator.Fill(newKey.Span);
            foreach (var version in writer.Versions(key.Id))
            {
                // Only versions the sealed metadata lists are kept; any other row is damage, not history.
                if (!metadata.Versions.Contains(version.Version))
                    throw new VaultIntegrityException($"key '{metadata.Name}' has a stored version {version.Version} its metadata does not list");
                using var plaintext = OpenVersion(session, oldKey, version, key.Id, version.Version, metadata.Name, out var type);
                writer.ReplaceVersionValue(key.Id, version.Version, Aead.Seal(newKey.ReadOnlySpan, plaintext.ReadOnlySpan, ValueAad(session.VaultId, key.Id, version.Version, type)));
            }
            foreach (var holder in writer.KeyHolders(key.Id))
            {
                if (writer.FindPrincipal(holder) is { } principal) WrapTo(writer, session, key.Id, newKey, principal, senderId, senderPublic);
                else writer.DeleteWrappedKey(key.Id, holder); // a copy left for a principal that no longer exists
            }
            metadata.DataKeyCheck = KeyCommitment.Compute(newKey.ReadOnlySpan, DataKeyCheckLabel, session.VaultId, key.Id);
            metadata.RotatePending = null;
            writer.UpsertSecret(key with { Metadata = metadata.Seal(session.Keys.MetadataCipherKey, session.VaultId, key.Id) });
            return newKey;
        }
        catch
        {
            newKey.Dispose();
            throw;
        }
    }

    /// <summary>Rotates a key's data key now (the acting principal must hold it).</summary>
    private void RotateNow(IVaultWriter writer, VaultSession session, SecretRecord key, KeyMetadata metadata, long senderId, byte[] senderPublic)
    {
        using var oldKey = UnwrapDataKey(writer, session, key.Id, writer.WrappedKey(key.Id, session.PrincipalId), metadata);
        RotateDataKey(writer, session, key, metadata, oldKey, senderId, senderPublic).Dispose();
    }

    /// <summary>
    /// Takes a principal's copy of a key's data key away when its role, ownership and grant no
    /// longer entitle it to one, and marks the key for rotation at its next write (the principal
    /// may have kept the old data key). Returns true when the copy was taken away.
    /// </summary>
    private static bool DropCopyIfUnentitled(IVaultWriter writer, VaultSession session, Guid secretId, PrincipalRecord principal)
    {
        if (writer.WrappedKey(secretId, principal.Id) is null) return false;
        var key = writer.FindSecret(secretId) ?? throw new VaultIntegrityException("a grant names a key that does not exist");
        var metadata = OpenMetadata(session, key);
        var grant = writer.FindGrant(secretId, principal.Id);
        if (grant != null) CheckGrantMac(session.Keys, grant);
        var granted = grant is null ? KeyPermissions.None : (KeyPermissions)grant.Permissions;
        if ((Permissions.OnKey((Role)principal.Role, metadata.Owner == principal.Id, granted) & KeyBearing) != 0) return false;
        writer.DeleteWrappedKey(secretId, principal.Id);
        metadata.RotatePending = true;
        writer.UpsertSecret(key with { Metadata = metadata.Seal(session.Keys.MetadataCipherKey, session.VaultId, key.Id) });
        return true;
    }

    #endregion

    #region Grants

    /// <summary>
    /// Grants <paramref name="principal"/> <paramref name="permissions"/> on every key matching
    /// <paramref name="name"/> (a name or a wildcard over existing keys), added to what it already
    /// has, until <paramref name="expiresAt"/> (null: no expiry; a new expiry replaces the old).
    /// The acting principal needs the grant permission on each key and may give only permissions
    /// it holds itself. A grant that needs the data key wraps it to the grantee.
    /// </summary>
    public IReadOnlyList<VaultAccessInfo> GrantAccess(string name, string principal, KeyPermissions permissions, DateTimeOffset? expiresAt = null)
    {
        if (permissions == KeyPermissions.None || (permissions & ~Permissions.EveryKeyPermission) != 0)
            throw new VaultInvalidInputException("Name at least one permission: Read, Write, Rotate, Delete or Grant.");
        if (expiresAt is { } e && e <= _clock.UtcNow)
            throw new VaultInvalidInputException($"-ExpiresAt {e:u} is in the past; give a future time or a -Duration.");
        var principalName = PrincipalNames.Validate(principal);
        return WithSession(session =>
        {
            long senderId = SenderOf(session, out var senderPublic);
            return AuditedWrite(session, AuditAction.Grant, (w, facts) =>
            {
                Require(w, session, Permissions.Grant);
                var grantee = FindPrincipalOrThrow(w, session, principalName);
                facts.Detail = $"principal '{grantee.Name}' {Describe(permissions)}" + (expiresAt is { } x ? $" until {AuditEntry.FormatTime(x.ToUnixTimeMilliseconds())}" : "");
                if ((Role)grantee.Role == Role.Admin)
                    throw new VaultInvalidInputException($"'{grantee.Name}' is an Admin and holds every permission on every key already.");
                var beyondRole = permissions & ~Permissions.GrantableTo((Role)grantee.Role);
                if (beyondRole != KeyPermissions.None)
                    throw new VaultInvalidInputException($"'{grantee.Name}' is a {(Role)grantee.Role}, which can never hold {Describe(beyondRole)}. Change its role with Set-VaultPrincipal -Role first.");
                var result = new List<VaultAccessInfo>();
                long now = NowMs();
                foreach (var (key, metadata) in MatchingKeys(w, session, name, facts))
                {
                    RequireOnKey(w, session, key, metadata, permissions | KeyPermissions.Grant, facts);
                    var old = w.FindGrant(key.Id, grantee.Id);
                    if (old != null) CheckGrantMac(session.Keys, old);
                    var combined = permissions | (old is null || IsExpired(old) ? KeyPermissions.None : (KeyPermissions)old.Permissions);
                    long? expiresMs = expiresAt?.ToUnixTimeMilliseconds();
                    var grant = new GrantRecord(key.Id, grantee.Id, (int)combined, expiresMs, now, session.PrincipalId,
                        session.Keys.GrantMac(key.Id, grantee.Id, (int)combined, expiresMs, now, session.PrincipalId));
                    w.UpsertGrant(grant);
                    if ((combined & KeyBearing) != 0 && w.WrappedKey(key.Id, grantee.Id) is null)
                    {
                        using var dataKey = UnwrapDataKey(w, session, key.Id, w.WrappedKey(key.Id, session.PrincipalId), metadata);
                        WrapTo(w, session, key.Id, dataKey, grantee, senderId, senderPublic);
                    }
                    result.Add(ToAccessInfo(grant, metadata.Name, grantee.Name, session.PrincipalName));
                }
                facts.Count = result.Count;
                return (IReadOnlyList<VaultAccessInfo>)result;
            });
        });
    }

    /// <summary>
    /// Takes <paramref name="permissions"/> (null: all) on the keys matching <paramref name="name"/>
    /// away from <paramref name="principal"/>. When it no longer may hold a key's data key, its copy
    /// is removed and the data key is rotated at the key's next write, or now with
    /// <paramref name="rotateNow"/>. Returns the grants as they are afterwards (removed ones with no permissions).
    /// </summary>
    public IReadOnlyList<VaultAccessInfo> RevokeAccess(string name, string principal, KeyPermissions? permissions = null, bool rotateNow = false)
    {
        var taken = permissions ?? Permissions.EveryKeyPermission;
        if (taken == KeyPermissions.None) throw new VaultInvalidInputException("Name at least one permission to revoke, or leave -Permission out to revoke all.");
        var principalName = PrincipalNames.Validate(principal);
        return WithSession(session =>
        {
            long senderId = SenderOf(session, out var senderPublic);
            return AuditedWrite(session, AuditAction.Revoke, (w, facts) =>
            {
                Require(w, session, Permissions.Revoke);
                var grantee = FindPrincipalOrThrow(w, session, principalName);
                facts.Detail = $"principal '{grantee.Name}' {Describe(taken)}" + (rotateNow ? " rotate-now" : "");
                var result = new List<VaultAccessInfo>();
                int rotated = 0;
                foreach (var (key, metadata) in MatchingKeys(w, session, name, facts))
                {
                    if (w.FindGrant(key.Id, grantee.Id) is not { } old) continue;
                    CheckGrantMac(session.Keys, old);
                    RequireOnKey(w, session, key, metadata, KeyPermissions.Grant, facts);
                    var remaining = (KeyPermissions)old.Permissions & ~taken;
                    GrantRecord after;
                    if (remaining == KeyPermissions.None)
                    {
                        w.DeleteGrant(key.Id, grantee.Id);
                        after = old with { Permissions = 0 };
                    }
                    else
                    {
                        after = old with { Permissions = (int)remaining, Mac = session.Keys.GrantMac(key.Id, grantee.Id, (int)remaining, old.ExpiresMs, old.CreatedMs, old.GrantedBy) };
                        w.UpsertGrant(after);
                    }
                    if (DropCopyIfUnentitled(w, session, key.Id, grantee) && rotateNow)
                    {
                        var marked = w.FindSecret(key.Id)!;
                        RotateNow(w, session, marked, OpenMetadata(session, marked), senderId, senderPublic);
                        rotated++;
                    }
                    result.Add(ToAccessInfo(after, metadata.Name, grantee.Name, NameOf(w, old.GrantedBy)));
                }
                if (result.Count == 0)
                    throw new VaultInvalidInputException($"'{grantee.Name}' has no grant on a key matching '{name}'. See the grants with Get-VaultAccess.");
                facts.Count = result.Count;
                if (rotated > 0) facts.Detail += $" rotated={rotated}";
                return (IReadOnlyList<VaultAccessInfo>)result;
            });
        });
    }

    /// <summary>
    /// The grants on keys matching <paramref name="name"/> (null: all) for <paramref name="principal"/>
    /// (null: everyone). Expired grants are removed on the way (and the keys they opened marked for rotation).
    /// </summary>
    public IReadOnlyList<VaultAccessInfo> GetAccess(string? name = null, string? principal = null)
    {
        var principalName = principal is null ? null : PrincipalNames.Validate(principal);
        return WithSession(session => AuditedWrite(session, AuditAction.AccessList, (w, facts) =>
        {
            Require(w, session, Permissions.ListAccess);
            var only = principalName is null ? null : FindPrincipalOrThrow(w, session, principalName);
            var wanted = string.IsNullOrEmpty(name) || name == "*" ? null : new Wildcard(name);
            var result = new List<VaultAccessInfo>();
            int expired = 0;
            foreach (var grant in w.Grants(principalId: only?.Id))
            {
                CheckGrantMac(session.Keys, grant);
                if (IsExpired(grant))
                {
                    RemoveGrant(w, session, grant.SecretId, grant.PrincipalId);
                    expired++;
                    continue;
                }
                var key = w.FindSecret(grant.SecretId) ?? throw new VaultIntegrityException("a grant names a key that does not exist");
                var keyName = OpenMetadata(session, key).Name;
                if (wanted != null && !wanted.IsMatch(keyName)) continue;
                result.Add(ToAccessInfo(grant, keyName, NameOf(w, grant.PrincipalId), NameOf(w, grant.GrantedBy)));
            }
            result.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Key, b.Key) is var c and not 0 ? c
                : StringComparer.OrdinalIgnoreCase.Compare(a.Principal, b.Principal));
            facts.Count = result.Count;
            if (expired > 0) facts.Detail = $"expired grants removed: {expired}";
            return (IReadOnlyList<VaultAccessInfo>)result;
        }));
    }

    /// <summary>Removes a grant and, when that leaves the principal no right to the data key, its copy.</summary>
    private static void RemoveGrant(IVaultWriter writer, VaultSession session, Guid secretId, Guid principalId)
    {
        writer.DeleteGrant(secretId, principalId);
        if (writer.FindPrincipal(principalId) is { } principal) DropCopyIfUnentitled(writer, session, secretId, principal);
    }

    /// <summary>The keys a name or wildcard names: exactly one by name (or KeyNotFound), or every match.</summary>
    private static List<(SecretRecord Key, KeyMetadata Metadata)> MatchingKeys(IVaultReader reader, VaultSession session, string pattern, AuditFacts facts)
    {
        if (string.IsNullOrEmpty(pattern)) throw new VaultInvalidInputException("Give a key name or a wildcard pattern.");
        if (!Wildcard.HasWildcards(pattern))
        {
            var exact = Wildcard.Unescape(pattern);
            KeyNames.Validate(exact);
            var key = reader.FindSecret(session.Keys.NameIndex(exact)) ?? throw KeyNotFoundOrLost(exact);
            facts.SetTarget(key.Id, exact);
            return [(key, OpenMetadata(session, key, exact))];
        }
        var match = new Wildcard(pattern);
        var result = new List<(SecretRecord, KeyMetadata)>();
        foreach (var key in reader.Secrets().ToList())
        {
            var metadata = OpenMetadata(session, key);
            if (match.IsMatch(metadata.Name)) result.Add((key, metadata));
        }
        if (result.Count == 0) throw new VaultKeyNotFoundException(pattern) { Target = pattern };
        return result;
    }

    private static PrincipalRecord FindPrincipalOrThrow(IVaultReader reader, VaultSession session, string name)
    {
        var principal = reader.FindPrincipal(PrincipalNames.Normalize(name)) ?? throw new VaultPrincipalNotFoundException(name) { Target = name };
        CheckPrincipalMac(session.Keys, principal);
        return principal;
    }

    private static string NameOf(IVaultReader reader, Guid principalId) => reader.FindPrincipal(principalId)?.Name ?? principalId.ToString();

    private static string Describe(KeyPermissions permissions) => permissions.ToString().Replace(", ", ",").ToLowerInvariant();

    private VaultAccessInfo ToAccessInfo(GrantRecord grant, string key, string principal, string grantedBy) => new()
    {
        Key = key,
        Principal = principal,
        Permissions = (KeyPermissions)grant.Permissions,
        Expires = grant.ExpiresMs is { } x ? DateTime.UnixEpoch.AddMilliseconds(x) : null,
        Created = DateTime.UnixEpoch.AddMilliseconds(grant.CreatedMs),
        GrantedBy = grantedBy,
        Vault = Vault,
    };

    #endregion
}
