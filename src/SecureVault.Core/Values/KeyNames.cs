namespace SecureVault.Values;

/// <summary>Validation of key names and the metadata fields that travel with them.</summary>
public static class KeyNames
{
    public const int MaxNameLength = 256;
    public const int MaxTagLength = 128;
    public const int MaxTags = 32;
    public const int MaxServiceLength = 256;
    public const int MaxDescriptionLength = 2048;

    /// <summary>Returns the name when it is 1-256 characters with no control characters; otherwise throws.</summary>
    public static string Validate(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new VaultInvalidInputException("A key name must not be empty or only white space.");
        if (name.Length > MaxNameLength)
            throw new VaultInvalidInputException($"A key name may be at most {MaxNameLength} characters; this one has {name.Length}.");
        CheckText(name, "A key name");
        return name;
    }

    /// <summary>Validates tags: at most 32, each 1-128 characters without control characters; duplicates removed.</summary>
    public static string[] ValidateTags(IEnumerable<string>? tags)
    {
        if (tags is null) return Array.Empty<string>();
        var result = new List<string>();
        foreach (var tag in tags)
        {
            if (string.IsNullOrWhiteSpace(tag) || tag.Length > MaxTagLength)
                throw new VaultInvalidInputException($"Each tag must be 1 to {MaxTagLength} characters.");
            CheckText(tag, "A tag");
            if (!result.Contains(tag, StringComparer.OrdinalIgnoreCase)) result.Add(tag);
        }
        if (result.Count > MaxTags) throw new VaultInvalidInputException($"A key may carry at most {MaxTags} tags.");
        return result.ToArray();
    }

    /// <summary>Validates an optional free-text field (service, description).</summary>
    public static string? ValidateText(string? value, string field, int maxLength)
    {
        if (value is null) return null;
        if (value.Length > maxLength) throw new VaultInvalidInputException($"{field} may be at most {maxLength} characters.");
        CheckText(value, field);
        return value;
    }

    private static void CheckText(string value, string what)
    {
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsControl(c))
                throw new VaultInvalidInputException($"{what} must not contain control characters (found U+{(int)c:X4} at position {i + 1}).");
            if (char.IsHighSurrogate(c) && (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1])) || char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(value[i - 1])))
                throw new VaultInvalidInputException($"{what} contains a broken Unicode surrogate pair at position {i + 1}.");
        }
    }
}
