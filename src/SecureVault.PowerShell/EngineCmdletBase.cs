using System.Management.Automation;
using System.Security;
using SecureVault.Memory;
using SecureVault.Storage;

namespace SecureVault.PowerShell;

/// <summary>
/// What every SecureVault cmdlet shares: it resolves the vault it works on (a name, a PowerShell
/// path, or the default), owns a cancellation token cancelled by Ctrl+C, and reports engine
/// failures as ErrorRecords (terminating when nothing further can work, otherwise per item).
/// </summary>
public abstract class EngineCmdletBase : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    static EngineCmdletBase() => ModuleInitializer.EnsureRegistered();

    /// <summary>The vault as the user named it (null: the default vault).</summary>
    private protected abstract string? VaultReference { get; }

    /// <summary>Cancelled when the user presses Ctrl+C.</summary>
    protected CancellationToken Cancellation => _stopping.Token;

    /// <summary>The engine for the vault this pipeline item names.</summary>
    private protected VaultEngine Engine => VaultEngine.Open(ResolvedVault);

    /// <summary>The vault reference with a PowerShell path resolved against the current location.</summary>
    protected string? ResolvedVault => VaultReference is { } vault && VaultLocation.IsPath(vault) && !vault.StartsWith('~')
        ? GetUnresolvedProviderPathFromPSPath(vault)
        : VaultReference;

    /// <summary>
    /// Runs one unit of work on this item's vault, reporting an engine failure (including a bad
    /// vault reference) for <paramref name="target"/>, or for the vault when no target is given.
    /// </summary>
    private protected void Invoke(Action<VaultEngine> work, object? target = null)
    {
        try
        {
            work(Engine);
        }
        catch (VaultException e)
        {
            Report(e, target ?? DefaultErrorTarget);
        }
    }

    /// <summary>What an error names when the work has no item of its own: the vault.</summary>
    private protected virtual object DefaultErrorTarget => ResolvedVault ?? "default vault";

    /// <summary>Writes or throws the ErrorRecord for an engine failure.</summary>
    private protected virtual void Report(VaultException exception, object target)
    {
        var record = VaultErrors.From(exception, target);
        if (VaultErrors.IsTerminating(exception)) ThrowTerminatingError(record);
        WriteError(record);
    }

    /// <summary>A password from a SecureString as UTF-8 bytes in a secure buffer; ill-formed UTF-16 is refused (InvalidInput).</summary>
    private protected static SecureBuffer PasswordBytes(SecureString password) => SecureText.PasswordToUtf8(password);

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Releases the cancellation source.</summary>
    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
