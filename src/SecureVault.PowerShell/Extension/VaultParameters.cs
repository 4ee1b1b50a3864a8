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
    public static VaultParameters From(Hashtable? parameters)
    {
        if (parameters is null) return new VaultParameters(null, null);
        foreach (DictionaryEntry entry in parameters)
        {
            var key = entry.Key?.ToString() ?? "";
            var value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
            if (SecretLookingName.IsMatch(key) || value is SecureString or PSCredential)
                throw new VaultInvalidInputException(
                    $"The vault parameter '{key}' looks like a secret. SecretManagement stores VaultParameters as plain text: " +
                    "remove it (Set-SecretVaultInfo or Register-SecretVault again) and unlock with Unlock-SecretVault or Unlock-Vault instead.");
            if (!Allowed.Contains(key, StringComparer.OrdinalIgnoreCase))
                throw new VaultInvalidInputException(
                    $"'{key}' is not a SecureVault vault parameter. Allowed: Vault (a name or path), Principal, CertificateThumbprint, CertificatePath.");
        }
        return new VaultParameters(Text(parameters, "Vault"), Text(parameters, "Principal"));
    }

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
