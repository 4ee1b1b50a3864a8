namespace SecureVault.Storage;

/// <summary>
/// Turns a -Vault argument into a vault file path. A value with a directory separator, a leading
/// '~' or '.', or the .vault extension is a path; anything else is a name, stored as
/// &lt;data folder&gt;/&lt;name&gt;.vault. Without an argument: SECUREVAULT_VAULT, else the vault named "default".
/// The data folder is SECUREVAULT_HOME, else SecureVault/ under the user's local data folder.
/// </summary>
public static class VaultLocation
{
    public const string VaultVariable = "SECUREVAULT_VAULT";
    public const string HomeVariable = "SECUREVAULT_HOME";
    public const string Extension = ".vault";
    public const string DefaultName = "default";

    /// <summary>The folder that holds vaults referred to by name.</summary>
    public static string DataFolder
    {
        get
        {
            var home = Environment.GetEnvironmentVariable(HomeVariable);
            if (!string.IsNullOrWhiteSpace(home)) return Path.GetFullPath(ExpandHome(home));
            var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            if (string.IsNullOrEmpty(local))
                throw new VaultStorageException($"this account has no local data folder; set {HomeVariable} to a folder for vaults, or pass -Vault with a path.");
            return Path.Combine(local, "SecureVault");
        }
    }

    /// <summary>True when <paramref name="vault"/> is a path rather than a name.</summary>
    public static bool IsPath(string vault) =>
        vault.IndexOfAny(['/', '\\']) >= 0 || vault.StartsWith('~') || vault.StartsWith('.')
        || vault.EndsWith(Extension, StringComparison.OrdinalIgnoreCase) || Path.IsPathRooted(vault);

    /// <summary>The full path of the vault named or located by <paramref name="vault"/> (or the default).</summary>
    public static string Resolve(string? vault)
    {
        if (string.IsNullOrWhiteSpace(vault))
        {
            var fromEnvironment = Environment.GetEnvironmentVariable(VaultVariable);
            vault = string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultName : fromEnvironment;
        }
        if (IsPath(vault)) return Path.GetFullPath(ExpandHome(vault));
        foreach (char c in vault)
        {
            if (!(char.IsLetterOrDigit(c) || c is '-' or '_'))
                throw new VaultInvalidInputException($"'{vault}' is not a valid vault name: use letters, digits, - and _, or give a path.");
        }
        return Path.Combine(DataFolder, vault + Extension);
    }

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;
}
