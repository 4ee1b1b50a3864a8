// The audit hash chain (file format v1, schema 2).
//   link[0]  = SHA-256("SecureVault v1 audit genesis" | vault id)           binds the chain to its vault
//   hash[k]  = SHA-256(link[k-1] | canonical JSON of record k)               32 bytes, stored per record
//   sig[k]   = ECDSA P-256 over hash[k], IEEE P1363 (r | s, 64 bytes), by the actor's signing key
//   link[k]  = SHA-256(hash[k] | u8 length of sig[k] | sig[k])               so each record also covers
//                                                                            the previous signature
// Because every link covers the previous record and its signature, a valid signature on record k
// vouches for every byte of records 1..k. Failed authentication has no key to sign with: those
// records are chained unsigned and vouched for by the next signed record.
using System.Security.Cryptography;
using SecureVault.Crypto;
using SecureVault.Memory;
using SecureVault.Storage;

namespace SecureVault.Audit;

/// <summary>Hashing, linking, signing and verifying audit records.</summary>
internal static class AuditChain
{
    public const int HashSize = 32;
    public const int SignatureSize = 64;
    private static readonly byte[] GenesisLabel = "SecureVault v1 audit genesis"u8.ToArray();

    /// <summary>The link before the first record of a vault's chain.</summary>
    public static byte[] Genesis(Guid vaultId)
    {
        var input = new byte[GenesisLabel.Length + 16];
        GenesisLabel.CopyTo(input, 0);
        vaultId.TryWriteBytes(input.AsSpan(GenesisLabel.Length));
        return SHA256.HashData(input);
    }

    /// <summary>The hash of a record: over the previous link and the record's canonical bytes.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> previousLink, ReadOnlySpan<byte> record)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(previousLink);
        sha.AppendData(record);
        return sha.GetHashAndReset();
    }

    /// <summary>The link after a record: over its hash and its signature (empty when unsigned).</summary>
    public static byte[] Link(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature)
    {
        Span<byte> input = stackalloc byte[HashSize + 1 + SignatureSize];
        if (hash.Length != HashSize || signature.Length > SignatureSize)
            throw new VaultIntegrityException("an audit record's stored hash or signature has the wrong length");
        hash.CopyTo(input);
        input[HashSize] = (byte)signature.Length;
        signature.CopyTo(input[(HashSize + 1)..]);
        return SHA256.HashData(input[..(HashSize + 1 + signature.Length)]);
    }

    public static byte[] Sign(ECDsa key, byte[] hash) => key.SignHash(hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public static bool Verify(ECDsa publicKey, ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureSize && publicKey.VerifyHash(hash, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>A public key object for a stored signing key, or null when it is not a P-256 point.</summary>
    public static ECDsa? ImportPublic(byte[] publicKey)
    {
        try
        {
            return ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = EcKeys.DecodePublic(publicKey, "an audit signing key") });
        }
        catch (Exception e) when (e is CryptographicException or VaultIntegrityException)
        {
            return null;
        }
    }

    /// <summary>
    /// The public key of a signer row the metadata key vouches for, or null when the row was
    /// planted or altered (its MAC fails) or holds no P-256 point. The caller disposes the key.
    /// </summary>
    public static ECDsa? ImportGenuine(AuditSignerRecord row, VaultKeys keys) => IsGenuine(row, keys) ? ImportPublic(row.PublicKey) : null;

    /// <summary>True when the metadata key vouches for a signer row (its MAC matches).</summary>
    public static bool IsGenuine(AuditSignerRecord row, VaultKeys keys)
    {
        var mac = keys.SignerMac(row.PrincipalId, row.ValidFromSeq, row.ValidUntilSeq, row.PublicKey);
        return row.Mac.Length == mac.Length && SecureText.FixedTimeEquals(mac, row.Mac);
    }

    /// <summary>True when <paramref name="row"/> may sign record <paramref name="seq"/> by its validity range.</summary>
    public static bool Covers(AuditSignerRecord row, long seq) => seq >= row.ValidFromSeq && (row.ValidUntilSeq is null || seq < row.ValidUntilSeq);

    /// <summary>
    /// Only the two operations that authenticate may leave a record without a signature, and only
    /// when they did not succeed: a failed attempt holds no key to sign with.
    /// </summary>
    public static bool MayBeUnsigned(AuditEntry entry) =>
        entry.Outcome != AuditOutcome.Success && entry.Action is AuditAction.Unlock or AuditAction.Password;
}

/// <summary>The audited actions, as they appear in records.</summary>
internal static class AuditAction
{
    public const string Create = "create";
    public const string Unlock = "unlock";
    public const string Lock = "lock";
    public const string Password = "password";
    public const string Set = "set";
    public const string Get = "get";
    public const string Info = "info";
    public const string List = "list";
    public const string Update = "update";
    public const string Remove = "remove";
    public const string Verify = "verify";
    public const string ExportHead = "export-head";
    public const string ReadAudit = "read-audit";
    public const string Policy = "policy";
    public const string Prune = "prune";
    public const string PrincipalAdd = "principal-add";
    public const string PrincipalSet = "principal-set";
    public const string PrincipalRemove = "principal-remove";
    public const string PrincipalList = "principal-list";
    public const string KeyslotAdd = "keyslot-add";
    public const string KeyslotRemove = "keyslot-remove";
    /// <summary>A keyslot sealed again at unlock after a rekey, committing to the current metadata key.</summary>
    public const string KeyslotRenew = "keyslot-renew";
    public const string MfaEnable = "mfa-enable";
    public const string MfaConfirm = "mfa-confirm";
    public const string MfaDisable = "mfa-disable";
    public const string LockoutClear = "lockout-clear";
    public const string LockoutPolicy = "lockout-policy";
    public const string Grant = "grant";
    public const string Revoke = "revoke";
    public const string AccessList = "access-list";
    public const string Rotate = "rotate";
    public const string Restore = "restore";
    public const string History = "history";
    public const string RotationRead = "rotation-read";
    public const string RotationPolicy = "rotation-policy";
    public const string ExemptionAdd = "exemption-add";
    public const string ExemptionRemove = "exemption-remove";
    public const string Rekey = "rekey";
    /// <summary>A consistency check of the whole vault (Test-Vault, securevault check).</summary>
    public const string Check = "check";
    public const string Backup = "backup";
    /// <summary>The whole vault put back from a backup (not "restore", which is one key's old version).</summary>
    public const string VaultRestore = "vault-restore";

    /// <summary>The actions that write a new version of a key (what the key-row cross-check compares with).</summary>
    public static readonly string[] VersionWrites = [Set, Rotate, Restore];
}

/// <summary>How an operation ended, as it appears in records.</summary>
internal static class AuditOutcome
{
    public const string Success = "success";
    /// <summary>Refused: authentication failed, access denied, locked out, key blocked.</summary>
    public const string Denied = "denied";
    /// <summary>Failed for another reason: not found, integrity, invalid state.</summary>
    public const string Error = "error";

    public static string Of(VaultException e) => e is VaultAuthenticationException or VaultAccessDeniedException
        or VaultPrincipalLockedOutException or VaultKeyExpiredException or VaultKeyVersionRetiredException or VaultPrincipalDisabledException or VaultMfaRequiredException ? Denied : Error;
}
