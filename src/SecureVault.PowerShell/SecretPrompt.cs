using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace SecureVault.PowerShell;

/// <summary>
/// Asks the user, masked, for a secret value left out of the command line. The value parameters
/// are typed object (string, SecureString, byte[], ...), and PowerShell's own prompt for a missing
/// mandatory object parameter echoes what is typed and hands it over as a string; so they are not
/// mandatory, and a cmdlet asks through here instead: the host reads a SecureString, as
/// SecretManagement's Set-Secret and Read-Host -AsSecureString do.
/// </summary>
internal static class SecretPrompt
{
    /// <summary>
    /// The value typed at the host after <paramref name="label"/>, never echoed; VaultLocked
    /// before anything is asked when <paramref name="engine"/>'s vault is locked. Where the host
    /// cannot read masked input (a non-interactive or UI-less host), a VaultInvalidInputException
    /// that says to pass <paramref name="parameterName"/>.
    /// </summary>
    public static SecureString Read(PSHost host, VaultEngine engine, string label, string parameterName)
    {
        // Nobody should type a secret that a locked vault would then refuse to store.
        if (!engine.IsUnlocked) throw new VaultLockedException(engine.Vault);
        try
        {
            host.UI.Write(label + ": ");
            return host.UI.ReadLineAsSecureString() ?? throw CannotPrompt(parameterName);
        }
        // Hosts without a UI raise HostException, -NonInteractive raises PSInvalidOperationException,
        // and a custom host may not implement masked input at all: all three mean "cannot ask".
        catch (Exception e) when (e is HostException or PSInvalidOperationException or NotImplementedException)
        {
            throw CannotPrompt(parameterName);
        }
    }

    private static VaultInvalidInputException CannotPrompt(string parameterName) => new(
        $"No -{parameterName} was given and this PowerShell host cannot ask for it without echoing it: " +
        $"pass -{parameterName}, for example -{parameterName} (Read-Host -AsSecureString).");
}
