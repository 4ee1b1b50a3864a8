using System.Collections;
using System.Management.Automation;
using System.Security;
using SecureVault.Values;

namespace SecureVault.PowerShell;

/// <summary>
/// Converts between PowerShell values (string, SecureString, byte[], PSCredential, Hashtable)
/// and engine secret values. Text stays out of System.String except a caller's own input and
/// an explicit -AsPlainText output.
/// </summary>
internal static class SecretConverter
{
    public const string SupportedTypes = "string, SecureString, byte[], PSCredential or Hashtable (of string, SecureString, byte[] or PSCredential values)";

    /// <summary>An engine value for a PowerShell object; throws VaultInvalidInputException for other types.</summary>
    public static SecretValue ToSecret(object? value, bool nested = false)
    {
        switch (value is PSObject wrapped ? wrapped.BaseObject : value)
        {
            case string text:
                return SecretText.FromString(text);
            case SecureString secure:
                return SecretText.FromSecureString(secure);
            case byte[] bytes:
                return SecretBytes.CopyOf(bytes);
            case PSCredential credential:
                return new SecretCredential(credential.UserName, SecretText.FromSecureString(credential.Password));
            case IDictionary table when !nested:
                return ToTable(table);
            case null:
                throw new VaultInvalidInputException("The value is null: give a " + SupportedTypes + ".");
            case var other:
                throw new VaultInvalidInputException($"A value of type {other.GetType().FullName} cannot be stored: give a {SupportedTypes}.");
        }
    }

    private static SecretTable ToTable(IDictionary table)
    {
        var entries = new List<SecretTableEntry>();
        try
        {
            foreach (DictionaryEntry entry in table)
            {
                if ((entry.Key is PSObject k ? k.BaseObject : entry.Key) is not string key)
                    throw new VaultInvalidInputException("Hashtable keys must be strings.");
                entries.Add(new SecretTableEntry(key, ToSecret(entry.Value, nested: true)));
            }
            return new SecretTable(entries);
        }
        catch
        {
            foreach (var entry in entries) entry.Value.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The PowerShell object for an engine value: text as SecureString unless
    /// <paramref name="asPlainText"/>, bytes as byte[], credentials as PSCredential, tables as Hashtable.
    /// </summary>
    public static object ToPowerShell(SecretValue value, bool asPlainText) => value switch
    {
        SecretText text => asPlainText ? text.ToPlainString() : text.ToSecureString(),
        SecretBytes bytes => bytes.Bytes.ToArray(),
        SecretCredential credential => new PSCredential(credential.UserName, credential.Password.ToSecureString()),
        SecretTable table => ToHashtable(table, asPlainText),
        _ => throw new VaultInvalidInputException($"Values of type {value.Type} cannot be returned."),
    };

    private static Hashtable ToHashtable(SecretTable table, bool asPlainText)
    {
        var result = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in table.Entries) result[entry.Key] = ToPowerShell(entry.Value, asPlainText);
        return result;
    }
}
