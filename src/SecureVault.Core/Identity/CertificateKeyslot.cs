// Certificate keyslot, for unattended unlock: a fresh random 32-byte slot key, wrapped to an X.509
// certificate (CertificateKeyWrap: RSA-OAEP-SHA256, or ECDH on the certificate's curve), seals the
// principal's 96-byte payload (as in PasswordKeyslot) with AES-256-GCM, and the whole keyslot is
// signed with the certificate's private key at enrolment.
//   Wrap context = "SecureVault v1 certificate keyslot wrap" | vault id | keyslot id | principal id | kind.
//   AAD = "SecureVault v1 certificate keyslot" | vault id | keyslot id | principal id | kind | Kdf column,
//   so a keyslot cannot be moved to another vault or principal, nor its wrapped key swapped for another.
//   Signed message = "SecureVault v1 certificate keyslot signature" | vault id | keyslot id | principal id
//     | kind | Kdf column | nonce 12 | ciphertext 96 | tag 16 (ids 16 bytes each, kind 1 byte; nonce,
//     ciphertext and tag have fixed lengths, checked before verifying, so the Kdf column's end is unambiguous).
//   Signature over SHA-256 of that message: RSA-PSS-SHA256 (RFC 8017, salt 32 bytes) for an RSA key,
//     ECDSA-SHA256 (FIPS 186-4) in IEEE P1363 form (r | s, 64/96/132 bytes) for an EC key.
// Stored: Kdf = the wrapped slot key;
//         Verifier = [certificate identity 32][signature length u16 LE][signature], where the identity
//         (SHA-256 of the certificate's DER) lets the engine find the keyslot for a certificate and
//         makes a wrong certificate read as a failed authentication rather than damage. The stored
//         signature length must fill the column exactly and equal the certificate key's signature size.
// Open: identity (another certificate: authentication failure), then the signature with the
// certificate's public key (a bad one: integrity failure), and only then unwrap and decrypt.
//
// Why the signature: the certificate is public, so without it anyone who can write the vault file
// could wrap a slot key to the certificate and seal a payload of their choosing, then build a
// substitute vault around it; the unattended job would unlock it and write rotated secrets where
// the attacker reads them. Only the private key's holder can sign, so a keyslot that verifies was
// enrolled by someone holding the private key, and its payload (the principal's keys and their
// commitment to the vault's metadata key) is the one enrolled, not a forgery.
// The private key signs exactly once, at enrolment, so enrolment needs the certificate with its
// private key (a PFX), not just the public certificate. This holds even for a certificate whose key
// usage allows only key encipherment (RSA) or key agreement (EC): the platform (.NET over OpenSSL or
// CNG) signs with the key regardless, and this one signature only authenticates the keyslot; the key
// signs nothing else, and the domain label keeps the signature from meaning anything elsewhere.
// Validity dates are checked at enrolment only: an expired certificate still opens its keyslot.
using System.Buffers.Binary;
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
    private const int SignatureLengthOffset = CertificateKeyWrap.IdentitySize;
    private const int SignatureOffset = SignatureLengthOffset + 2;
    private static readonly byte[] Label = "SecureVault v1 certificate keyslot"u8.ToArray();
    private static readonly byte[] WrapLabel = "SecureVault v1 certificate keyslot wrap"u8.ToArray();
    private static readonly byte[] SignatureLabel = "SecureVault v1 certificate keyslot signature"u8.ToArray();

    /// <summary>
    /// Seals the 96-byte <paramref name="payload"/> under a fresh slot key wrapped to <paramref name="certificate"/>
    /// and signs the keyslot with the certificate's private key, which must be present. A certificate that
    /// cannot be enrolled at <paramref name="nowMs"/>, or has no usable private key, throws
    /// <see cref="VaultInvalidInputException"/>.
    /// </summary>
    public static KeyslotRecord Seal(Guid vaultId, Guid keyslotId, Guid principalId, X509Certificate2 certificate,
        ReadOnlySpan<byte> payload, long nowMs)
    {
        if (payload.Length != PasswordKeyslot.SealedSize)
            throw new ArgumentException($"A keyslot seals exactly {PasswordKeyslot.SealedSize} bytes.", nameof(payload));
        CertificateKeyWrap.CheckEnrollable(certificate, DateTimeOffset.FromUnixTimeMilliseconds(nowMs));
        if (!certificate.HasPrivateKey)
            throw new VaultInvalidInputException(
                $"Certificate {CertificateKeyWrap.Describe(certificate)} has no private key here. Enrolment needs the certificate " +
                "with its private key (the PFX file with its password, or a store that holds the key), because the keyslot " +
                "is signed with it; the public certificate alone is not enough.");
        using var slotKey = new SecureBuffer(Aead.KeySize);
        RandomNumberGenerator.Fill(slotKey.Span);
        var wrapped = CertificateKeyWrap.Wrap(certificate, slotKey.ReadOnlySpan, WrapContext(vaultId, keyslotId, principalId));
        var box = Aead.Seal(slotKey.ReadOnlySpan, payload, Aad(vaultId, keyslotId, principalId, wrapped));
        var signature = CertificateKeyslotSignature.Sign(certificate, SignedMessage(vaultId, keyslotId, principalId, wrapped, box));
        return new KeyslotRecord(keyslotId, principalId, Kind, wrapped, EncodeVerifier(CertificateKeyWrap.Identity(certificate), signature),
            box, nowMs);
    }

    /// <summary>
    /// Opens a keyslot with the certificate and its private key. A certificate without its private key
    /// throws <see cref="VaultInvalidInputException"/>; another certificate throws
    /// <see cref="VaultAuthenticationException"/>; a keyslot whose bytes were changed, or whose signature
    /// does not verify with the certificate's public key, throws <see cref="VaultIntegrityException"/>.
    /// Validity dates are not checked: an expired certificate still opens.
    /// </summary>
    public static SecureBuffer Open(Guid vaultId, KeyslotRecord keyslot, X509Certificate2 certificate, string principalName)
    {
        ArgumentNullException.ThrowIfNull(keyslot);
        if (keyslot.Kind != Kind) throw new VaultIntegrityException("a certificate keyslot has the wrong kind");
        if (!Matches(keyslot, certificate)) throw new VaultAuthenticationException(principalName) { Target = principalName };
        CertificateKeyWrap.RequirePrivateKey(certificate);
        var box = keyslot.Sealed;
        if (box.Nonce is not { Length: Aead.NonceSize } || box.Ciphertext is not { Length: PasswordKeyslot.SealedSize }
            || box.Tag is not { Length: Aead.TagSize } || keyslot.Kdf is null)
            throw new VaultIntegrityException("the keyslot's sealed keys have the wrong length");
        // Nothing of the payload or the wrapped key is used before the signature says who made them.
        CertificateKeyslotSignature.Verify(certificate, SignedMessage(vaultId, keyslot.Id, keyslot.PrincipalId, keyslot.Kdf, box),
            StoredSignature(keyslot.Verifier));
        using var slotKey = CertificateKeyWrap.Unwrap(certificate, keyslot.Kdf,
            WrapContext(vaultId, keyslot.Id, keyslot.PrincipalId), principalName);
        return Aead.Open(slotKey.ReadOnlySpan, box, Aad(vaultId, keyslot.Id, keyslot.PrincipalId, keyslot.Kdf),
            "the keyslot's sealed keys", PasswordKeyslot.SealedSize);
    }

    /// <summary>
    /// True when <paramref name="keyslot"/> is a certificate keyslot for <paramref name="certificate"/>: the
    /// stored identity equals the certificate's (constant-time compare). The signature is not checked here;
    /// a keyslot whose signature is damaged still matches, so opening it reports the damage.
    /// </summary>
    public static bool Matches(KeyslotRecord keyslot, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(keyslot);
        return keyslot.Kind == Kind
            && keyslot.Verifier is { Length: >= CertificateKeyWrap.IdentitySize }
            && SecureText.FixedTimeEquals(keyslot.Verifier.AsSpan(0, CertificateKeyWrap.IdentitySize), CertificateKeyWrap.Identity(certificate));
    }

    internal static byte[] WrapContext(Guid vaultId, Guid keyslotId, Guid principalId) =>
        KeyslotContext.Build(WrapLabel, vaultId, keyslotId, principalId, Kind, ReadOnlySpan<byte>.Empty);

    internal static byte[] Aad(Guid vaultId, Guid keyslotId, Guid principalId, byte[] wrapped) =>
        KeyslotContext.Build(Label, vaultId, keyslotId, principalId, Kind, wrapped);

    /// <summary>The message the certificate's private key signs: label | ids | kind | Kdf column | nonce | ciphertext | tag.</summary>
    internal static byte[] SignedMessage(Guid vaultId, Guid keyslotId, Guid principalId, byte[] wrapped, SealedBox box) =>
        KeyslotContext.Build(SignatureLabel, vaultId, keyslotId, principalId, Kind, [.. wrapped, .. box.Nonce, .. box.Ciphertext, .. box.Tag]);

    /// <summary>The Verifier column: identity | u16 LE signature length | signature.</summary>
    internal static byte[] EncodeVerifier(byte[] identity, byte[] signature)
    {
        var verifier = new byte[SignatureOffset + signature.Length];
        identity.CopyTo(verifier, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(verifier.AsSpan(SignatureLengthOffset), checked((ushort)signature.Length));
        signature.CopyTo(verifier, SignatureOffset);
        return verifier;
    }

    /// <summary>The signature in the Verifier column, its stored length checked against the column.</summary>
    private static ReadOnlySpan<byte> StoredSignature(byte[] verifier)
    {
        if (verifier.Length < SignatureOffset)
            throw new VaultIntegrityException("the certificate keyslot has no signature");
        int length = BinaryPrimitives.ReadUInt16LittleEndian(verifier.AsSpan(SignatureLengthOffset));
        if (verifier.Length != SignatureOffset + length)
            throw new VaultIntegrityException("the certificate keyslot's signature has the wrong length");
        return verifier.AsSpan(SignatureOffset, length);
    }
}

