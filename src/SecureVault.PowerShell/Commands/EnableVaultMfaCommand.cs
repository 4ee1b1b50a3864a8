using System.Management.Automation;
using System.Management.Automation.Host;
using SecureVault.Access;
using SecureVault.Memory;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Turns on a TOTP second factor for the unlocked principal, in two steps. Without -Code it starts
/// the enrolment: a new secret, pending, drawn as a QR code on the console and returned as an
/// otpauth:// URI in a SecureString (a plain string only with -AsPlainText), in a
/// VaultMfaEnrolment that holds no plain copy of the secret. With -Code it confirms
/// the enrolment with a code from the new device; from then on every password unlock needs a code.
/// Audited (mfa-enable, mfa-confirm).
/// </summary>
/// <remarks>
/// The QR code encodes the secret, so it goes to the host's screen only (Host.UI), not to any
/// stream: no redirection (6&gt;&amp;1, *&gt;&amp;1), -InformationVariable or -OutVariable can
/// capture it, and it is no property of the returned object (a Start-Transcript does record what
/// the host shows). -NoQrCode leaves it out, and then it is never drawn at all.
/// </remarks>
[Cmdlet(VerbsLifecycle.Enable, "VaultMfa", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = StartSet)]
[OutputType(typeof(VaultMfaEnrolment), typeof(string), ParameterSetName = new[] { StartSet })]
[OutputType(typeof(VaultPrincipalInfo), ParameterSetName = new[] { ConfirmSet })]
public sealed class EnableVaultMfaCommand : VaultCommandBase
{
    private const string StartSet = "Start";
    private const string ConfirmSet = "Confirm";

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
            if (!NoQrCode) ShowOnHost(enrolment.RenderQrCode(), instructions); // drawn only when shown
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
            WriteObject(new VaultMfaEnrolment(enrolment.Principal, enrolment.Vault, enrolment.OtpAuthUri, instructions));
        });
    }

    /// <summary>What to do next, with the vault named only when it is not the default one.</summary>
    private string Instructions(string vault)
    {
        var vaultArgument = Vault is null ? "" : $" -Vault '{vault.Replace("'", "''")}'";
        var source = NoQrCode ? "Add the otpauth:// URI (OtpAuthUri) to your authenticator app" : "Scan the QR code with your authenticator app (or add the otpauth:// URI to it)";
        return $"{source}, then run Enable-VaultMfa{vaultArgument} -Code <code> with the code it shows. Until then MFA stays off.";
    }

    /// <summary>Draws the QR code on the host's screen only (see the class remarks).</summary>
    private void ShowOnHost(string qrCode, string instructions)
    {
        try
        {
            Host.UI.WriteLine(qrCode);
            Host.UI.WriteLine();
            Host.UI.WriteLine(instructions);
        }
        catch (HostException)
        {
            // A host without a screen (a hosted runspace, a remote job): the URI still enrols.
            WriteWarning("This PowerShell host cannot show the QR code: add the otpauth:// URI (the OtpAuthUri property) to your authenticator app instead.");
        }
    }
}
