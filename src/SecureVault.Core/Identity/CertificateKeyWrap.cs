// Key wrapping to an X.509 certificate's public key, for certificate keyslots.
//
// One construction over two ways of sharing a secret z with the holder of the certificate's private key:
//   RSA (>= 2048 bits): z = 32 fresh random bytes, sent as RSA-OAEP-SHA256(z) (RFC 8017).
//   EC (P-256, P-384, P-521): a fresh ephemeral key pair on the certificate's own curve,
//     z = ECDH(ephemeral, certificate) (SP 800-56A, x-coordinate); the ephemeral public point
//     (SEC 1 uncompressed) is sent.
// Then, as in KeyWrap:
//   prk = HKDF-Extract(salt = sent | certificate public key, ikm = z)       (RFC 5869, SHA-256)
//   kek = HKDF-Expand(prk, info = the caller's context, 32)
//   AES-256-GCM(kek, the 32-byte key), AAD = the blob header (every byte before the nonce).
// Why RSA does not encrypt the key itself: .NET offers no OAEP label, so a bare RSA ciphertext
// could not be bound to its context. Through HKDF both key types bind the wrapped key to the
// caller's context (vault, keyslot, principal), and GCM authenticates the header, including the
// certificate identity.
//
// Stored form (version 1), every length fixed by the algorithm and checked before use:
//   [1][alg u8][certificate identity 32][sent length u16 LE][sent][nonce 12][sealed key 32][tag 16]
//   alg 1 = RSA-OAEP-SHA256 (sent = modulus-sized ciphertext, 256..2048 bytes),
//   alg 2/3/4 = ECDH on P-256/P-384/P-521 (sent = 65/97/133-byte point).
// The certificate identity is SHA-256 of the certificate's DER encoding: the same key in a renewed
// certificate is a different identity, so a keyslot names exactly one certificate.
//
// Certificates are used only as their key usage extension allows: key encipherment for RSA, key
// agreement for EC (an EC certificate issued for signatures only is refused).
// Limits: a certificate is public, so anyone can wrap a key to it; an unwrapped key proves nothing
// about who wrapped it. Validity dates are checked at enrolment only: an expired certificate still
// unwraps, so expiry never locks a principal out.
using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecureVault.Crypto;
using SecureVault.Memory;

namespace SecureVault.Identity;

/// <summary>Wraps and unwraps 32-byte keys to an X.509 certificate's key (see file header).</summary>
public static class CertificateKeyWrap
{
    public const int KeySize = 32;
    public const int IdentitySize = 32;
    public const int MinRsaKeySize = 2048;
    public const int MaxRsaKeySize = 16384;

    private const byte FormatVersion = 1;
    private const byte AlgorithmRsaOaepSha256 = 1;
    private const byte AlgorithmEcdhP256 = 2;
    private const byte AlgorithmEcdhP384 = 3;
    private const byte AlgorithmEcdhP521 = 4;
    private const int IdentityOffset = 2;
    private const int SentLengthOffset = IdentityOffset + IdentitySize;
    private const int SentOffset = SentLengthOffset + 2;
    private const int TailSize = Aead.NonceSize + KeySize + Aead.TagSize;
    private const string What = "the certificate-wrapped key";

    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string EcDhOid = "1.3.132.1.12";
    private const string UseInstead =
        "Use a certificate with an RSA key of 2048 bits or more (key encipherment), or an EC key on P-256, P-384 or P-521 (key agreement).";

    /// <summary>The certificate's identity: SHA-256 of its DER encoding.</summary>
    public static byte[] Identity(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return SHA256.HashData(certificate.RawData);
    }

    /// <summary>
    /// Throws <see cref="VaultInvalidInputException"/>, saying what to use instead, unless keys can be
    /// wrapped to <paramref name="certificate"/>: a supported key type and size, a key usage that
    /// allows encryption, and <paramref name="now"/> within its validity period.
    /// </summary>
    public static void CheckEnrollable(X509Certificate2 certificate, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Classify(certificate);
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        if (now < notBefore || now > notAfter)
            throw new VaultInvalidInputException(
                $"Certificate {Describe(certificate)} is not valid now (valid from {notBefore:u} to {notAfter:u}). " +
                "Use a certificate within its validity period, or renew it.");
    }

