using System.Security;
using SecureVault.Identity;
using SecureVault.Memory;

namespace SecureVault.Access;

/// <summary>
/// A TOTP enrolment waiting for its first code: the otpauth:// URI (it holds the secret, so it is
/// a SecureString). Shown once. The QR code that draws the same URI for the terminal is made only
/// when it is about to be shown (<see cref="RenderQrCode"/>): it encodes the secret, so no copy of
/// it exists unless someone asked to see it.
/// </summary>
public sealed class MfaEnrolment
{
    public required string Principal { get; init; }
    public required SecureString OtpAuthUri { get; init; }
    public required string Vault { get; init; }

    /// <summary>
    /// The QR code of <see cref="OtpAuthUri"/> as text (Unicode half blocks), for an authenticator
    /// app to scan. The text is the one plain copy the caller asked for: show it and drop it.
    /// </summary>
    public string RenderQrCode()
    {
        using var uri = SecureText.ToUtf8(OtpAuthUri);
        return TerminalQrCode.Render(uri.ReadOnlySpan);
    }
}
