using System.Management.Automation;
using SecureVault.Crypto;

namespace SecureVault.PowerShell.Commands;

/// <summary>Creates a vault with one owner (an Admin) protected by a password, and leaves it unlocked.</summary>
[Cmdlet(VerbsCommon.New, "Vault", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(VaultStatus))]
public sealed class NewVaultCommand : VaultSessionCommandBase
{
    #region Parameters

    /// <summary>The owner's password.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public System.Security.SecureString Password { get; set; } = null!;

    /// <summary>Argon2id memory in MiB (default 64).</summary>
    [Parameter]
    [ValidateRange(1, 4096)]
    public int KdfMemoryMiB { get; set; } = KdfParameters.Default.MemoryKiB / 1024;

    /// <summary>Argon2id passes (default 3).</summary>
    [Parameter]
    [ValidateRange(1, KdfParameters.MaxIterations)]
    public int KdfIterations { get; set; } = KdfParameters.Default.Iterations;

    /// <summary>Argon2id lanes (default 4).</summary>
    [Parameter]
    [ValidateRange(1, KdfParameters.MaxParallelism)]
    public int KdfParallelism { get; set; } = KdfParameters.Default.Parallelism;


    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            if (!ShouldProcess(engine.Vault, "Create vault")) return;
            using var password = PasswordBytes(Password);
            engine.Create(password.ReadOnlySpan, Principal, new KdfParameters(KdfMemoryMiB * 1024, KdfIterations, KdfParallelism), Timeout);
            WriteObject(engine.GetStatus());
        });
    }
}
