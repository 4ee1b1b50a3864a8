using System.Security;
using System.Security.Cryptography;
using SecureVault.Crypto;
using SecureVault.Memory;
using SecureVault.Values;

namespace SecureVault.Bench;

/// <summary>
/// The fixed inputs of the benchmarks: a throwaway password for vaults that exist only under
/// out/bench, the cheap KDF used for populated vaults (the KDF runs once per unlock and has no
/// effect on per-key latency), key names and random values.
/// </summary>
public static class BenchData
{
    /// <summary>The KDF of populated vaults: the floor the engine accepts (1 MiB, t=1, p=1).</summary>
    public static readonly KdfParameters CheapKdf = new(1024, 1, 1);

    /// <summary>Value size in bytes: a typical API key.</summary>
    public const int ValueBytes = 40;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>
    /// The bench vaults' password. It protects nothing (the vaults hold random values under
    /// out/bench) but is still kept out of System.String, as the house rules ask.
    /// </summary>
    public static ReadOnlySpan<byte> Password => "securevault-bench-password"u8;

    /// <summary>The User principal that reads through grants in the bench, and its password.</summary>
    public const string Grantee = "bench-grantee";
    public static ReadOnlySpan<byte> GranteePassword => "securevault-bench-grantee-password"u8;

    /// <summary>The password as a read-only SecureString, for Unlock-Vault in the hosted runspace.</summary>
    public static SecureString PasswordAsSecureString() => SecureText.ToSecureString(Password);

    /// <summary>The name of populated key number <paramref name="i"/>: vault size N holds key-0000000 to key-(N-1).</summary>
    public static string KeyName(int i) => $"key-{i:D7}";

    /// <summary>A random printable value of <see cref="ValueBytes"/> characters, built in a secure buffer.</summary>
    public static SecretText NewValue()
    {
        var buffer = new SecureBuffer(ValueBytes);
        var span = buffer.Span;
        for (int i = 0; i < span.Length; i++) span[i] = (byte)Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        return new SecretText(buffer, isSecureString: false);
    }

    /// <summary>A random printable value as a plain string, for -Value in the hosted runspace (bench data, not a secret).</summary>
    public static string NewPlainValue() => RandomNumberGenerator.GetString(Alphabet, ValueBytes);
}
