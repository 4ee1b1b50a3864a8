// A principal's TOTP secret at rest: AES-256-GCM under a key only the principal's own private key
// can derive: mfaKey = HKDF-Expand(prk, "SecureVault v1 mfa" | vault id | principal id, 32), where
// prk = HKDF-Extract(salt = Q | Q, ECDH(d, Q)) is the pair key of the principal with itself (the
// same construction KeyWrap uses between a sender and a recipient). Every keyslot of the principal
// opens the same private key, so the second factor applies whichever credential unlocks.
// AAD = "SecureVault v1 mfa" | vault id | principal id: the sealed secret cannot be moved to
// another principal. Honest limit (ARCHITECTURE.md section 5): whoever holds the file and the
// principal's credential can open the secret offline; TOTP is enforced by the engine.
using System.Security.Cryptography;
using SecureVault.Crypto;
using SecureVault.Memory;

namespace SecureVault.Identity;

/// <summary>Seals and opens a principal's TOTP secret.</summary>
internal static class MfaSecret
{
    private static readonly byte[] Label = "SecureVault v1 mfa"u8.ToArray();

    /// <summary>The principal's self pair key from its ECDH private key (for unlock, before a session exists).</summary>
    public static SecureBuffer SelfPairKey(ECDiffieHellman own, byte[] ecdhPublic)
    {
        using var self = EcKeys.ImportEcdhPublic(ecdhPublic, "the principal's public key");
        return KeyWrap.PairKey(own, self, ecdhPublic, ecdhPublic);
    }

    public static SealedBox Seal(ReadOnlySpan<byte> selfPairKey, Guid vaultId, Guid principalId, ReadOnlySpan<byte> secret)
    {
        using var key = Key(selfPairKey, vaultId, principalId);
        return Aead.Seal(key.ReadOnlySpan, secret, Aead.Context(Label, vaultId, principalId));
    }

    public static SecureBuffer Open(ReadOnlySpan<byte> selfPairKey, Guid vaultId, Guid principalId, SealedBox sealedSecret)
    {
        using var key = Key(selfPairKey, vaultId, principalId);
        return Aead.Open(key.ReadOnlySpan, sealedSecret, Aead.Context(Label, vaultId, principalId), "the principal's TOTP secret", Totp.SecretSize);
    }

    private static SecureBuffer Key(ReadOnlySpan<byte> prk, Guid vaultId, Guid principalId)
    {
        var key = new SecureBuffer(32);
        HKDF.Expand(HashAlgorithmName.SHA256, prk, key.Span, Aead.Context(Label, vaultId, principalId));
        return key;
    }
}
