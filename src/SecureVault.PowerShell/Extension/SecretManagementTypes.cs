using System.Collections;
using System.Management.Automation;
using SecureVault.Values;

namespace SecureVault.PowerShell.Extension;

/// <summary>
/// SecretManagement's own types (SecretInformation, SecretType, PasswordRequiredException), found
/// at run time among the loaded assemblies: SecretManagement is loaded whenever it calls us, and
/// the module must not ship or bind to a copy of it.
/// </summary>
internal static class SecretManagementTypes
{
    private const string Namespace = "Microsoft.PowerShell.SecretManagement";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Type> Found = new();

    /// <summary>A SecretManagement type by name; found types are cached (scanning every assembly per key is slow).</summary>
    private static Type? Find(string name)
    {
        if (Found.TryGetValue(name, out var cached)) return cached;
        var type = AppDomain.CurrentDomain.GetAssemblies()
            .Select(a => a.GetType($"{Namespace}.{name}", throwOnError: false))
            .FirstOrDefault(t => t != null);
        if (type != null) Found[name] = type; // not found is not cached: SecretManagement may load later
        return type;
    }

    /// <summary>
    /// SecretManagement's PasswordRequiredException (so the user sees the standard "unlock the
    /// vault" message), or null when SecretManagement is not loaded.
    /// </summary>
    public static Exception? PasswordRequired(string message) =>
        Find("PasswordRequiredException") is { } type ? (Exception?)Activator.CreateInstance(type, message) : null;

    /// <summary>A SecretInformation for one key; a plain object with the same properties when SecretManagement is not loaded.</summary>
    public static object SecretInformation(string name, SecretValueType type, string vaultName, Hashtable metadata)
    {
        var informationType = Find("SecretInformation");
        var typeEnum = Find("SecretType");
        if (informationType is null || typeEnum is null)
        {
            var fallback = new PSObject();
            fallback.Properties.Add(new PSNoteProperty("Name", name));
            fallback.Properties.Add(new PSNoteProperty("Type", SecretTypeName(type)));
            fallback.Properties.Add(new PSNoteProperty("VaultName", vaultName));
            fallback.Properties.Add(new PSNoteProperty("Metadata", metadata));
            return fallback;
        }
        var secretType = Enum.Parse(typeEnum, SecretTypeName(type));
        var withMetadata = informationType.GetConstructor([typeof(string), typeEnum, typeof(string), typeof(Hashtable)]);
        return withMetadata != null
            ? withMetadata.Invoke([name, secretType, vaultName, metadata])
            : Activator.CreateInstance(informationType, name, secretType, vaultName)!;
    }

    /// <summary>SecretManagement's name for a stored value type.</summary>
    private static string SecretTypeName(SecretValueType type) => type switch
    {
        SecretValueType.String => "String",
        SecretValueType.SecureString => "SecureString",
        SecretValueType.ByteArray => "ByteArray",
        SecretValueType.Credential => "PSCredential",
        SecretValueType.Hashtable => "Hashtable",
        _ => "Unknown",
    };
}
