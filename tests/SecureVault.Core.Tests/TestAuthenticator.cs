using System.Text;
using SecureVault.Access;
using SecureVault.Memory;

namespace SecureVault.Tests;

/// <summary>What an authenticator app does with an enrolment, for the tests.</summary>
internal static class TestAuthenticator
{
    /// <summary>The secret inside an enrolment's otpauth:// URI (base32, RFC 4648), as an authenticator app reads it.</summary>
    public static byte[] SecretOf(MfaEnrolment enrolment)
    {
        using var uri = SecureText.ToUtf8(enrolment.OtpAuthUri);
        var text = Encoding.ASCII.GetString(uri.ReadOnlySpan);
        var base32 = text.Split("secret=")[1].Split('&')[0];
        var bits = string.Concat(base32.Select(c => Convert.ToString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".IndexOf(c), 2).PadLeft(5, '0')));
        return Enumerable.Range(0, bits.Length / 8).Select(i => Convert.ToByte(bits.Substring(i * 8, 8), 2)).ToArray();
    }
}
