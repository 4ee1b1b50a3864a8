using System.Text.Json.Serialization;

namespace SecureVault.Values;

/// <summary>
/// One typed metadata field (SecretManagement metadata: string, int or DateTime), stored in the
/// sealed metadata. Exactly one of the members is set.
/// </summary>
public sealed class KeyFieldValue
{
    [JsonPropertyName("s")] public string? Text { get; set; }
    [JsonPropertyName("i")] public int? Integer { get; set; }
    [JsonPropertyName("d")] public DateTime? Time { get; set; }

    /// <summary>The value as a .NET object: string, int or DateTime (UTC).</summary>
    public object ToObject() => (object?)Text ?? (object?)Integer ?? Time ?? throw new VaultIntegrityException("a metadata field has no value");
}

/// <summary>Validation and conversion of typed metadata fields.</summary>
public static class KeyFields
{
    public const int MaxFields = 32;
    public const int MaxFieldNameLength = 64;
    public const int MaxTextLength = 1024;

    /// <summary>
    /// Checks and converts fields given as objects (string, int, or DateTime; other integral types
    /// that fit in an int are accepted as int). Throws <see cref="VaultInvalidInputException"/> otherwise.
    /// </summary>
    public static Dictionary<string, KeyFieldValue> From(IEnumerable<KeyValuePair<string, object?>> fields)
    {
        var result = new Dictionary<string, KeyFieldValue>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in fields)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Length > MaxFieldNameLength)
                throw new VaultInvalidInputException($"A metadata field name must be 1 to {MaxFieldNameLength} characters.");
            KeyNames.ValidateText(name, "A metadata field name", MaxFieldNameLength);
            result[name] = value switch
            {
                string text => new KeyFieldValue { Text = KeyNames.ValidateText(text, $"Metadata field '{name}'", MaxTextLength) },
                int number => new KeyFieldValue { Integer = number },
                long or short or byte or sbyte or ushort or uint when Convert.ToInt64(value) is >= int.MinValue and <= int.MaxValue
                    => new KeyFieldValue { Integer = Convert.ToInt32(value) },
                DateTime time => new KeyFieldValue { Time = time.ToUniversalTime() },
                DateTimeOffset time => new KeyFieldValue { Time = time.UtcDateTime },
                _ => throw new VaultInvalidInputException(
                    $"Metadata field '{name}' has a value of type {value?.GetType().Name ?? "null"}: only string, int and DateTime are supported."),
            };
        }
        if (result.Count > MaxFields) throw new VaultInvalidInputException($"A key may carry at most {MaxFields} metadata fields.");
        return result;
    }
}
