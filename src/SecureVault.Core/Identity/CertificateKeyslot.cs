// Certificate keyslot, for unattended unlock: a fresh random 32-byte slot key, wrapped to an X.509
// certificate (CertificateKeyWrap: RSA-OAEP-SHA256, or ECDH on the certificate's curve), seals the
// principal's 96-byte payload (as in PasswordKeyslot) with AES-256-GCM.
// Stored: Kdf = the wrapped slot key; Verifier = the certificate identity (SHA-256 of its DER), so
// the engine finds the keyslot for a certificate and a wrong certificate reads as a failed
// authentication rather than damage.
// Wrap context = "SecureVault v1 certificate keyslot wrap" | vault id | keyslot id | principal id | kind.
// AAD = "SecureVault v1 certificate keyslot" | vault id | keyslot id | principal id | kind | wrapped slot key,
// so a keyslot cannot be moved to another vault or principal, nor its wrapped key swapped for another.
// Limit: the certificate is public, so anyone who can write the vault file can make a keyslot that
// this certificate opens, sealing a payload of their choosing. Unlike a password keyslot, an
// opened certificate keyslot does not by itself prove that the vault's legitimate writers made it.
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecureVault.Crypto;
using SecureVault.Memory;
using SecureVault.Storage;

namespace SecureVault.Identity;

/// <summary>Creates and opens certificate keyslots.</summary>
public static class CertificateKeyslot
{
    public const int Kind = 2;
    private static readonly byte[] Label = "SecureVault v1 certificate keyslot"u8.ToArray();
    private static readonly byte[] WrapLabel = "SecureVault v1 certificate keyslot wrap"u8.ToArray();

    /// <summary>
    /// Seals the 96-byte <paramref name="payload"/> under a fresh slot key wrapped to <paramref name="certificate"/>
    /// (its public key suffices). A certificate that cannot be enrolled at <paramref name="nowMs"/> throws
    /// <see cref="VaultInvalidInputException"/>.
    /// </summary>
    public static KeyslotRecord Seal(Guid vaultId, Guid keyslotId, Guid principalId, X509Certificate2 certificate,
        ReadOnlySpan<byte> payload, long nowMs)
    {
        if (payload.Length != PasswordKeyslot.SealedSize)
            throw new ArgumentException($"A keyslot seals exactly {PasswordKeyslot.SealedSize} bytes.", nameof(payload));
        CertificateKeyWrap.CheckEnrollable(certificate, DateTimeOffset.FromUnixTimeMilliseconds(nowMs));
        using var slotKey = new SecureBuffer(Aead.KeySize);
        RandomNumberGenerator.Fill(slotKey.Span);
        var wrapped = CertificateKeyWrap.Wrap(certificate, slotKey.ReadOnlySpan, WrapContext(vaultId, keyslotId, principalId));
        var box = Aead.Seal(slotKey.ReadOnlySpan, payload, Aad(vaultId, keyslotId, principalId, wrapped));
        return new KeyslotRecord(keyslotId, principalId, Kind, wrapped, CertificateKeyWrap.Identity(certificate), box, nowMs);
    }

    /// <summary>
    /// Opens a keyslot with the certificate and its private key. A certificate without its private key
    /// throws <see cref="VaultInvalidInputException"/>; another certificate throws
    /// <see cref="VaultAuthenticationException"/>; a keyslot whose bytes were changed throws
    /// <see cref="VaultIntegrityException"/>. Validity dates are not checked: an expired certificate still opens.
    /// </summary>
    public static SecureBuffer Open(Guid vaultId, KeyslotRecord keyslot, X509Certificate2 certificate, string principalName)
    {
        if (keyslot.Kind != Kind) throw new VaultIntegrityException("a certificate keyslot has the wrong kind");
        if (!Matches(keyslot, certificate)) throw new VaultAuthenticationException(principalName) { Target = principalName };
        if (keyslot.Sealed.Ciphertext is null || keyslot.Sealed.Ciphertext.Length != PasswordKeyslot.SealedSize)
            throw new VaultIntegrityException("the keyslot's sealed keys have the wrong length");
        using var slotKey = CertificateKeyWrap.Unwrap(certificate, keyslot.Kdf,
            WrapContext(vaultId, keyslot.Id, keyslot.PrincipalId), principalName);
        return Aead.Open(slotKey.ReadOnlySpan, keyslot.Sealed, Aad(vaultId, keyslot.Id, keyslot.PrincipalId, keyslot.Kdf),
            "the keyslot's sealed keys", PasswordKeyslot.SealedSize);
    }

    /// <summary>True when <paramref name="keyslot"/> is a certificate keyslot for <paramref name="certificate"/> (constant-time compare).</summary>
    public static bool Matches(KeyslotRecord keyslot, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(keyslot);
        return keyslot.Kind == Kind
            && keyslot.Verifier is { Length: CertificateKeyWrap.IdentitySize }
            && SecureText.FixedTimeEquals(keyslot.Verifier, CertificateKeyWrap.Identity(certificate));
    }

    private static byte[] WrapContext(Guid vaultId, Guid keyslotId, Guid principalId) =>
        KeyslotContext.Build(WrapLabel, vaultId, keyslotId, principalId, Kind, ReadOnlySpan<byte>.Empty);

    private static byte[] Aad(Guid vaultId, Guid keyslotId, Guid principalId, byte[] wrapped) =>
        KeyslotContext.Build(Label, vaultId, keyslotId, principalId, Kind, wrapped);
}

/// <summary>The bytes that bind a keyslot to its place: label | vault id | keyslot id | principal id | kind | tail.</summary>
internal static class KeyslotContext
{
    public static byte[] Build(ReadOnlySpan<byte> label, Guid vaultId, Guid keyslotId, Guid principalId, int kind, ReadOnlySpan<byte> tail)
    {
        var bytes = new byte[label.Length + 48 + 1 + tail.Length];
        label.CopyTo(bytes);
        vaultId.TryWriteBytes(bytes.AsSpan(label.Length));
        keyslotId.TryWriteBytes(bytes.AsSpan(label.Length + 16));
        principalId.TryWriteBytes(bytes.AsSpan(label.Length + 32));
        bytes[label.Length + 48] = checked((byte)kind);
        tail.CopyTo(bytes.AsSpan(label.Length + 49));
        return bytes;
    }
}
