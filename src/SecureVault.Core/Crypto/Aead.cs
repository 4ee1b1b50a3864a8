// AES-256-GCM (NIST SP 800-38D) for every encrypted item in the vault.
// Key 32 bytes, nonce 12 bytes (fresh from the OS CSPRNG for every encryption), tag 16 bytes.
// The caller supplies the AAD that binds the ciphertext to its place (vault, item, version, type),
// so a ciphertext moved elsewhere fails authentication. On failure no plaintext is released:
// AesGcm zeroes the output, and we report an integrity error that names the item, not its bytes.
using System.Security.Cryptography;
using SecureVault.Memory;

namespace SecureVault.Crypto;

/// <summary>A sealed item as stored: nonce, ciphertext and tag kept apart so each is length-checked.</summary>
public readonly record struct SealedBox(byte[] Nonce, byte[] Ciphertext, byte[] Tag);

/// <summary>AES-256-GCM seal and open with strict length checks.</summary>
public static class Aead
{
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int TagSize = 16;

    /// <summary>Encrypts <paramref name="plaintext"/> under <paramref name="key"/> with a fresh random nonce.</summary>
    public static SealedBox Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        if (key.Length != KeySize) throw new ArgumentException("AES-256-GCM needs a 32-byte key.", nameof(key));
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagSize];
        using var gcm = new AesGcm(key, TagSize);
        gcm.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        return new SealedBox(nonce, ciphertext, tag);
    }

    /// <summary>
    /// Decrypts into a new secure buffer. Throws <see cref="VaultIntegrityException"/> naming
    /// <paramref name="what"/> when a length is wrong or authentication fails.
    /// </summary>
    public static SecureBuffer Open(ReadOnlySpan<byte> key, SealedBox box, ReadOnlySpan<byte> aad, string what, int maxPlaintext)
    {
        CheckShape(box, what, maxPlaintext);
        var plaintext = new SecureBuffer(box.Ciphertext.Length);
        try
        {
            using var gcm = new AesGcm(key, TagSize);
            gcm.Decrypt(box.Nonce, box.Ciphertext, box.Tag, plaintext.Span, aad);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException e)
        {
            plaintext.Dispose();
            throw new VaultIntegrityException($"{what} failed authentication", e);
        }
        catch
        {
            plaintext.Dispose();
            throw;
        }
    }

    /// <summary>Decrypts into a caller buffer of exactly the ciphertext length; returns false on a tag mismatch.</summary>
    public static bool TryOpen(ReadOnlySpan<byte> key, SealedBox box, ReadOnlySpan<byte> aad, Span<byte> plaintext)
    {
        if (box.Nonce.Length != NonceSize || box.Tag.Length != TagSize || plaintext.Length != box.Ciphertext.Length) return false;
        try
        {
            using var gcm = new AesGcm(key, TagSize);
            gcm.Decrypt(box.Nonce, box.Ciphertext, box.Tag, plaintext, aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    /// <summary>The AAD that binds an item to its place: label | vault id | item id (16 bytes each).</summary>
    public static byte[] Context(ReadOnlySpan<byte> label, Guid vaultId, Guid itemId)
    {
        var aad = new byte[label.Length + 32];
        label.CopyTo(aad);
        vaultId.TryWriteBytes(aad.AsSpan(label.Length));
        itemId.TryWriteBytes(aad.AsSpan(label.Length + 16));
        return aad;
    }

    /// <summary>Refuses a stored box whose parts do not have the lengths the format allows.</summary>
    public static void CheckShape(SealedBox box, string what, int maxPlaintext)
    {
        if (box.Nonce is null || box.Nonce.Length != NonceSize)
            throw new VaultIntegrityException($"{what} has a nonce of the wrong length");
        if (box.Tag is null || box.Tag.Length != TagSize)
            throw new VaultIntegrityException($"{what} has a tag of the wrong length");
        if (box.Ciphertext is null || box.Ciphertext.Length > maxPlaintext)
            throw new VaultIntegrityException($"{what} is longer than the format allows");
    }
}
