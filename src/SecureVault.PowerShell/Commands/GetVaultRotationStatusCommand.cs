using System.Management.Automation;
using SecureVault.Rotation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Shows where keys stand against their rotation policy (Ok, Warning, Overdue, Blocked, Exempt),
/// with the last rotation, the due date and the days left. Sorted by name; audited.
/// </summary>
[Cmdlet(VerbsCommon.Get, "VaultRotationStatus")]
[OutputType(typeof(VaultRotationStatus))]
public sealed class GetVaultRotationStatusCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>A key name or a wildcard pattern (default: every key).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VaultKeyNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Only keys in this state.</summary>
    /// <remarks>A string, not the engine's enum: cmdlet types load before the engine's load context exists.</remarks>
    [Parameter]
    [ValidateSet("Ok", "Warning", "Overdue", "Blocked", "Exempt")]
    public string? State { get; set; }

    /// <summary>Only keys due for rotation: Warning, Overdue and Blocked (not Exempt).</summary>
    [Parameter]
    public SwitchParameter Due { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            RotationState? state = State is null ? null : Enum.Parse<RotationState>(State, ignoreCase: true);
            foreach (var status in engine.GetRotationStatus(Name, state, Due, Cancellation)) WriteObject(status);
        }, Name);
    }
}
