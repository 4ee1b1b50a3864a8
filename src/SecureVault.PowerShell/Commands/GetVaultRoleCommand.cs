using System.Management.Automation;
using SecureVault.Access;
using EngineRole = SecureVault.Identity.Role;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Shows the role matrix: every named permission and where Admin, User and Viewer hold it (All,
/// OwnAndGranted, Granted or None). The matrix is fixed in the engine, so this needs no vault.
/// </summary>
[Cmdlet(VerbsCommon.Get, "VaultRole")]
[OutputType(typeof(VaultRolePermission))]
public sealed class GetVaultRoleCommand : EngineCmdletBase
{
    #region Parameters

    /// <summary>Only the permissions this role holds somewhere: Admin, User or Viewer.</summary>
    /// <remarks>A string, not the engine's enum: cmdlet types load before the engine's load context exists.</remarks>
    [Parameter(Position = 0)]
    [ValidateSet(nameof(EngineRole.Admin), nameof(EngineRole.User), nameof(EngineRole.Viewer))]
    public string? Role { get; set; }

    /// <summary>Only the permissions whose name matches this pattern (read, list-*, manage-*, ...).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(VaultPermissionNameCompleter))]
    public string? Permission { get; set; }

    #endregion

    /// <summary>The matrix belongs to no vault.</summary>
    private protected override string? VaultReference => null;

    protected override void ProcessRecord()
    {
        var pattern = Permission is null ? null : new WildcardPattern(Permission, WildcardOptions.IgnoreCase);
        // Like Get-VaultKeyInfo -Name: a pattern may match nothing, a plain name must be a permission.
        if (pattern is not null && !WildcardPattern.ContainsWildcardCharacters(Permission)
            && !Permissions.Matrix.Any(row => pattern.IsMatch(row.Permission)))
        {
            WriteError(VaultErrors.InvalidArgument(
                $"'{Permission}' is not a permission. Run Get-VaultRole without -Permission to see them all.", Permission));
            return;
        }
        var role = Role is null ? (EngineRole?)null : Enum.Parse<EngineRole>(Role, ignoreCase: true);
        foreach (var row in Permissions.Matrix)
        {
            if (pattern is not null && !pattern.IsMatch(row.Permission)) continue;
            if (role is { } r && row.For(r) == PermissionScope.None) continue;
            WriteObject(row);
        }
    }
}
