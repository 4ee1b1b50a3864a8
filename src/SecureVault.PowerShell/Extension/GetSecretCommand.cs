using System.Management.Automation;

namespace SecureVault.PowerShell.Extension;

/// <summary>
/// SecretManagement's Get-Secret: writes the value unenumerated, or nothing when the key does not
/// exist. Text comes back as SecureString; SecretManagement turns it into a string only when the
/// user asks with -AsPlainText. A key due for rotation is read with a warning (Write-Warning); a
/// Blocked one is an error (KeyExpired).
/// </summary>
[Cmdlet(VerbsCommon.Get, "Secret")]
public sealed class GetSecretCommand : SecretVaultCommandBase
{
    /// <summary>The key name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Name { get; set; } = "";

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            try
            {
                using var value = engine.GetKey(Name, warn: warning => WriteWarning(RotationAdvice.For(warning)));
                WriteObject(SecretConverter.ToPowerShell(value, asPlainText: false), enumerateCollection: false);
            }
            catch (VaultKeyNotFoundException)
            {
                // The contract: nothing written means "not in this vault", and SecretManagement reports it.
            }
        }, Name);
    }
}
