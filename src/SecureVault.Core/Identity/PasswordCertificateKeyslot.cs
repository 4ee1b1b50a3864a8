// Password + certificate keyslot: both factors are needed, and the key is split across them, so the
// second factor holds offline too (unlike TOTP, which only the engine enforces).
//   KEK   = Argon2id(password, fresh 16-byte salt, given parameters) -> HKDF (PasswordKdf)
//   S     = 32 fresh random bytes, wrapped to the certificate (CertificateKeyWrap)
//   slot key = HKDF-SHA256(ikm = KEK | S, salt = none,
//              info = "SecureVault v1 password+certificate slot key" | vault id | keyslot id | principal id | kind)
//   AES-256-GCM(slot key, the principal's 96-byte payload as in PasswordKeyslot),
//   AAD = "SecureVault v1 password+certificate keyslot" | vault id | keyslot id | principal id | kind | Kdf column.
// The wrap context of S is "SecureVault v1 password+certificate keyslot wrap" | the same ids | kind.
// Stored: Kdf column (version 1) = [1][u16 LE length][Argon2id parameters + salt (KdfParameters)]
//         [u16 LE length][wrapped S], every length checked against the column before use;
//         Verifier = the password verifier from PasswordKdf.
// Why storing the password verifier is acceptable: it tells a wrong password from a tampered keyslot
// (and from a wrong certificate), but what it gives an attacker holding the file is a way to test
// password guesses offline, one Argon2id computation per guess: the same price a password keyslot
// already sets. A guessed password still opens nothing, since the slot key also needs S, which
// only the certificate's private key recovers. The verifier is an independent HKDF output of the
// Argon2 result, so it reveals nothing of the KEK.
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecureVault.Crypto;
using SecureVault.Memory;
using SecureVault.Storage;

namespace SecureVault.Identity;

/// <summary>Creates and opens keyslots that need both a password and a certificate.</summary>
public static class PasswordCertificateKeyslot
{
    public const int Kind = 3;
    private const byte FormatVersion = 1;
    private static readonly byte[] Label = "SecureVault v1 password+certificate keyslot"u8.ToArray();
    private static readonly byte[] WrapLabel = "SecureVault v1 password+certificate keyslot wrap"u8.ToArray();
    private static readonly byte[] SlotKeyLabel = "SecureVault v1 password+certificate slot key"u8.ToArray();

    /// <summary>
    /// Seals the 96-byte <paramref name="payload"/> under both <paramref name="password"/> (fresh salt,
    /// <paramref name="kdf"/> cost) and <paramref name="certificate"/> (its public key suffices).
    /// A certificate that cannot be enrolled at <paramref name="nowMs"/> throws <see cref="VaultInvalidInputException"/>.
    /// </summary>
    public static KeyslotRecord Seal(Guid vaultId, Guid keyslotId, Guid principalId, ReadOnlySpan<byte> password,
        KdfParameters kdf, X509Certificate2 certificate, ReadOnlySpan<byte> payload, long nowMs)
    {
        if (payload.Length != PasswordKeyslot.SealedSize)
            throw new ArgumentException($"A keyslot seals exactly {PasswordKeyslot.SealedSize} bytes.", nameof(payload));
        if (password.IsEmpty) throw new ArgumentException("A keyslot is never sealed under an empty password.", nameof(password));
        ArgumentNullException.ThrowIfNull(kdf);
        kdf.Validated();
        CertificateKeyWrap.CheckEnrollable(certificate, DateTimeOffset.FromUnixTimeMilliseconds(nowMs));

        var salt = RandomNumberGenerator.GetBytes(KdfParameters.SaltSize);
        var storedKdf = kdf.Encode(salt);
        using var keys = PasswordKdf.Derive(password, salt, kdf);
        using var share = new SecureBuffer(CertificateKeyWrap.KeySize);
        RandomNumberGenerator.Fill(share.Span);
        var wrappedShare = CertificateKeyWrap.Wrap(certificate, share.ReadOnlySpan, WrapContext(vaultId, keyslotId, principalId));
        var column = EncodeFactors(storedKdf, wrappedShare);
        using var slotKey = SlotKey(keys.Kek.ReadOnlySpan, share.ReadOnlySpan, vaultId, keyslotId, principalId);
        var box = Aead.Seal(slotKey.ReadOnlySpan, payload, Aad(vaultId, keyslotId, principalId, column));
        return new KeyslotRecord(keyslotId, principalId, Kind, column, keys.Verifier, box, nowMs);
    }

