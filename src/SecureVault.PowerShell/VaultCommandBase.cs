using System.Management.Automation;
using System.Security;
using SecureVault.Memory;
using SecureVault.Storage;

namespace SecureVault.PowerShell;

/// <summary>
/// The base of every SecureVault cmdlet: resolves -Vault (a name, a PowerShell path, or the
/// default), owns a cancellation token cancelled by Ctrl+C, and reports engine failures as
/// ErrorRecords (terminating when nothing further can work, otherwise per pipeline item).
/// </summary>
public abstract class VaultCommandBase : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    static VaultCommandBase() => ModuleInitializer.EnsureRegistered();

    #region Parameters

    /// <summary>The vault: a name (stored in the SecureVault data folder) or a path. Default: SECUREVAULT_VAULT, else "default".</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Vault { get; set; }

    #endregion

    /// <summary>Cancelled when the user presses Ctrl+C.</summary>
    protected CancellationToken Cancellation => _stopping.Token;

    /// <summary>The engine for the vault this pipeline item names.</summary>
    private protected VaultEngine Engine => VaultEngine.Open(ResolvedVault);

    /// <summary>The -Vault value with a PowerShell path resolved against the current location.</summary>
    protected string? ResolvedVault =>
        Vault != null && VaultLocation.IsPath(Vault) && !Vault.StartsWith('~') ? GetUnresolvedProviderPathFromPSPath(Vault) : Vault;

    /// <summary>
    /// Runs one unit of work on this item's vault, reporting an engine failure (including a bad
    /// -Vault) for <paramref name="target"/>, or for the vault when no target is given.
    /// </summary>
    private protected void Invoke(Action<VaultEngine> work, object? target = null)
    {
        try
        {
            work(Engine);
        }
        catch (VaultException e)
        {
            var record = VaultErrors.From(e, target ?? ResolvedVault ?? "default vault");
            if (VaultErrors.IsTerminating(e)) ThrowTerminatingError(record);
            WriteError(record);
        }
    }

    /// <summary>A password from a SecureString as UTF-8 bytes in a secure buffer.</summary>
    private protected static SecureBuffer PasswordBytes(SecureString password) => SecureText.ToUtf8(password);

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Releases the cancellation source.</summary>
    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
