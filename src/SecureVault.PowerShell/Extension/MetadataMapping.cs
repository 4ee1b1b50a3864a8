using System.Collections;
using System.Management.Automation;

namespace SecureVault.PowerShell.Extension;

/// <summary>
/// Maps SecretManagement metadata (a hashtable of string, int and DateTime values) onto SecureVault
/// key metadata and back: 'Description' and 'Service' are the key's description and service,
/// 'Tags' is its tags as one comma-separated string, every other entry is a typed field.
/// </summary>
internal static class MetadataMapping
{
    private const string Description = "Description";
    private const string Service = "Service";
    private const string Tags = "Tags";

    /// <summary>The update that makes a key's metadata exactly <paramref name="metadata"/> (absent entries are cleared).</summary>
    public static KeyUpdate ToUpdate(Hashtable metadata)
    {
        string? description = "", service = "";
        string[] tags = [];
        var fields = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in metadata)
        {
            var key = entry.Key?.ToString() ?? "";
            var value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
            if (key.Equals(Description, StringComparison.OrdinalIgnoreCase)) description = Text(key, value);
            else if (key.Equals(Service, StringComparison.OrdinalIgnoreCase)) service = Text(key, value);
            else if (key.Equals(Tags, StringComparison.OrdinalIgnoreCase))
                tags = Text(key, value).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            else fields[key] = value;
        }
        return new KeyUpdate(tags, service, description, fields);
    }

    /// <summary>A key's metadata as SecretManagement shows it.</summary>
    public static Hashtable ToHashtable(VaultKeyInfo key)
    {
        var metadata = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in key.Fields) metadata[name] = value;
        if (key.Description != null) metadata[Description] = key.Description;
        if (key.Service != null) metadata[Service] = key.Service;
        if (key.Tags.Length > 0) metadata[Tags] = string.Join(", ", key.Tags);
        return metadata;
    }

    private static string Text(string key, object? value) => value as string
        ?? throw new VaultInvalidInputException($"Metadata '{key}' must be a string.");
}
