// A secret's metadata: encrypted with AES-256-GCM under the metadata subkey,
// AAD = "SecureVault v1 metadata" | vault id | secret id, as UTF-8 JSON. It carries the current
// version so that a row whose version counter was rolled back is caught (integrity error).
using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using SecureVault.Crypto;

namespace SecureVault.Values;

/// <summary>The decrypted metadata of one secret.</summary>
internal sealed class KeyMetadata
{
    public const int MaxBytes = 64 * 1024;
    private static readonly byte[] Label = "SecureVault v1 metadata"u8.ToArray();

    [JsonPropertyName("v")] public int FormatVersion { get; set; } = 1;
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("version")] public int Version { get; set; }
    [JsonPropertyName("versions")] public int[] Versions { get; set; } = [];
    [JsonPropertyName("type")] public SecretValueType Type { get; set; }
    [JsonPropertyName("tags")] public string[] Tags { get; set; } = [];
    [JsonPropertyName("service")] public string? Service { get; set; }
    [JsonPropertyName("description")] public string? Description { get; set; }
    [JsonPropertyName("fields")] public Dictionary<string, KeyFieldValue>? Fields { get; set; }
    [JsonPropertyName("owner")] public Guid Owner { get; set; }

    /// <summary>The commitment to the key's data key (see KeyCommitment): a planted wrapped key fails it.</summary>
    [JsonPropertyName("keycheck")] public byte[] DataKeyCheck { get; set; } = [];
    /// <summary>Set when access was revoked: the data key is rotated at the key's next write.</summary>
    [JsonPropertyName("rotate")] public bool? RotatePending { get; set; }
    /// <summary>Who wrote each kept version and when (versions written before issue 6 have no entry).</summary>
    [JsonPropertyName("history")] public KeyVersionEntry[]? History { get; set; }
    /// <summary>The key's own rotation policy values; what is null follows the vault's default.</summary>
    [JsonPropertyName("policy")] public KeyPolicyOverride? Policy { get; set; }
    [JsonPropertyName("created")] public long CreatedMs { get; set; }
    [JsonPropertyName("updated")] public long UpdatedMs { get; set; }

    /// <summary>
    /// Records a change of metadata only (not a new version). A key written before its history was
    /// kept first gets an entry for its current version at its last update, so that its rotation
    /// clock, which falls back to that time, does not restart with this change.
    /// </summary>
    public void Touch(long nowMs)
    {
        if (History?.Any(e => e.Version == Version) != true)
            History = (History ?? []).Append(new KeyVersionEntry { Version = Version, WrittenMs = UpdatedMs, WrittenBy = Guid.Empty }).ToArray();
        UpdatedMs = nowMs;
    }

    public SealedBox Seal(ReadOnlySpan<byte> key, Guid vaultId, Guid secretId)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(this, KeyMetadataJson.Default.KeyMetadata);
        // Refused at write time: metadata over the bound would seal fine but never open again.
        if (json.Length > MaxBytes)
            throw new VaultInvalidInputException($"The key's metadata would take {json.Length:N0} bytes; at most {MaxBytes:N0} are allowed. Use fewer or shorter fields, tags or description.");
        return Aead.Seal(key, json, Aad(vaultId, secretId));
    }

    public static KeyMetadata Open(ReadOnlySpan<byte> key, SealedBox box, Guid vaultId, Guid secretId)
    {
        // Metadata (names, tags) becomes strings in KeyInfo anyway, so it is decrypted into a pooled
        // array cleared after use rather than into locked memory: listing 100k keys stays cheap.
        Aead.CheckShape(box, "a key's metadata", MaxBytes);
        var json = ArrayPool<byte>.Shared.Rent(box.Ciphertext.Length);
        KeyMetadata? metadata;
        try
        {
            var plaintext = json.AsSpan(0, box.Ciphertext.Length);
            if (!Aead.TryOpen(key, box, Aad(vaultId, secretId), plaintext))
                throw new VaultIntegrityException("a key's metadata failed authentication");
            metadata = JsonSerializer.Deserialize(plaintext, KeyMetadataJson.Default.KeyMetadata);
        }
        catch (JsonException e)
        {
            throw new VaultIntegrityException("a key's metadata is not well-formed", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(json);
            ArrayPool<byte>.Shared.Return(json);
        }
        if (metadata is null || metadata.FormatVersion != 1 || metadata.Name.Length == 0)
            throw new VaultIntegrityException("a key's metadata has an unknown version or no name");
        return metadata;
    }

    private static byte[] Aad(Guid vaultId, Guid secretId) => Aead.Context(Label, vaultId, secretId);
}

/// <summary>One kept version: its number, when it was written and by which principal.</summary>
internal sealed class KeyVersionEntry
{
    [JsonPropertyName("v")] public int Version { get; set; }
    [JsonPropertyName("at")] public long WrittenMs { get; set; }
    /// <summary>The writer, or Guid.Empty when unknown (a version written before history was kept).</summary>
    [JsonPropertyName("by")] public Guid WrittenBy { get; set; }
}

/// <summary>A key's own rotation policy values (milliseconds); null: the vault default applies.</summary>
internal sealed class KeyPolicyOverride
{
    [JsonPropertyName("maxAge")] public long? MaxAgeMs { get; set; }
    [JsonPropertyName("warning")] public long? WarningMs { get; set; }
    [JsonPropertyName("grace")] public long? GraceMs { get; set; }
    [JsonPropertyName("keep")] public int? VersionsKept { get; set; }

    public bool IsEmpty => MaxAgeMs is null && WarningMs is null && GraceMs is null && VersionsKept is null;
}

/// <summary>Compile-time JSON for metadata: no reflection per key, which matters when listing 100k keys.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(KeyMetadata))]
internal sealed partial class KeyMetadataJson : JsonSerializerContext;