/// <summary>
/// Signs and verifies a certificate keyslot with the certificate's key: RSA-PSS-SHA256, or ECDSA-SHA256
/// in IEEE P1363 form (see the CertificateKeyslot file header).
/// </summary>
internal static class CertificateKeyslotSignature
{
    private const DSASignatureFormat EcFormat = DSASignatureFormat.IeeeP1363FixedFieldConcatenation;
    private const string DoesNotVerify = "the certificate keyslot's signature does not verify";
    private const string RsaOid = "1.2.840.113549.1.1.1";

    /// <summary>
    /// Signs <paramref name="message"/> with the certificate's private key, and checks the result with its
    /// public key, so a keyslot that is stored will open. A key that cannot sign throws <see cref="VaultInvalidInputException"/>.
    /// </summary>
    public static byte[] Sign(X509Certificate2 certificate, byte[] message)
    {
        byte[] signature;
        try
        {
            if (IsRsa(certificate))
            {
                using var rsa = certificate.GetRSAPrivateKey() ?? throw CannotSign(certificate);
                signature = rsa.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
            }
            else
            {
                using var ecdsa = EcPrivateKey(certificate);
                signature = ecdsa.SignData(message, HashAlgorithmName.SHA256, EcFormat);
            }
        }
        catch (CryptographicException)
        {
            throw CannotSign(certificate);
        }
        if (!Verifies(certificate, message, signature))
            throw new VaultInvalidInputException(
                $"Certificate {CertificateKeyWrap.Describe(certificate)} has a private key that does not match its public key. " +
                "Give the PFX file that holds this certificate's own private key.");
        return signature;
    }

