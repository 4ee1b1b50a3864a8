using System.Security;

namespace SecureVault.PowerShell;

/// <summary>
/// A pending MFA enrolment, as Enable-VaultMfa returns it. The otpauth:// URI holds the TOTP
/// secret, so it is here only as a SecureString; the QR code, which encodes the same secret, is
/// drawn on the host and never kept in this object (a string property would follow the object
/// into variables, Export-Clixml, ConvertTo-Json and transcripts).
/// </summary>
public sealed class VaultMfaEnrolment
{
    internal VaultMfaEnrolment(string principal, string vault, SecureString otpAuthUri, string instructions)
    {
        Principal = principal;
        Vault = vault;
        OtpAuthUri = otpAuthUri;
        Instructions = instructions;
    }

    /// <summary>The principal the enrolment is for.</summary>
    public string Principal { get; }

    /// <summary>The vault's full path.</summary>
    public string Vault { get; }

    /// <summary>The otpauth:// URI with the new secret, for an authenticator app.</summary>
    public SecureString OtpAuthUri { get; }

    /// <summary>What to do next: confirm with Enable-VaultMfa -Code.</summary>
    public string Instructions { get; }
}
