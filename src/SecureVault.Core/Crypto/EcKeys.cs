// NIST P-256 key handling (FIPS 186-5 / SEC 1). Public keys are stored uncompressed: 0x04 | X(32) | Y(32) = 65 bytes.
// Private scalars (32 bytes each) only ever sit in secure buffers or, while a key object is
// being built, in a pinned array that is zeroed in finally.
using System.Security.Cryptography;
using SecureVault.Memory;

namespace SecureVault.Crypto;

/// <summary>Creation, encoding and import of P-256 keys for ECDH (key wrapping) and ECDSA (audit signing).</summary>
public static class EcKeys
{
    public const int PublicKeySize = 65;
    public const int PrivateKeySize = 32;
    private static readonly ECCurve Curve = ECCurve.NamedCurves.nistP256;

    /// <summary>A new principal's two key pairs: private scalars in one 64-byte secure buffer (ECDH | ECDSA).</summary>
    public static (SecureBuffer PrivateScalars, byte[] EcdhPublic, byte[] EcdsaPublic) NewPrincipalKeys()
    {
        using var ecdh = ECDiffieHellman.Create(Curve);
        using var ecdsa = ECDsa.Create(Curve);
        return (ExportScalars(ecdh, ecdsa), EncodePublic(ecdh.ExportParameters(false).Q), EncodePublic(ecdsa.ExportParameters(false).Q));
    }

    /// <summary>
    /// A principal's two private scalars (ECDH | ECDSA) as a keyslot seals them, in a secure buffer
    /// the caller disposes; the exported arrays are zeroed at once.
    /// </summary>
    public static SecureBuffer ExportScalars(ECDiffieHellman ecdh, ECDsa ecdsa)
    {
        var scalars = new SecureBuffer(2 * PrivateKeySize);
        var ecdhParameters = ecdh.ExportParameters(true);
        var ecdsaParameters = ecdsa.ExportParameters(true);
        try
        {
            ecdhParameters.D.AsSpan().CopyTo(scalars.Span);
            ecdsaParameters.D.AsSpan().CopyTo(scalars.Span[PrivateKeySize..]);
            return scalars;
        }
        catch
        {
            scalars.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ecdhParameters.D);
            CryptographicOperations.ZeroMemory(ecdsaParameters.D);
        }
    }

    /// <summary>Uncompressed SEC 1 encoding of a public point.</summary>
    public static byte[] EncodePublic(ECPoint q)
    {
        var bytes = new byte[PublicKeySize];
        bytes[0] = 0x04;
        q.X.AsSpan().CopyTo(bytes.AsSpan(1));
        q.Y.AsSpan().CopyTo(bytes.AsSpan(33));
        return bytes;
    }

    /// <summary>The public point of a stored key, checked for format (the import checks it is on the curve).</summary>
    public static ECPoint DecodePublic(byte[] encoded, string what)
    {
        if (encoded is null || encoded.Length != PublicKeySize || encoded[0] != 0x04)
            throw new VaultIntegrityException($"{what} is not a valid P-256 public key");
        return new ECPoint { X = encoded.AsSpan(1, 32).ToArray(), Y = encoded.AsSpan(33, 32).ToArray() };
    }

    /// <summary>An ECDH public key object for a stored public key.</summary>
    public static ECDiffieHellmanPublicKey ImportEcdhPublic(byte[] encoded, string what)
    {
        try
        {
            using var key = ECDiffieHellman.Create(new ECParameters { Curve = Curve, Q = DecodePublic(encoded, what) });
            return key.PublicKey;
        }
        catch (CryptographicException e)
        {
            throw new VaultIntegrityException($"{what} is not a point on P-256", e);
        }
    }

    /// <summary>An ECDH private key object from a secure scalar and its stored public key.</summary>
    public static ECDiffieHellman ImportEcdhPrivate(ReadOnlySpan<byte> scalar, byte[] publicKey, string what) =>
        ImportPrivate(scalar, publicKey, what, p => ECDiffieHellman.Create(p));

    /// <summary>An ECDSA private key object from a secure scalar and its stored public key.</summary>
    public static ECDsa ImportEcdsaPrivate(ReadOnlySpan<byte> scalar, byte[] publicKey, string what) =>
        ImportPrivate(scalar, publicKey, what, p => ECDsa.Create(p));

    private static T ImportPrivate<T>(ReadOnlySpan<byte> scalar, byte[] publicKey, string what, Func<ECParameters, T> create)
    {
        var d = GC.AllocateArray<byte>(PrivateKeySize, pinned: true);
        try
        {
            scalar.CopyTo(d);
            // Import validates that D and Q belong together: a swapped public key is caught here.
            return create(new ECParameters { Curve = Curve, D = d, Q = DecodePublic(publicKey, what) });
        }
        catch (CryptographicException e)
        {
            throw new VaultIntegrityException($"{what} does not match its private key", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }
}
