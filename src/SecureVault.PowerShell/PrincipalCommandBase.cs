using System.Management.Automation;
using SecureVault.Access;
using SecureVault.Identity;

namespace SecureVault.PowerShell;

/// <summary>The cmdlets that change one existing principal (Set-, Remove-, Unlock-VaultPrincipal).</summary>
public abstract class PrincipalCommandBase : VaultCommandBase
{
    #region Parameters

    /// <summary>The principal (case-insensitive).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VaultPrincipalNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>Writes the principal after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <summary>The principal as it is now, so -WhatIf and -Confirm only ever speak of one that exists.</summary>
    private protected VaultPrincipalInfo Current(VaultEngine engine) => engine.GetPrincipals(PrincipalNames.Validate(Name)).Single();
}
