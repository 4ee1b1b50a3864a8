using System.Management.Automation;
using SecureVault.Access;
using SecureVault.Memory;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Turns on a TOTP second factor for the unlocked principal, in two steps. Without -Code it starts
/// the enrolment: a new secret, pending, drawn as a QR code on the console and returned as an
/// otpauth:// URI in a SecureString (a plain string only with -AsPlainText). With -Code it confirms
/// the enrolment with a code from the new device; from then on every password unlock needs a code.
/// Audited (mfa-enable, mfa-confirm).
/// </summary>
/// <remarks>
/// The QR code goes to the host the way Write-Host writes: an information record tagged PSHOST,
/// which the console shows whatever $InformationPreference says, which 6&gt;$null or
/// -InformationAction Ignore hides, and which never enters the output pipeline. It encodes the
/// secret, so it is never part of the default view of the returned object either.
/// </remarks>
[Cmdlet(VerbsLifecycle.Enable, "VaultMfa", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = StartSet)]
[OutputType(typeof(MfaEnrolment), typeof(string), ParameterSetName = new[] { StartSet })]
[OutputType(typeof(VaultPrincipalInfo), ParameterSetName = new[] { ConfirmSet })]
public sealed class EnableVaultMfaCommand : VaultCommandBase
{
    private const string StartSet = "Start";
    private const string ConfirmSet = "Confirm";

    /// <summary>The tag Write-Host gives its records: the host shows them even when information is silenced.</summary>
    private const string HostTag = "PSHOST";

    /// <summary>The name of the note property that tells the user what to do next.</summary>
    internal const string InstructionsProperty = "Instructions";

    #region Parameters

    /// <summary>The current 6-digit code from the newly enrolled device; confirms a pending enrolment.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ConfirmSet)]
    [ValidateNotNullOrEmpty]
    public string? Code { get; set; }

    /// <summary>Returns the otpauth:// URI as a plain string instead of the enrolment object.</summary>
    [Parameter(ParameterSetName = StartSet)]
    public SwitchParameter AsPlainText { get; set; }

    /// <summary>Does not draw the QR code on the console.</summary>
    [Parameter(ParameterSetName = StartSet)]
    public SwitchParameter NoQrCode { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            // -WhatIf and -Confirm name the principal the change is for: the one the session belongs to.
            var principal = engine.GetStatus().Principal ?? throw new VaultLockedException(engine.Vault);
            var target = $"{principal} in {engine.Vault}";
            if (ParameterSetName == ConfirmSet)
            {
                if (!ShouldProcess(target, "Turn MFA on: confirm the pending enrolment with the code")) return;
                WriteObject(engine.ConfirmMfa(Code!));
                return;
            }
            if (!ShouldProcess(target, "Start MFA enrolment: a new TOTP secret, pending until Enable-VaultMfa -Code confirms it")) return;
            var enrolment = engine.EnableMfa();
            var instructions = Instructions(enrolment.Vault);
            if (!NoQrCode) ShowOnHost(enrolment.QrCode + "\n\n" + instructions);
            if (AsPlainText)
            {
                // The caller asked for plaintext: the only place the URI becomes a System.String.
                try
                {
                    using var uri = SecureText.ToUtf8(enrolment.OtpAuthUri);
                    WriteObject(SecureText.ToPlainString(uri.ReadOnlySpan));
                }
                finally
                {
                    enrolment.OtpAuthUri.Dispose(); // nobody else will ever see this enrolment object
                }
                return;
            }
            var output = PSObject.AsPSObject(enrolment);
            output.Properties.Add(new PSNoteProperty(InstructionsProperty, instructions));
            WriteObject(output);
        });
    }

    /// <summary>What to do next, with the vault named only when it is not the default one.</summary>
    private string Instructions(string vault)
    {
        var vaultArgument = Vault is null ? "" : $" -Vault '{vault.Replace("'", "''")}'";
        return "Scan the QR code with your authenticator app (or add the otpauth:// URI to it), then run "
            + $"Enable-VaultMfa{vaultArgument} -Code <code> with the code it shows. Until then MFA stays off.";
    }

    /// <summary>Writes text for the user the way Write-Host does (see the class remarks).</summary>
    private void ShowOnHost(string text) =>
        WriteInformation(new HostInformationMessage { Message = text }, [HostTag]);
}
