// Password keyslot: Argon2id(password, salt) -> HKDF -> KEK (see PasswordKdf) -> AES-256-GCM over the
// principal's two private scalars and its commitment to the vault metadata key
// (ECDH scalar 32 | ECDSA scalar 32 | metadata key commitment 32 = 96 bytes). The commitment means
// a metadata key wrapped to the principal by anyone else (who needs only its public key) is refused.
// AAD = "SecureVault v1 keyslot" | vault id | keyslot id | principal id | kind | stored KDF parameters,
// so a keyslot cannot be moved to another vault or principal, nor its cost parameters lowered.
// The stored verifier (HKDF of the Argon2 output) tells a wrong password from a tampered keyslot;
// it is compared in constant time.
using SecureVault.Crypto;
using SecureVault.Memory;
using SecureVault.Storage;

namespace SecureVault.Identity;

/// <summary>Creates and opens password keyslots.</summary>
public static class PasswordKeyslot
{
    public const int Kind = 1;
    public const int SealedSize = 2 * EcKeys.PrivateKeySize + KeyCommitment.Size;
    private static readonly byte[] Label = "SecureVault v1 keyslot"u8.ToArray();

    /// <summary>Seals the 96-byte <paramref name="privateScalars"/> payload under <paramref name="password"/> with fresh salt.</summary>
    public static KeyslotRecord Seal(Guid vaultId, Guid keyslotId, Guid principalId, ReadOnlySpan<byte> password,
        KdfParameters kdf, ReadOnlySpan<byte> privateScalars, long nowMs)
    {
        if (privateScalars.Length != SealedSize) throw new ArgumentException($"A keyslot seals exactly {SealedSize} bytes.", nameof(privateScalars));
        var salt = System.Security.Cryptography.RandomNumberGenerator.GetBytes(KdfParameters.SaltSize);
        var stored = kdf.Encode(salt);
        using var keys = PasswordKdf.Derive(password, salt, kdf);
        var box = Aead.Seal(keys.Kek.ReadOnlySpan, privateScalars, Aad(vaultId, keyslotId, principalId, stored));
        return new KeyslotRecord(keyslotId, principalId, Kind, stored, keys.Verifier, box, nowMs);
    }

    /// <summary>
    /// Opens a keyslot. A wrong password throws <see cref="VaultAuthenticationException"/>; a keyslot
    /// whose bytes were changed throws <see cref="VaultIntegrityException"/>.
    /// </summary>
    public static SecureBuffer Open(Guid vaultId, KeyslotRecord keyslot, ReadOnlySpan<byte> password, string principalName)
    {
        if (keyslot.Kind != Kind) throw new VaultIntegrityException("a password keyslot has the wrong kind");
        var (kdf, salt) = KdfParameters.Decode(keyslot.Kdf);
        // No keyslot is ever sealed under an empty password (PasswordRules), and Argon2 refuses one.
        if (password.IsEmpty) throw new VaultAuthenticationException(principalName) { Target = principalName };
        using var keys = PasswordKdf.Derive(password, salt, kdf);
        if (keyslot.Verifier.Length != keys.Verifier.Length || !SecureText.FixedTimeEquals(keys.Verifier, keyslot.Verifier))
            throw new VaultAuthenticationException(principalName) { Target = principalName };
        if (keyslot.Sealed.Ciphertext.Length != SealedSize)
            throw new VaultIntegrityException("the keyslot's sealed keys have the wrong length");
        return Aead.Open(keys.Kek.ReadOnlySpan, keyslot.Sealed, Aad(vaultId, keyslot.Id, keyslot.PrincipalId, keyslot.Kdf),
            "the keyslot's sealed keys", SealedSize);
    }

    /// <summary>Spends the same Argon2 work as a real attempt, so an unknown principal is not revealed by timing.</summary>
    public static void SpendEquivalentWork(KeyslotRecord model, ReadOnlySpan<byte> password)
    {
        var (kdf, salt) = KdfParameters.Decode(model.Kdf);
        if (password.IsEmpty) return; // Open refuses an empty password without Argon2 work too
        using var _ = PasswordKdf.Derive(password, salt, kdf);
    }

    private static byte[] Aad(Guid vaultId, Guid keyslotId, Guid principalId, byte[] storedKdf)
    {
        var aad = new byte[Label.Length + 48 + 1 + storedKdf.Length];
        Label.CopyTo(aad, 0);
        vaultId.TryWriteBytes(aad.AsSpan(Label.Length));
        keyslotId.TryWriteBytes(aad.AsSpan(Label.Length + 16));
        principalId.TryWriteBytes(aad.AsSpan(Label.Length + 32));
        aad[Label.Length + 48] = Kind;
        storedKdf.CopyTo(aad, Label.Length + 49);
        return aad;
    }
}
