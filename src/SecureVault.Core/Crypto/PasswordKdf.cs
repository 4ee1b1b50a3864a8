// Argon2id (RFC 9106, our own implementation in Argon2id.cs): password -> 32-byte master secret.
// The password is read in place from the caller's buffer (or, for a keyslot of stored version 2, from
// its checked NFC form in a SecureBuffer: PasswordForm); the master secret lives in a SecureBuffer.
// The master secret is expanded with HKDF-SHA256 (RFC 5869) into two independent keys:
// the keyslot KEK (AES-256-GCM over the principal's private keys) and a password verifier, so
// a wrong password (verifier mismatch) is told apart from a tampered keyslot (tag mismatch).
using System.Security.Cryptography;
using SecureVault.Memory;

namespace SecureVault.Crypto;

/// <summary>Derives keyslot keys from a password with Argon2id.</summary>
public static class PasswordKdf
{
    private static readonly byte[] KekInfo = "SecureVault v1 keyslot kek"u8.ToArray();
    private static readonly byte[] VerifierInfo = "SecureVault v1 keyslot verifier"u8.ToArray();

    /// <summary>The keyslot encryption key and the password verifier derived from one password.</summary>
    public sealed class DerivedKeys(SecureBuffer kek, byte[] verifier) : IDisposable
    {
        public SecureBuffer Kek { get; } = kek;
        public byte[] Verifier { get; } = verifier;
        public void Dispose() => Kek.Dispose();
    }

    /// <summary>Runs Argon2id and expands its output into the KEK and the verifier.</summary>
    public static DerivedKeys Derive(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, KdfParameters parameters)
    {
        using var normalized = parameters.PasswordNormalized ? PasswordForm.Normalize(password) : null;
        using var master = new SecureBuffer(32);
        Argon2id.Hash(normalized is null ? password : normalized.ReadOnlySpan, salt, parameters.MemoryKiB, parameters.Iterations, parameters.Parallelism, master.Span);
        var kek = new SecureBuffer(32);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, master.ReadOnlySpan, kek.Span, salt, KekInfo);
        var verifier = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, master.ReadOnlySpan, verifier, salt, VerifierInfo);
        return new DerivedKeys(kek, verifier);
    }
}
