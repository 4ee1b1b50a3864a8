// Key commitments: HMAC-SHA256(key, label | id1 | id2), 32 bytes, compared in constant time.
// Wrapping to a principal needs only its PUBLIC key, so anyone who can write the vault file could
// wrap a key of their own choosing to the owner. A commitment stored where only a holder of a
// secret can write it (the sealed metadata for a data key; the password keyslot for the metadata
// key) makes every unwrapped key prove it is the one the vault's legitimate writers chose.
using System.Security.Cryptography;

namespace SecureVault.Crypto;

/// <summary>Computes and checks commitments to 32-byte keys.</summary>
public static class KeyCommitment
{
    public const int Size = 32;

    /// <summary>The commitment to <paramref name="key"/> in the context of a label and two ids.</summary>
    public static byte[] Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> label, Guid first, Guid second)
    {
        var message = new byte[label.Length + 32];
        label.CopyTo(message);
        first.TryWriteBytes(message.AsSpan(label.Length));
        second.TryWriteBytes(message.AsSpan(label.Length + 16));
        return HMACSHA256.HashData(key, message);
    }

    /// <summary>True when <paramref name="expected"/> is the commitment to <paramref name="key"/> (compared in constant time).</summary>
    public static bool Matches(ReadOnlySpan<byte> key, ReadOnlySpan<byte> label, Guid first, Guid second, ReadOnlySpan<byte> expected) =>
        expected.Length == Size && CryptographicOperations.FixedTimeEquals(Compute(key, label, first, second), expected);

    /// <summary>Throws <see cref="VaultIntegrityException"/> naming <paramref name="what"/> unless the commitment matches.</summary>
    public static void Verify(ReadOnlySpan<byte> key, ReadOnlySpan<byte> label, Guid first, Guid second, ReadOnlySpan<byte> expected, string what)
    {
        if (!Matches(key, label, first, second, expected))
            throw new VaultIntegrityException($"{what} is not the key this vault committed to");
    }
}
