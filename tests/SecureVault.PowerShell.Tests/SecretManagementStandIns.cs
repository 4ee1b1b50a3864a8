// Test-only stand-ins for SecretManagement's public types, with the same names, namespace and
// constructors as Microsoft.PowerShell.SecretManagement (which cannot be installed here). The
// extension finds them at run time exactly as it finds the real ones.
using System.Collections;
using System.Collections.ObjectModel;

namespace Microsoft.PowerShell.SecretManagement;

public enum SecretType
{
    Unknown = 0,
    ByteArray,
    String,
    SecureString,
    PSCredential,
    Hashtable,
}

public sealed class PasswordRequiredException(string msg) : InvalidOperationException(msg);

public sealed class SecretInformation
{
    public SecretInformation(string name, SecretType type, string vaultName)
    {
        Name = name;
        Type = type;
        VaultName = vaultName;
    }

    public SecretInformation(string name, SecretType type, string vaultName, ReadOnlyDictionary<string, object> metadata)
        : this(name, type, vaultName) => Metadata = metadata;

    public SecretInformation(string name, SecretType type, string vaultName, Hashtable metadata) : this(name, type, vaultName)
    {
        if (metadata is null) return;
        var copy = new Dictionary<string, object>(metadata.Count);
        foreach (var key in metadata.Keys) copy.Add((string)key, metadata[key]!);
        Metadata = new ReadOnlyDictionary<string, object>(copy);
    }

    public string Name { get; }
    public SecretType Type { get; }
    public string VaultName { get; }
    public ReadOnlyDictionary<string, object>? Metadata { get; }
}
