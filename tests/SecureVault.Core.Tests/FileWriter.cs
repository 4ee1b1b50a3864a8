using System.Buffers.Binary;
using System.Security.Cryptography;
using SecureVault.Crypto;
using SecureVault.Memory;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>
/// The attacker who can write the vault file but knows no password (threat model A2). It holds a
/// P-256 key pair of its own and builds stored items from nothing but what the file shows in
/// plain view (ids, public keys, times), exactly as docs/file-format.md lays them out. Wrapping
/// needs only the recipient's public key, so every wrap it makes is cryptographically valid; only
/// the vault's commitments and MACs can tell it from a genuine one.
/// </summary>
internal sealed class FileWriter : IDisposable
{
    private static readonly byte[] ValueLabel = "SecureVault v1 value"u8.ToArray();
    private readonly ECDiffieHellman _key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

    public FileWriter() => PublicKey = EcKeys.EncodePublic(_key.ExportParameters(false).Q);

    /// <summary>The attacker's public key: used as a sender key, or as a planted principal's key.</summary>
    public byte[] PublicKey { get; }

    public static Guid VaultId(RawVaultFile file) => new(file.ReadBlob("vault_header", "vault_id", "id = 1"));

    public static Guid PrincipalId(RawVaultFile file, string name) => new(file.ReadBlob("principals", "principal_id", "name = $a0", name));

    public static byte[] EcdhPublic(RawVaultFile file, Guid principalId) =>
        file.ReadBlob("principals", "ecdh_public", "principal_id = $a0", principalId.ToByteArray());

    /// <summary>Stores the attacker's public key as a sender key, as the engine stores a session's; returns its id.</summary>
    public long InsertSenderKey(RawVaultFile file, Guid principalId)
    {
        Assert.Equal(1, file.Execute("INSERT INTO sender_keys (principal_id, public_key, created_ms) VALUES ($a0, $a1, 0)",
            principalId.ToByteArray(), PublicKey));
        return (long)file.Scalar("SELECT MAX(sender_id) FROM sender_keys")!;
    }

    /// <summary>Wraps <paramref name="key"/> to a principal with the attacker's key as the sender (ECDH-ES, file-format section 7).</summary>
    public SealedBox WrapTo(byte[] recipientPublic, ReadOnlySpan<byte> key, WrapContext context)
    {
        using var recipient = EcKeys.ImportEcdhPublic(recipientPublic, "the recipient's public key");
        using var pairKey = KeyWrap.PairKey(_key, recipient, PublicKey, recipientPublic);
        return KeyWrap.Wrap(pairKey.ReadOnlySpan, key, context);
    }

    /// <summary>Seals a value under a data key with the value AAD of file-format section 6.4.</summary>
    public static SealedBox SealValue(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> encodedValue, Guid vaultId, Guid secretId, int version, SecretValueType type) =>
        Aead.Seal(dataKey, encodedValue, ValueAad(vaultId, secretId, version, type));

    /// <summary>The 39 bytes under the header MAC (file-format section 8.2), from the header row.</summary>
    public static byte[] CanonicalHeader(RawVaultFile file)
    {
        var magic = System.Text.Encoding.UTF8.GetBytes((string)file.Scalar("SELECT magic FROM vault_header")!);
        var bytes = new byte[magic.Length + 4 + 16 + 8];
        magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(magic.Length), (int)(long)file.Scalar("SELECT format_version FROM vault_header")!);
        VaultId(file).TryWriteBytes(bytes.AsSpan(magic.Length + 4));
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(magic.Length + 20), (long)file.Scalar("SELECT created_ms FROM vault_header")!);
        return bytes;
    }

    private static byte[] ValueAad(Guid vaultId, Guid secretId, int version, SecretValueType type)
    {
        var aad = new byte[ValueLabel.Length + 1 + 16 + 16 + 4 + 1];
        ValueLabel.CopyTo(aad, 0);
        int offset = ValueLabel.Length;
        aad[offset] = VaultEngine.FormatVersion;
        vaultId.TryWriteBytes(aad.AsSpan(offset + 1));
        secretId.TryWriteBytes(aad.AsSpan(offset + 17));
        BinaryPrimitives.WriteInt32LittleEndian(aad.AsSpan(offset + 33), version);
        aad[offset + 37] = (byte)type;
        return aad;
    }

    public void Dispose() => _key.Dispose();
}
