using System.Text;

namespace SecureVault.Identity;

/// <summary>Rules for principal names: 1-64 letters, digits and . _ - @ \, unique case-insensitively.</summary>
public static class PrincipalNames
{
    public const int MaxLength = 64;

    /// <summary>The name used when none is given: the operating-system user name.</summary>
    public static string Default => Environment.UserName;

    /// <summary>Returns <paramref name="name"/> when valid; otherwise throws <see cref="VaultInvalidInputException"/>.</summary>
    public static string Validate(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
            throw new VaultInvalidInputException($"A principal name must be 1 to {MaxLength} characters long.");
        foreach (char c in name)
        {
            if (!(char.IsLetterOrDigit(c) || c is '.' or '_' or '-' or '@' or '\\'))
                throw new VaultInvalidInputException("A principal name may contain only letters, digits and . _ - @ \\ characters.");
        }
        return name;
    }

    /// <summary>The form under which principal names are unique.</summary>
    public static string Normalize(string name) => name.Normalize(NormalizationForm.FormKC).ToUpperInvariant();
}
