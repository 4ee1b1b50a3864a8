namespace SecureVault.Identity;

/// <summary>The kinds of keyslot, as stored (the numbers never change) and as shown.</summary>
public static class KeyslotKinds
{
    public const int Password = 1;
    public const int Certificate = 2;
    public const int PasswordAndCertificate = 3;

    public static string Describe(int kind) => kind switch
    {
        Password => "Password",
        Certificate => "Certificate",
        PasswordAndCertificate => "Password+Certificate",
        _ => $"Unknown({kind})",
    };
}
