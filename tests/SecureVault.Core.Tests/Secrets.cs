using System.Security;
using System.Text;
using SecureVault.Memory;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>Builds test values and checks what the engine gives back, disposing every value it reads.</summary>
internal static class Secrets
{
    public static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (char c in text) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    /// <summary>The UTF-8 bytes of a SecureString (through the engine's own conversion, no string).</summary>
    public static byte[] Utf8(SecureString value)
    {
        using var buffer = SecureText.ToUtf8(value);
        return buffer.ToArray();
    }

    public static SecretCredential Credential(string user, string password) =>
        new(user, new SecretText(SecureText.ToUtf8(password), isSecureString: true));

    /// <summary>Asserts <paramref name="actual"/> is text of type <paramref name="type"/> with exactly these characters.</summary>
    public static void AssertText(string expected, SecretValueType type, SecretValue actual)
    {
        var text = Assert.IsType<SecretText>(actual);
        Assert.Equal(type, text.Type);
        Assert.Equal(Encoding.UTF8.GetBytes(expected), text.Utf8.ToArray());
    }

    public static void AssertBytes(byte[] expected, SecretValue actual)
    {
        var bytes = Assert.IsType<SecretBytes>(actual);
        Assert.Equal(SecretValueType.ByteArray, bytes.Type);
        Assert.Equal(expected, bytes.Bytes.ToArray());
    }

    public static void AssertCredential(string user, string password, SecretValue actual)
    {
        var credential = Assert.IsType<SecretCredential>(actual);
        Assert.Equal(SecretValueType.Credential, credential.Type);
        Assert.Equal(user, credential.UserName);
        AssertText(password, SecretValueType.SecureString, credential.Password);
    }

    /// <summary>Writes a string key, disposing the value after.</summary>
    public static VaultKeyInfo WriteText(VaultEngine engine, string name, string text, KeyUpdate? update = null)
    {
        using var value = SecretText.FromString(text);
        return engine.SetKey(name, value, update);
    }

    /// <summary>Reads a string key's text (current or given version).</summary>
    public static string ReadText(VaultEngine engine, string name, int? version = null)
    {
        using var value = engine.GetKey(name, version);
        return Assert.IsType<SecretText>(value).ToPlainString();
    }

    /// <summary>Reads a byte-array key's bytes.</summary>
    public static byte[] ReadBytes(VaultEngine engine, string name, int? version = null)
    {
        using var value = engine.GetKey(name, version);
        return Assert.IsType<SecretBytes>(value).Bytes.ToArray();
    }
}
