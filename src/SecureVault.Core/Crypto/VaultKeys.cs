// Subkeys of the vault metadata key (32 random bytes, wrapped to every principal), by HKDF-SHA256
// with the vault id as salt and a distinct label each:
//   "SecureVault v1 metadata"  -> AES-256-GCM key for each secret's encrypted metadata
//   "SecureVault v1 index"     -> HMAC-SHA256 key for the blind name index
//   "SecureVault v1 header"    -> HMAC-SHA256 key that authenticates the vault header row
//   "SecureVault v1 principal" -> HMAC-SHA256 key that authenticates each principal row
//   "SecureVault v1 audit signer" -> HMAC-SHA256 key that authenticates each audit signing key row
//   "SecureVault v1 grant"     -> HMAC-SHA256 key that authenticates each grant row
// Blind index: HMAC-SHA256(indexKey, UTF-8(NFKC(name).ToUpperInvariant())), 32 bytes, so lookups
// are exact, case-insensitive, and a stolen file does not reveal key names.
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SecureVault.Memory;

namespace SecureVault.Crypto;

/// <summary>The keys derived from the vault metadata key, held for an unlocked session.</summary>
public sealed class VaultKeys : IDisposable
{
    private readonly SecureBuffer _metadataKey;
    private readonly SecureBuffer _metadataCipherKey;
    private readonly SecureBuffer _indexKey;
    private readonly SecureBuffer _headerKey;
    private readonly SecureBuffer _principalKey;
    private readonly SecureBuffer _signerKey;
    private readonly SecureBuffer _grantKey;

    /// <summary>Derives the subkeys from <paramref name="metadataKey"/>; takes ownership of it.</summary>
    public VaultKeys(SecureBuffer metadataKey, Guid vaultId)
    {
        _metadataKey = metadataKey;
        var salt = vaultId.ToByteArray();
        _metadataCipherKey = Derive(metadataKey, salt, "SecureVault v1 metadata"u8);
        _indexKey = Derive(metadataKey, salt, "SecureVault v1 index"u8);
        _headerKey = Derive(metadataKey, salt, "SecureVault v1 header"u8);
        _principalKey = Derive(metadataKey, salt, "SecureVault v1 principal"u8);
        _signerKey = Derive(metadataKey, salt, "SecureVault v1 audit signer"u8);
        _grantKey = Derive(metadataKey, salt, "SecureVault v1 grant"u8);
    }

    /// <summary>The raw metadata key, needed only to wrap it to another principal.</summary>
    public ReadOnlySpan<byte> MetadataKey => _metadataKey.ReadOnlySpan;

    /// <summary>The AES-256-GCM key for encrypted metadata.</summary>
    public ReadOnlySpan<byte> MetadataCipherKey => _metadataCipherKey.ReadOnlySpan;

    /// <summary>The blind index of a key name.</summary>
    public byte[] NameIndex(string name)
    {
        var normalized = NormalizeName(name);
        return HMACSHA256.HashData(_indexKey.ReadOnlySpan, Encoding.UTF8.GetBytes(normalized));
    }

    /// <summary>The MAC over the canonical header bytes.</summary>
    public byte[] HeaderMac(ReadOnlySpan<byte> header) => HMACSHA256.HashData(_headerKey.ReadOnlySpan, header);

    /// <summary>
    /// The MAC over a principal's canonical bytes: id | role (i32) | creation time (i64) | then
    /// ECDH public key, ECDSA public key and UTF-8 name, each prefixed by its length (u16), so no
    /// two different records share an encoding; then, only for a disabled principal, one byte 1
    /// (so rows written before principals could be disabled keep their MAC).
    /// </summary>
    public byte[] PrincipalMac(Guid id, int role, long createdMs, byte[] ecdhPublic, byte[] ecdsaPublic, string name, bool disabled = false)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var message = new byte[16 + 4 + 8 + 6 + ecdhPublic.Length + ecdsaPublic.Length + nameBytes.Length + (disabled ? 1 : 0)];
        id.TryWriteBytes(message);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(16), role);
        BinaryPrimitives.WriteInt64LittleEndian(message.AsSpan(20), createdMs);
        int offset = 28;
        foreach (var field in new[] { ecdhPublic, ecdsaPublic, nameBytes })
        {
            BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(offset), checked((ushort)field.Length));
            field.CopyTo(message, offset + 2);
            offset += 2 + field.Length;
        }
        if (disabled) message[offset] = 1;
        return HMACSHA256.HashData(_principalKey.ReadOnlySpan, message);
    }

    /// <summary>
    /// The MAC over a grant row: key id | principal id | permissions (i32) | expiry (i64, -1 when
    /// none) | creation time (i64) | grantor id.
    /// </summary>
    public byte[] GrantMac(Guid secretId, Guid principalId, int permissions, long? expiresMs, long createdMs, Guid grantedBy)
    {
        var message = new byte[16 + 16 + 4 + 8 + 8 + 16];
        secretId.TryWriteBytes(message);
        principalId.TryWriteBytes(message.AsSpan(16));
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(32), permissions);
        BinaryPrimitives.WriteInt64LittleEndian(message.AsSpan(36), expiresMs ?? -1);
        BinaryPrimitives.WriteInt64LittleEndian(message.AsSpan(44), createdMs);
        grantedBy.TryWriteBytes(message.AsSpan(52));
        return HMACSHA256.HashData(_grantKey.ReadOnlySpan, message);
    }

    /// <summary>
    /// The MAC over an audit signing key row: principal id | first seq (i64) | end seq (i64, -1 when
    /// open) | public key prefixed by its length (u16).
    /// </summary>
    public byte[] SignerMac(Guid principalId, long validFromSeq, long? validUntilSeq, byte[] publicKey)
    {
        var message = new byte[16 + 8 + 8 + 2 + publicKey.Length];
        principalId.TryWriteBytes(message);
        BinaryPrimitives.WriteInt64LittleEndian(message.AsSpan(16), validFromSeq);
        BinaryPrimitives.WriteInt64LittleEndian(message.AsSpan(24), validUntilSeq ?? -1);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(32), checked((ushort)publicKey.Length));
        publicKey.CopyTo(message, 34);
        return HMACSHA256.HashData(_signerKey.ReadOnlySpan, message);
    }

    /// <summary>The case-insensitive, Unicode-normalized form under which names are unique.</summary>
    public static string NormalizeName(string name) => name.Normalize(NormalizationForm.FormKC).ToUpperInvariant();

    private static SecureBuffer Derive(SecureBuffer key, byte[] salt, ReadOnlySpan<byte> label)
    {
        var derived = new SecureBuffer(32);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key.ReadOnlySpan, derived.Span, salt, label);
        return derived;
    }

    public void Dispose()
    {
        _metadataKey.Dispose();
        _metadataCipherKey.Dispose();
        _indexKey.Dispose();
        _headerKey.Dispose();
        _principalKey.Dispose();
        _signerKey.Dispose();
        _grantKey.Dispose();
    }
}
