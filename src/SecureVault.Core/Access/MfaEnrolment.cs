using System.Security;

namespace SecureVault.Access;

/// <summary>
/// A TOTP enrolment waiting for its first code: the otpauth:// URI (it holds the secret, so it is
/// a SecureString) and the same URI drawn as a QR code for the terminal. Shown once.
/// </summary>
public sealed class MfaEnrolment
{
    public required string Principal { get; init; }
    public required SecureString OtpAuthUri { get; init; }
    /// <summary>The QR code as text (Unicode half blocks), for an authenticator app to scan.</summary>
    public required string QrCode { get; init; }
    public required string Vault { get; init; }
}
