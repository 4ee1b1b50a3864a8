using System.Management.Automation;
using SecureVault.Access;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Grants a principal permissions on one key or on every key a wildcard matches, added to what it
/// already holds, optionally until a time (-ExpiresAt) or for a while (-Duration). A grant that
/// needs the data key wraps a copy to the grantee. Writes the grants; audited.
/// </summary>
[Cmdlet(VerbsSecurity.Grant, "VaultAccess", DefaultParameterSetName = UntilSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VaultAccessInfo))]
public sealed class GrantVaultAccessCommand : KeyAccessCommandBase
{
    private const string UntilSet = "ExpiresAt";
    private const string ForSet = "Duration";

    #region Parameters

    /// <summary>The permissions to grant: Read, Write, Rotate, Delete, Grant.</summary>
    /// <remarks>Strings, not the engine's enum: cmdlet types load before the engine's load context exists.</remarks>
    [Parameter(Mandatory = true, Position = 2)]
    [ValidateSet("Read", "Write", "Rotate", "Delete", "Grant")]
    public string[] Permission { get; set; } = [];

    /// <summary>When the grant ends (local time unless the DateTime says UTC). Default: it does not.</summary>
    [Parameter(ParameterSetName = UntilSet)]
    public DateTime? ExpiresAt { get; set; }

    /// <summary>How long the grant lasts from now.</summary>
    [Parameter(ParameterSetName = ForSet)]
    public TimeSpan? Duration { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        if (Duration is { } length && length <= TimeSpan.Zero)
        {
            WriteError(VaultErrors.InvalidArgument($"-Duration must be positive (for example '08:00:00' or (New-TimeSpan -Days 7)); it was {length}.", Name));
            return;
        }
        Invoke(engine =>
        {
            var permissions = Permissions.ParseKeyPermissions(Permission);
            var expires = Expiry();
            var until = expires is { } e ? $" until {e.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : "";
            if (!ShouldProcess($"{Name} in {engine.Vault}", $"Grant {permissions} to principal '{Principal}'{until}")) return;
            foreach (var grant in engine.GrantAccess(Name, Principal, permissions, expires)) WriteObject(grant);
        }, Name);
    }

    /// <summary>
    /// The end of the grant: -ExpiresAt as given (a DateTime without a kind is local time, as
    /// PowerShell users type dates), or now plus -Duration; null when neither is given.
    /// </summary>
    private DateTimeOffset? Expiry()
    {
        if (Duration is { } length) return DateTimeOffset.UtcNow + length;
        if (ExpiresAt is not { } at) return null;
        return new DateTimeOffset(at.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(at, DateTimeKind.Local) : at);
    }
}
