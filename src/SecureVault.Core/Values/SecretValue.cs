using System.Security;
using SecureVault.Memory;

namespace SecureVault.Values;

/// <summary>The stored type of a secret; it decides what a read returns. Part of every value's AAD.</summary>
public enum SecretValueType : byte
{
    String = 1,
    SecureString = 2,
    ByteArray = 3,
    Credential = 4,
    Hashtable = 5,
}

/// <summary>
/// A decrypted secret value. Its bytes live in secure buffers, zeroized on Dispose; the caller
/// that receives one from the engine owns it.
/// </summary>
public abstract class SecretValue : IDisposable
{
    /// <summary>The stored type.</summary>
    public abstract SecretValueType Type { get; }

    /// <summary>Zeroizes every buffer this value holds.</summary>
    public abstract void Dispose();
}

/// <summary>Text, stored as UTF-8; returned as SecureString unless the caller asks for plain text.</summary>
public sealed class SecretText : SecretValue
{
    private readonly SecretValueType _type;

    /// <summary>Takes ownership of <paramref name="utf8"/>.</summary>
    public SecretText(SecureBuffer utf8, bool isSecureString)
    {
        Utf8 = utf8;
        _type = isSecureString ? SecretValueType.SecureString : SecretValueType.String;
    }

    /// <summary>Copies a caller's plain string (the caller already holds it as a string).</summary>
    public static SecretText FromString(string value) => new(SecureText.ToUtf8(value), isSecureString: false);

    /// <summary>Copies a SecureString without creating a string.</summary>
    public static SecretText FromSecureString(SecureString value) => new(SecureText.ToUtf8(value), isSecureString: true);

    public override SecretValueType Type => _type;

    /// <summary>The UTF-8 bytes.</summary>
    public SecureBuffer Utf8 { get; }

    /// <summary>A new read-only SecureString of the text.</summary>
    public SecureString ToSecureString() => SecureText.ToSecureString(Utf8.ReadOnlySpan);

    /// <summary>The text as a plain string: only for an explicit -AsPlainText request.</summary>
    public string ToPlainString() => SecureText.ToPlainString(Utf8.ReadOnlySpan);

    public override void Dispose() => Utf8.Dispose();
}

/// <summary>Raw bytes.</summary>
public sealed class SecretBytes(SecureBuffer bytes) : SecretValue
{
    public static SecretBytes CopyOf(ReadOnlySpan<byte> bytes) => new(SecureBuffer.CopyOf(bytes));

    public override SecretValueType Type => SecretValueType.ByteArray;

    public SecureBuffer Bytes { get; } = bytes;

    public override void Dispose() => Bytes.Dispose();
}

/// <summary>A user name (not secret) and a password.</summary>
public sealed class SecretCredential(string userName, SecretText password) : SecretValue
{
    public override SecretValueType Type => SecretValueType.Credential;

    public string UserName { get; } = userName ?? "";

    public SecretText Password { get; } = password;

    public override void Dispose() => Password.Dispose();
}

/// <summary>One entry of a <see cref="SecretTable"/>.</summary>
public sealed record SecretTableEntry(string Key, SecretValue Value);

/// <summary>A table of named values (text, SecureString, bytes or credentials; no nesting).</summary>
public sealed class SecretTable(IReadOnlyList<SecretTableEntry> entries) : SecretValue
{
    public override SecretValueType Type => SecretValueType.Hashtable;

    public IReadOnlyList<SecretTableEntry> Entries { get; } = entries;

    public override void Dispose()
    {
        foreach (var entry in Entries) entry.Value.Dispose();
    }
}