    /// <summary>
    /// Wraps the 32-byte <paramref name="key"/> to <paramref name="certificate"/>'s public key, bound to
    /// <paramref name="context"/>. Needs only the public key. Validity dates are the caller's
    /// check (<see cref="CheckEnrollable"/>).
    /// </summary>
    public static byte[] Wrap(X509Certificate2 certificate, ReadOnlySpan<byte> key, ReadOnlySpan<byte> context)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (key.Length != KeySize) throw new ArgumentException("Only 32-byte keys are wrapped.", nameof(key));
        var scheme = Classify(certificate);
        var (sent, z) = scheme.Algorithm == AlgorithmRsaOaepSha256 ? RsaTransport(certificate) : EcdhTransport(certificate, scheme);
        using (z)
        {
            var blob = new byte[SentOffset + sent.Length + TailSize];
            blob[0] = FormatVersion;
            blob[1] = scheme.Algorithm;
            Identity(certificate).CopyTo(blob, IdentityOffset);
            BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(SentLengthOffset), (ushort)sent.Length);
            sent.CopyTo(blob, SentOffset);
            var header = blob.AsSpan(0, SentOffset + sent.Length);
            Span<byte> kek = stackalloc byte[32];
            try
            {
                DeriveKek(z.ReadOnlySpan, sent, certificate.GetPublicKey(), context, kek);
                var box = Aead.Seal(kek, key, header);
                int at = header.Length;
                box.Nonce.CopyTo(blob, at);
                box.Ciphertext.CopyTo(blob, at + Aead.NonceSize);
                box.Tag.CopyTo(blob, at + Aead.NonceSize + KeySize);
                return blob;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(kek);
            }
        }
    }

    /// <summary>
    /// Unwraps a key wrapped by <see cref="Wrap"/>. A certificate without its private key throws
    /// <see cref="VaultInvalidInputException"/>; another certificate than the one wrapped to throws
    /// <see cref="VaultAuthenticationException"/> for <paramref name="principalName"/>; a damaged or
    /// misplaced blob throws <see cref="VaultIntegrityException"/>.
    /// </summary>
    public static SecureBuffer Unwrap(X509Certificate2 certificate, byte[] wrapped, ReadOnlySpan<byte> context, string principalName)
    {
        RequirePrivateKey(certificate);
        var (algorithm, sentLength) = Parse(wrapped);
        if (!CryptographicOperations.FixedTimeEquals(wrapped.AsSpan(IdentityOffset, IdentitySize), Identity(certificate)))
            throw new VaultAuthenticationException(principalName) { Target = principalName };
        // The certificate is the one wrapped to, so a different algorithm means the blob was changed.
        var scheme = Classify(certificate);
        if (scheme.Algorithm != algorithm)
            throw new VaultIntegrityException($"{What} names another key type than its certificate");
        var sent = wrapped.AsSpan(SentOffset, sentLength);
        using var z = algorithm == AlgorithmRsaOaepSha256 ? RsaDecrypt(certificate, sent) : EcdhAgree(certificate, scheme, sent);
        int at = SentOffset + sentLength;
        var box = new SealedBox(
            wrapped.AsSpan(at, Aead.NonceSize).ToArray(),
            wrapped.AsSpan(at + Aead.NonceSize, KeySize).ToArray(),
            wrapped.AsSpan(at + Aead.NonceSize + KeySize, Aead.TagSize).ToArray());
        Span<byte> kek = stackalloc byte[32];
        try
        {
            DeriveKek(z.ReadOnlySpan, sent, certificate.GetPublicKey(), context, kek);
            return Aead.Open(kek, box, wrapped.AsSpan(0, at), What, KeySize);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }
    }

    /// <summary>
    /// True when <paramref name="wrapped"/> is wrapped to <paramref name="certificate"/> (constant-time
    /// compare of identities). A malformed blob matches no certificate; opening it reports the damage.
    /// </summary>
    public static bool IsWrappedTo(byte[] wrapped, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        try
        {
            Parse(wrapped);
        }
        catch (VaultIntegrityException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(wrapped.AsSpan(IdentityOffset, IdentitySize), Identity(certificate));
    }

    /// <summary>Throws <see cref="VaultInvalidInputException"/> unless the certificate carries its private key.</summary>
    internal static void RequirePrivateKey(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey) throw NoPrivateKey(certificate);
    }

    private static VaultInvalidInputException NoPrivateKey(X509Certificate2 certificate) => new(
        $"Certificate {Describe(certificate)} has no private key here. Give the PFX file (with its password), " +
        "or a certificate from a store that holds its private key.");

    /// <summary>The scheme for a certificate's key, or <see cref="VaultInvalidInputException"/> saying what to use instead.</summary>
    private static Scheme Classify(X509Certificate2 certificate)
    {
        var oid = certificate.PublicKey.Oid.Value;
        if (oid == RsaOid)
        {
            using var rsa = certificate.GetRSAPublicKey()
                ?? throw new VaultInvalidInputException($"Certificate {Describe(certificate)} has an unreadable RSA key. {UseInstead}");
            if (rsa.KeySize < MinRsaKeySize || rsa.KeySize > MaxRsaKeySize)
                throw new VaultInvalidInputException(
                    $"Certificate {Describe(certificate)} has a {rsa.KeySize}-bit RSA key; certificate keyslots need {MinRsaKeySize} to {MaxRsaKeySize} bits. {UseInstead}");
            if (!KeyUsageAllows(certificate, X509KeyUsageFlags.KeyEncipherment))
                throw new VaultInvalidInputException(
                    $"Certificate {Describe(certificate)} does not allow key encipherment (its key usage extension). {UseInstead}");
            return new Scheme(AlgorithmRsaOaepSha256, default, 0);
        }
        if (oid == EcPublicKeyOid || oid == EcDhOid)
        {
            var scheme = EcScheme(certificate.PublicKey.EncodedParameters.RawData)
                ?? throw new VaultInvalidInputException($"Certificate {Describe(certificate)} has an EC key on an unsupported curve. {UseInstead}");
            // .NET returns no ECDH key when the key usage extension forbids key agreement.
            using var ecdh = certificate.GetECDiffieHellmanPublicKey();
            if (ecdh is null || !KeyUsageAllows(certificate, X509KeyUsageFlags.KeyAgreement))
                throw new VaultInvalidInputException(
                    $"Certificate {Describe(certificate)} does not allow key agreement (its key usage extension). {UseInstead}");
            return scheme;
        }
        throw new VaultInvalidInputException(
            $"Certificate {Describe(certificate)} has a {certificate.PublicKey.Oid.FriendlyName ?? oid} key, which certificate keyslots do not support. {UseInstead}");
    }

    /// <summary>The ECDH scheme for a named-curve parameter (the curve's OID in DER), or null for another curve.</summary>
    private static Scheme? EcScheme(byte[] encodedParameters)
    {
        string curveOid;
        try
        {
            curveOid = AsnDecoder.ReadObjectIdentifier(encodedParameters, AsnEncodingRules.DER, out int consumed);
            if (consumed != encodedParameters.Length) return null;
        }
        catch (AsnContentException)
        {
            return null; // explicit curve parameters or a malformed encoding
        }
        return curveOid switch
        {
            "1.2.840.10045.3.1.7" => new Scheme(AlgorithmEcdhP256, ECCurve.NamedCurves.nistP256, 32),
            "1.3.132.0.34" => new Scheme(AlgorithmEcdhP384, ECCurve.NamedCurves.nistP384, 48),
            "1.3.132.0.35" => new Scheme(AlgorithmEcdhP521, ECCurve.NamedCurves.nistP521, 66),
            _ => null,
        };
    }

    /// <summary>True when the certificate has no key usage extension or it includes <paramref name="usage"/>.</summary>
    private static bool KeyUsageAllows(X509Certificate2 certificate, X509KeyUsageFlags usage)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509KeyUsageExtension keyUsage) return (keyUsage.KeyUsages & usage) != 0;
        }
        return true;
    }

    /// <summary>Checks the stored form's version, algorithm and every length; returns the algorithm and sent length.</summary>
    private static (byte Algorithm, int SentLength) Parse(byte[] wrapped)
    {
        if (wrapped is null || wrapped.Length < SentOffset + TailSize)
            throw new VaultIntegrityException($"{What} is truncated");
        if (wrapped[0] != FormatVersion)
            throw new VaultIntegrityException($"{What} has an unknown version");
        var algorithm = wrapped[1];
        var (min, max) = algorithm switch
        {
            AlgorithmRsaOaepSha256 => (MinRsaKeySize / 8, MaxRsaKeySize / 8),
            AlgorithmEcdhP256 => (65, 65),
            AlgorithmEcdhP384 => (97, 97),
            AlgorithmEcdhP521 => (133, 133),
            _ => throw new VaultIntegrityException($"{What} has an unknown algorithm"),
        };
        int sentLength = BinaryPrimitives.ReadUInt16LittleEndian(wrapped.AsSpan(SentLengthOffset));
        if (sentLength < min || sentLength > max || wrapped.Length != SentOffset + sentLength + TailSize)
            throw new VaultIntegrityException($"{What} has lengths that do not match its algorithm");
        return (algorithm, sentLength);
    }

    private static void DeriveKek(ReadOnlySpan<byte> z, ReadOnlySpan<byte> sent, byte[] certificatePublic, ReadOnlySpan<byte> context, Span<byte> kek)
    {
        var salt = new byte[sent.Length + certificatePublic.Length];
        sent.CopyTo(salt);
        certificatePublic.CopyTo(salt, sent.Length);
        using var prk = new SecureBuffer(32);
        HKDF.Extract(HashAlgorithmName.SHA256, z, salt, prk.Span);
        HKDF.Expand(HashAlgorithmName.SHA256, prk.ReadOnlySpan, kek, context);
    }

    /// <summary>A fresh random z and its RSA-OAEP-SHA256 ciphertext to the certificate.</summary>
    private static (byte[] Sent, SecureBuffer Z) RsaTransport(X509Certificate2 certificate)
    {
        var z = new SecureBuffer(KeySize);
        try
        {
            RandomNumberGenerator.Fill(z.Span);
            using var rsa = certificate.GetRSAPublicKey()!;
            return (rsa.Encrypt(z.ReadOnlySpan, RSAEncryptionPadding.OaepSHA256), z);
        }
        catch
        {
            z.Dispose();
            throw;
        }
    }

    /// <summary>A fresh ephemeral key on the certificate's curve: its public point and the ECDH secret with the certificate.</summary>
    private static (byte[] Sent, SecureBuffer Z) EcdhTransport(X509Certificate2 certificate, Scheme scheme)
    {
        using var recipient = certificate.GetECDiffieHellmanPublicKey()!;
        using var recipientKey = recipient.PublicKey;
        using var ephemeral = ECDiffieHellman.Create(scheme.Curve);
        var sent = EncodePoint(ephemeral.ExportParameters(false).Q, scheme.CoordinateSize);
        return (sent, Agree(ephemeral, recipientKey));
    }

    private static SecureBuffer RsaDecrypt(X509Certificate2 certificate, ReadOnlySpan<byte> ciphertext)
    {
        using var rsa = certificate.GetRSAPrivateKey() ?? throw NoPrivateKey(certificate);
        if (ciphertext.Length != (rsa.KeySize + 7) / 8)
            throw new VaultIntegrityException($"{What} has an RSA ciphertext of the wrong length");
        using var decrypted = new SecureBuffer(ciphertext.Length);
        int written;
        try
        {
            if (!rsa.TryDecrypt(ciphertext, decrypted.Span, RSAEncryptionPadding.OaepSHA256, out written))
                throw new VaultIntegrityException($"{What} does not decrypt");
        }
        catch (CryptographicException e)
        {
            // OAEP decoding failed: the certificate matched, so the ciphertext was changed.
            throw new VaultIntegrityException($"{What} does not decrypt", e);
        }
        if (written != KeySize) throw new VaultIntegrityException($"{What} decrypts to the wrong length");
        return SecureBuffer.CopyOf(decrypted.ReadOnlySpan[..KeySize]);
    }

    private static SecureBuffer EcdhAgree(X509Certificate2 certificate, Scheme scheme, ReadOnlySpan<byte> point)
    {
        using var own = certificate.GetECDiffieHellmanPrivateKey() ?? throw NoPrivateKey(certificate);
        if (point[0] != 0x04) throw new VaultIntegrityException($"{What} has a malformed ephemeral key");
        ECDiffieHellman peer;
        try
        {
            // The import checks that the point is on the curve.
            peer = ECDiffieHellman.Create(new ECParameters
            {
                Curve = scheme.Curve,
                Q = new ECPoint
                {
                    X = point.Slice(1, scheme.CoordinateSize).ToArray(),
                    Y = point.Slice(1 + scheme.CoordinateSize, scheme.CoordinateSize).ToArray(),
                },
            });
        }
        catch (CryptographicException e)
        {
            throw new VaultIntegrityException($"{What} has an invalid ephemeral key", e);
        }
        using (peer)
        using (var peerKey = peer.PublicKey)
        {
            try
            {
                return Agree(own, peerKey);
            }
            catch (CryptographicException e)
            {
                throw new VaultIntegrityException($"{What} has an invalid ephemeral key", e);
            }
        }
    }

    /// <summary>The raw ECDH shared secret, in a secure buffer; the temporary array is zeroed.</summary>
    private static SecureBuffer Agree(ECDiffieHellman own, ECDiffieHellmanPublicKey peer)
    {
        byte[] shared = own.DeriveRawSecretAgreement(peer);
        try
        {
            return SecureBuffer.CopyOf(shared);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }

    /// <summary>SEC 1 uncompressed encoding, coordinates left-padded to the curve's size.</summary>
    private static byte[] EncodePoint(ECPoint q, int coordinateSize)
    {
        var bytes = new byte[1 + 2 * coordinateSize];
        bytes[0] = 0x04;
        q.X!.CopyTo(bytes, 1 + coordinateSize - q.X!.Length);
        q.Y!.CopyTo(bytes, 1 + 2 * coordinateSize - q.Y!.Length);
        return bytes;
    }

    internal static string Describe(X509Certificate2 certificate) =>
        string.IsNullOrEmpty(certificate.Subject) ? $"'{certificate.Thumbprint}'" : $"'{certificate.Subject}' ({certificate.Thumbprint})";

    private readonly record struct Scheme(byte Algorithm, ECCurve Curve, int CoordinateSize);
}
