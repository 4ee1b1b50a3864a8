using System.Management.Automation;
using System.Security;

namespace SecureVault.PowerShell.Extension;

/// <summary>
/// SecretManagement's Unlock-SecretVault: opens the same process-wide session that Unlock-Vault
/// opens, as the registration's Principal (or the default principal), with the same warnings
/// (a vault that has gone backwards since this profile last saw it).
/// </summary>
[Cmdlet(VerbsCommon.Unlock, "SecretVault")]
public sealed class UnlockSecretVaultCommand : SecretVaultCommandBase
{
    /// <summary>The principal's password.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public SecureString Password { get; set; } = null!;

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            using var password = PasswordBytes(Password);
            var result = engine.Unlock(password.ReadOnlySpan, Settings.Principal);
            foreach (var warning in result.Warnings) WriteWarning(warning);
        });
    }
}