    /// <summary>
    /// Throws <see cref="VaultIntegrityException"/> unless <paramref name="signature"/> is the certificate's
    /// signature of <paramref name="message"/>, of exactly the size its key makes.
    /// </summary>
    public static void Verify(X509Certificate2 certificate, byte[] message, ReadOnlySpan<byte> signature)
    {
        if (!Verifies(certificate, message, signature)) throw new VaultIntegrityException(DoesNotVerify);
    }

    private static bool Verifies(X509Certificate2 certificate, byte[] message, ReadOnlySpan<byte> signature)
    {
        try
        {
            if (IsRsa(certificate))
            {
                using var rsa = certificate.GetRSAPublicKey() ?? throw new VaultIntegrityException(DoesNotVerify);
                return signature.Length == (rsa.KeySize + 7) / 8
                    && rsa.VerifyData(message, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
            }
            using var ecdsa = EcPublicKey(certificate);
            return signature.Length == ecdsa.GetMaxSignatureSize(EcFormat)
                && ecdsa.VerifyData(message, signature, HashAlgorithmName.SHA256, EcFormat);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    // Enrolment (CertificateKeyWrap) admits only RSA and EC keys, so a key that is not RSA is EC.
    private static bool IsRsa(X509Certificate2 certificate) => certificate.PublicKey.Oid.Value == RsaOid;

    /// <summary>
    /// The certificate's EC private key as an ECDSA key. .NET hands out no ECDSA key when the key usage
    /// allows key agreement but no signing, so such a key is taken through its ECDH handle instead.
    /// </summary>
    private static ECDsa EcPrivateKey(X509Certificate2 certificate)
    {
        var ecdsa = certificate.GetECDsaPrivateKey();
        if (ecdsa is not null) return ecdsa;
        using var ecdh = certificate.GetECDiffieHellmanPrivateKey() ?? throw CannotSign(certificate);
        // CNG lets an ECDH key sign too, and its key may be non-exportable, so share the handle.
        if (OperatingSystem.IsWindows() && ecdh is ECDiffieHellmanCng cng)
        {
            using var key = cng.Key;
            return new ECDsaCng(key);
        }
        var parameters = ecdh.ExportParameters(includePrivateParameters: true);
        try
        {
            return ECDsa.Create(parameters);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
        }
    }

    /// <summary>The certificate's EC public key as an ECDSA key, through its ECDH form when .NET offers no ECDSA one.</summary>
    private static ECDsa EcPublicKey(X509Certificate2 certificate)
    {
        var ecdsa = certificate.GetECDsaPublicKey();
        if (ecdsa is not null) return ecdsa;
        using var ecdh = certificate.GetECDiffieHellmanPublicKey() ?? throw new VaultIntegrityException(DoesNotVerify);
        return ECDsa.Create(ecdh.ExportParameters(includePrivateParameters: false));
    }

    private static VaultInvalidInputException CannotSign(X509Certificate2 certificate) => new(
        $"Certificate {CertificateKeyWrap.Describe(certificate)} has a private key that cannot sign here. " +
        "Enrolment signs the keyslot once with the certificate's " +
        "private key: give the PFX file with an exportable key, or a certificate whose key usage includes digital signature.");
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
