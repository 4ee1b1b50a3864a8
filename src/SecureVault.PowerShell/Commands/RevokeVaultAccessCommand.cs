using System.Management.Automation;
using SecureVault.Access;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Takes permissions (default: all) on the matching keys away from a principal. When it may no
/// longer hold a key's data key, its copy is removed and the data key is rotated at the key's next
/// write, or at once with -RotateNow. Asks for confirmation; audited.
/// </summary>
[Cmdlet(VerbsSecurity.Revoke, "VaultAccess", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(VaultAccessInfo))]
public sealed class RevokeVaultAccessCommand : KeyAccessCommandBase
{
    #region Parameters

    /// <summary>The permissions to take away: Read, Write, Rotate, Delete, Grant. Default: all of them.</summary>
    /// <remarks>Strings, not the engine's enum: cmdlet types load before the engine's load context exists.</remarks>
    [Parameter(Position = 2)]
    [ValidateSet("Read", "Write", "Rotate", "Delete", "Grant")]
    public string[]? Permission { get; set; }

    /// <summary>Rotates now, instead of at the next write, every data key the principal no longer may hold.</summary>
    [Parameter]
    public SwitchParameter RotateNow { get; set; }

    /// <summary>Writes the grants as they are afterwards (a removed grant with no permissions).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            KeyPermissions? permissions = Permission is null ? null : Permissions.ParseKeyPermissions(Permission);
            var what = permissions is { } p ? p.ToString() : "every permission";
            var rotate = RotateNow ? ", rotating the data keys it loses now" : "";
            if (!ShouldProcess($"{Name} in {engine.Vault}", $"Revoke {what} from principal '{Principal}'{rotate}")) return;
            var grants = engine.RevokeAccess(Name, Principal, permissions, RotateNow);
            if (PassThru) foreach (var grant in grants) WriteObject(grant);
        }, Name);
    }
}
