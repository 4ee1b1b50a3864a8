using System.Collections;
using System.Management.Automation;
using System.Security;
using System.Text.RegularExpressions;

namespace SecureVault.PowerShell.Extension;

/// <summary>
/// The settings a registered vault may carry in SecretManagement's VaultParameters, which
/// SecretManagement stores as plain JSON: only where the vault is and who opens it, never a
/// secret. Anything that looks like a password is refused with an explanation.
/// </summary>
internal sealed record VaultParameters(string? Vault, string? Principal)
{
    /// <summary>The keys a registration may use (SecretManagement adds Verbose itself).</summary>
    public static readonly string[] Allowed = ["Vault", "Principal", "CertificateThumbprint", "CertificatePath", "Verbose"];

    private static readonly Regex SecretLookingName = new("pass|pwd|secret|credential|token|apikey|private", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>Parses and checks AdditionalParameters; throws VaultInvalidInputException with what to do.</summary>
    public static VaultParameters From(Hashtable? given)
    {
        if (given is null) return new VaultParameters(null, null);
        // SecretManagement passes the keys as the user typed them, in a case-sensitive table.
        var parameters = new Hashtable(given, StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in parameters)
        {
            var key = entry.Key?.ToString() ?? "";
            var value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
            if (SecretLookingName.IsMatch(key) || value is SecureString or PSCredential)
                throw new VaultInvalidInputException(
                    $"The vault parameter '{key}' looks like a secret. SecretManagement stores VaultParameters as plain text in its registry file: " +
                    "register the vault again without it (Register-SecretVault -AllowClobber), change that password, and unlock with Unlock-SecretVault or Unlock-Vault instead.");
            if (!Allowed.Contains(key, StringComparer.OrdinalIgnoreCase))
                throw new VaultInvalidInputException(
                    $"'{key}' is not a SecureVault vault parameter. Allowed: Vault (a name or path), Principal, CertificateThumbprint, CertificatePath.");
        }
        var vault = Text(parameters, "Vault");
        // SecretManagement runs us in its own runspace, whose current folder is not the user's.
        if (vault != null && Storage.VaultLocation.IsPath(vault) && !Path.IsPathRooted(vault) && !vault.StartsWith('~'))
            throw new VaultInvalidInputException($"The vault parameter Vault = '{vault}' is a relative path; register the vault with a name or an absolute path.");
        return new VaultParameters(vault, Text(parameters, "Principal"))
        {
            HasCertificate = parameters.ContainsKey("CertificateThumbprint") || parameters.ContainsKey("CertificatePath"),
        };
    }

    /// <summary>True when certificate settings were given (certificate unlock is not available yet).</summary>
    public bool HasCertificate { get; init; }

    private static string? Text(Hashtable parameters, string key)
    {
        var value = parameters[key] is PSObject wrapped ? wrapped.BaseObject : parameters[key];
        return value switch
        {
            null => null,
            string text when !string.IsNullOrWhiteSpace(text) => text,
            _ => throw new VaultInvalidInputException($"The vault parameter '{key}' must be a non-empty string."),
        };
    }
}