    /// <summary>
    /// Opens a keyslot with both factors. A wrong password or another certificate throws
    /// <see cref="VaultAuthenticationException"/>; a certificate without its private key throws
    /// <see cref="VaultInvalidInputException"/>; a keyslot whose bytes were changed throws
    /// <see cref="VaultIntegrityException"/>.
    /// </summary>
    public static SecureBuffer Open(Guid vaultId, KeyslotRecord keyslot, ReadOnlySpan<byte> password,
        X509Certificate2 certificate, string principalName)
    {
        if (keyslot.Kind != Kind) throw new VaultIntegrityException("a password+certificate keyslot has the wrong kind");
        var (storedKdf, wrappedShare) = DecodeFactors(keyslot.Kdf);
        var (kdf, salt) = KdfParameters.Decode(storedKdf);
        if (keyslot.Sealed.Ciphertext is null || keyslot.Sealed.Ciphertext.Length != PasswordKeyslot.SealedSize)
            throw new VaultIntegrityException("the keyslot's sealed keys have the wrong length");
        // The certificate first: it is cheap to check, and a missing private key is the caller's
        // input error, reported before any Argon2 work.
        using var share = CertificateKeyWrap.Unwrap(certificate, wrappedShare,
            WrapContext(vaultId, keyslot.Id, keyslot.PrincipalId), principalName);
        // No keyslot is ever sealed under an empty password, and Argon2 refuses one.
        if (password.IsEmpty) throw new VaultAuthenticationException(principalName) { Target = principalName };
        using var keys = PasswordKdf.Derive(password, salt, kdf);
        if (keyslot.Verifier is null || keyslot.Verifier.Length != keys.Verifier.Length
            || !SecureText.FixedTimeEquals(keys.Verifier, keyslot.Verifier))
            throw new VaultAuthenticationException(principalName) { Target = principalName };
        using var slotKey = SlotKey(keys.Kek.ReadOnlySpan, share.ReadOnlySpan, vaultId, keyslot.Id, keyslot.PrincipalId);
        return Aead.Open(slotKey.ReadOnlySpan, keyslot.Sealed, Aad(vaultId, keyslot.Id, keyslot.PrincipalId, keyslot.Kdf),
            "the keyslot's sealed keys", PasswordKeyslot.SealedSize);
    }

    /// <summary>
    /// True when <paramref name="keyslot"/> is a password+certificate keyslot for <paramref name="certificate"/>
    /// (constant-time compare). A damaged keyslot matches no certificate; opening it reports the damage.
    /// </summary>
    public static bool Matches(KeyslotRecord keyslot, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(keyslot);
        if (keyslot.Kind != Kind) return false;
        byte[] wrappedShare;
        try
        {
            wrappedShare = DecodeFactors(keyslot.Kdf).WrappedShare;
        }
        catch (VaultIntegrityException)
        {
            return false;
        }
        return CertificateKeyWrap.IsWrappedTo(wrappedShare, certificate);
    }

    /// <summary>The slot key from both factors: HKDF-SHA256(KEK | S, info = label | ids | kind).</summary>
    internal static SecureBuffer SlotKey(ReadOnlySpan<byte> kek, ReadOnlySpan<byte> share, Guid vaultId, Guid keyslotId, Guid principalId)
    {
        using var ikm = new SecureBuffer(kek.Length + share.Length);
        kek.CopyTo(ikm.Span);
        share.CopyTo(ikm.Span[kek.Length..]);
        var slotKey = new SecureBuffer(Aead.KeySize);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm.ReadOnlySpan, slotKey.Span, ReadOnlySpan<byte>.Empty,
            KeyslotContext.Build(SlotKeyLabel, vaultId, keyslotId, principalId, Kind, ReadOnlySpan<byte>.Empty));
        return slotKey;
    }

    /// <summary>The Kdf column: [1][u16 length][stored KDF parameters][u16 length][wrapped share].</summary>
    internal static byte[] EncodeFactors(byte[] storedKdf, byte[] wrappedShare)
    {
        var column = new byte[1 + 2 + storedKdf.Length + 2 + wrappedShare.Length];
        column[0] = FormatVersion;
        BinaryPrimitives.WriteUInt16LittleEndian(column.AsSpan(1), checked((ushort)storedKdf.Length));
        storedKdf.CopyTo(column, 3);
        int at = 3 + storedKdf.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(column.AsSpan(at), checked((ushort)wrappedShare.Length));
        wrappedShare.CopyTo(column, at + 2);
        return column;
    }

    /// <summary>Splits the Kdf column; every length is checked against what remains, and nothing may trail.</summary>
    internal static (byte[] StoredKdf, byte[] WrappedShare) DecodeFactors(byte[] column)
    {
        if (column is null || column.Length < 1 + 2 + 2)
            throw new VaultIntegrityException("the keyslot's factors are truncated");
        if (column[0] != FormatVersion)
            throw new VaultIntegrityException("the keyslot's factors have an unknown version");
        int kdfLength = BinaryPrimitives.ReadUInt16LittleEndian(column.AsSpan(1));
        if (kdfLength > column.Length - 3 - 2)
            throw new VaultIntegrityException("the keyslot's KDF parameters are longer than the stored data");
        int at = 3 + kdfLength;
        int wrappedLength = BinaryPrimitives.ReadUInt16LittleEndian(column.AsSpan(at));
        if (wrappedLength != column.Length - at - 2)
            throw new VaultIntegrityException("the keyslot's wrapped share does not match the stored length");
        return (column.AsSpan(3, kdfLength).ToArray(), column.AsSpan(at + 2, wrappedLength).ToArray());
    }

    internal static byte[] WrapContext(Guid vaultId, Guid keyslotId, Guid principalId) =>
        KeyslotContext.Build(WrapLabel, vaultId, keyslotId, principalId, Kind, ReadOnlySpan<byte>.Empty);

    internal static byte[] Aad(Guid vaultId, Guid keyslotId, Guid principalId, byte[] column) =>
        KeyslotContext.Build(Label, vaultId, keyslotId, principalId, Kind, column);
}
