using SecureVault.Values;

namespace SecureVault;

/// <summary>What can be known about a key without reading its value.</summary>
public sealed class VaultKeyInfo
{
    /// <summary>The key's name as first written (lookups ignore case).</summary>
    public required string Name { get; init; }

    /// <summary>The type of the current version's value.</summary>
    public required SecretValueType Type { get; init; }

    /// <summary>The current version number (1 for a new key; each write adds one).</summary>
    public required int Version { get; init; }

    /// <summary>The version numbers still kept, oldest first.</summary>
    public required int[] Versions { get; init; }

    public required string[] Tags { get; init; }

    public string? Service { get; init; }

    public string? Description { get; init; }

    /// <summary>Typed metadata fields (string, int or DateTime), for example from SecretManagement's -Metadata.</summary>
    public required IReadOnlyDictionary<string, object> Fields { get; init; }

    public required DateTime Created { get; init; }

    public required DateTime Updated { get; init; }

    /// <summary>The vault's full path.</summary>
    public required string Vault { get; init; }

    /// <summary>The key's stable id (what the audit trail names instead of the key name).</summary>
    public required Guid Id { get; init; }

    public override string ToString() => Name;
}

/// <summary>
/// Metadata to set with a write: null leaves a field as it is. <paramref name="Fields"/>, when
/// given, replaces all typed fields (values: string, int or DateTime).
/// </summary>
public sealed record KeyUpdate(string[]? Tags = null, string? Service = null, string? Description = null,
    IReadOnlyDictionary<string, object?>? Fields = null);

/// <summary>Which keys a listing returns: all conditions must hold.</summary>
public sealed record KeyFilter(string? Name = null, string[]? Tags = null, string? Service = null)
{
    /// <summary>Every key.</summary>
    public static KeyFilter All { get; } = new();
}
