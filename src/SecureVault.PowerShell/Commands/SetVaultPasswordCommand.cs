using System.Management.Automation;
using System.Security;

namespace SecureVault.PowerShell.Commands;

/// <summary>Changes a principal's password. Only the principal's keyslot is re-sealed; no key is re-encrypted.</summary>
[Cmdlet(VerbsCommon.Set, "VaultPassword", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class SetVaultPasswordCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>The current password.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public SecureString Password { get; set; } = null!;

    /// <summary>The new password (at least 8 characters).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public SecureString NewPassword { get; set; } = null!;

    /// <summary>The principal whose password changes. Default: the unlocked principal, else the default one.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Principal { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            if (!ShouldProcess(engine.Vault, $"Change the password of {Principal ?? "the current principal"}")) return;
            using var current = PasswordBytes(Password);
            using var next = PasswordBytes(NewPassword);
            engine.ChangePassword(current.ReadOnlySpan, next.ReadOnlySpan, Principal);
        }, Principal);
    }
}
