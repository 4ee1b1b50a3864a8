using System.Collections;
using System.Management.Automation;

namespace SecureVault.PowerShell.Extension;

/// <summary>
/// The base of the SecretManagement extension commands. SecretManagement calls them with exactly
/// these parameters, from its own runspace; the vault comes from the registration's
/// VaultParameters (passed as AdditionalParameters). The commands are thin adapters over the same
/// engine and the same process-wide session as the SecureVault cmdlets.
/// </summary>
public abstract class SecretVaultCommandBase : EngineCmdletBase
{
    private VaultParameters? _parameters;

    #region Parameters

    /// <summary>The name the vault is registered under in SecretManagement.</summary>
    [Parameter]
    public string VaultName { get; set; } = "";

    /// <summary>The registration's VaultParameters (Vault, Principal), as SecretManagement passes them.</summary>
    [Parameter]
    public Hashtable? AdditionalParameters { get; set; }

    #endregion

    /// <summary>The checked vault parameters; throws VaultInvalidInputException for secret-looking or unknown ones.</summary>
    private protected VaultParameters Settings => _parameters ??= VaultParameters.From(AdditionalParameters);

    private protected override string? VaultReference => Settings.Vault;

    /// <summary>The registered vault name: unlike the vault reference, it is always safe to name.</summary>
    private protected override object DefaultErrorTarget => VaultName;

    /// <summary>What a locked vault tells SecretManagement's user to do, in SecretManagement's syntax.</summary>
    private protected string LockedMessage =>
        $"The SecureVault vault registered as '{VaultName}' is locked. Run Unlock-SecretVault -Name '{VaultName}' (or Unlock-Vault) first.";

    /// <summary>
    /// A locked vault raises SecretManagement's PasswordRequiredException so that SecretManagement
    /// shows its standard "unlock the vault" message; everything else is an ErrorRecord with the
    /// same ids as the SecureVault cmdlets.
    /// </summary>
    /// <remarks>
    /// SecretManagement only sees an exception that ends its whole script (it then unwraps
    /// InnerException); a cmdlet's terminating error ends just the statement. A RuntimeException
    /// marked as thrown by a throw statement ends the script, as SecretStore's own `throw` does.
    /// </remarks>
    private protected override void Report(VaultException exception, object target)
    {
        if (exception is VaultLockedException && SecretManagementTypes.PasswordRequired(LockedMessage) is { } passwordRequired)
        {
            throw new RuntimeException(passwordRequired.Message, passwordRequired) { WasThrownFromThrowStatement = true };
        }
        base.Report(exception, target);
    }
}
