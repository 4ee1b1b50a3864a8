// Rotation settings at rest: the vault's default policy and each exemption are small JSON
// documents sealed with AES-256-GCM under the metadata cipher key, AAD = "SecureVault v1 setting" |
// vault id | setting id | kind. Sealing (not just a MAC) keeps service names and reasons out of a
// stolen file, and authenticates them: a planted or edited row fails to open (an integrity error),
// so nobody without the metadata key can exempt a key or stretch the default MaxAge.
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using SecureVault.Crypto;
using SecureVault.Storage;

namespace SecureVault.Rotation;

/// <summary>The default rotation policy as stored (milliseconds).</summary>
internal sealed class StoredRotationPolicy
{
    [JsonPropertyName("maxAge")] public long MaxAgeMs { get; set; }
    [JsonPropertyName("warning")] public long WarningMs { get; set; }
    [JsonPropertyName("grace")] public long GraceMs { get; set; }
    [JsonPropertyName("keep")] public int VersionsKept { get; set; }

    public VaultRotationPolicy ToPolicy() => new(TimeSpan.FromMilliseconds(MaxAgeMs), TimeSpan.FromMilliseconds(WarningMs),
        TimeSpan.FromMilliseconds(GraceMs), VersionsKept);

    public static StoredRotationPolicy From(VaultRotationPolicy policy) => new()
    {
        MaxAgeMs = (long)policy.MaxAge.TotalMilliseconds,
        WarningMs = (long)policy.Warning.TotalMilliseconds,
        GraceMs = (long)policy.Grace.TotalMilliseconds,
        VersionsKept = policy.VersionsKept,
    };
}

/// <summary>An exemption as stored: a service pattern or one key (by id, with its name for display).</summary>
internal sealed class StoredExemption
{
    [JsonPropertyName("service")] public string? Service { get; set; }
    [JsonPropertyName("key")] public Guid? KeyId { get; set; }
    [JsonPropertyName("keyName")] public string? KeyName { get; set; }
    [JsonPropertyName("reason")] public string Reason { get; set; } = "";
    [JsonPropertyName("until")] public long UntilMs { get; set; }
    [JsonPropertyName("created")] public long CreatedMs { get; set; }
    [JsonPropertyName("by")] public Guid CreatedBy { get; set; }
}

/// <summary>Seals and opens rotation settings.</summary>
internal static class RotationSettings
{
    /// <summary>The fixed id of the default policy's row.</summary>
    public static readonly Guid DefaultPolicyId = new("5ec0e7a0-0000-4000-8000-000000000001");
    private const int MaxBytes = 16 * 1024;
    private static readonly byte[] Label = "SecureVault v1 setting"u8.ToArray();

    public static SealedSettingRecord SealPolicy(VaultKeys keys, Guid vaultId, VaultRotationPolicy policy, long nowMs) =>
        Seal(keys, vaultId, DefaultPolicyId, SealedSettingKinds.RotationPolicy,
            JsonSerializer.SerializeToUtf8Bytes(StoredRotationPolicy.From(policy), RotationSettingsJson.Default.StoredRotationPolicy), nowMs);

    public static SealedSettingRecord SealExemption(VaultKeys keys, Guid vaultId, Guid id, StoredExemption exemption, long nowMs) =>
        Seal(keys, vaultId, id, SealedSettingKinds.RotationExemption,
            JsonSerializer.SerializeToUtf8Bytes(exemption, RotationSettingsJson.Default.StoredExemption), nowMs);

    /// <summary>The stored default policy, or null when none was set; a stored policy out of range is refused.</summary>
    public static VaultRotationPolicy? OpenPolicy(VaultKeys keys, Guid vaultId, SealedSettingRecord? row)
    {
        if (row is null) return null;
        var stored = Open(keys, vaultId, row, RotationSettingsJson.Default.StoredRotationPolicy, "the default rotation policy");
        try
        {
            return stored.ToPolicy().Validated();
        }
        catch (VaultInvalidInputException e)
        {
            throw new VaultIntegrityException("the stored default rotation policy is out of range", e);
        }
    }

    public static StoredExemption OpenExemption(VaultKeys keys, Guid vaultId, SealedSettingRecord row) =>
        Open(keys, vaultId, row, RotationSettingsJson.Default.StoredExemption, "a rotation exemption");

    /// <summary>Seals a setting's plaintext again under other keys (a rekey).</summary>
    public static SealedSettingRecord Reseal(VaultKeys from, VaultKeys to, Guid vaultId, SealedSettingRecord row)
    {
        using var plaintext = Aead.Open(from.MetadataCipherKey, row.Sealed, Aad(vaultId, row.Id, row.Kind), "a vault setting", MaxBytes);
        return row with { Sealed = Aead.Seal(to.MetadataCipherKey, plaintext.ReadOnlySpan, Aad(vaultId, row.Id, row.Kind)) };
    }

    private static SealedSettingRecord Seal(VaultKeys keys, Guid vaultId, Guid id, int kind, byte[] json, long nowMs)
    {
        try
        {
            return new SealedSettingRecord(id, kind, Aead.Seal(keys.MetadataCipherKey, json, Aad(vaultId, id, kind)), nowMs);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(json);
        }
    }

    private static T Open<T>(VaultKeys keys, Guid vaultId, SealedSettingRecord row, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
    {
        using var plaintext = Aead.Open(keys.MetadataCipherKey, row.Sealed, Aad(vaultId, row.Id, row.Kind), what, MaxBytes);
        try
        {
            return JsonSerializer.Deserialize(plaintext.ReadOnlySpan, type) ?? throw new VaultIntegrityException($"{what} is empty");
        }
        catch (JsonException e)
        {
            throw new VaultIntegrityException($"{what} is not well-formed", e);
        }
    }

    private static byte[] Aad(Guid vaultId, Guid id, int kind)
    {
        var context = Aead.Context(Label, vaultId, id);
        Array.Resize(ref context, context.Length + 1);
        context[^1] = checked((byte)kind);
        return context;
    }
}

[JsonSerializable(typeof(StoredRotationPolicy))]
[JsonSerializable(typeof(StoredExemption))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class RotationSettingsJson : JsonSerializerContext;
