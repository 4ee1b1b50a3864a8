// The plaintext layout of a secret value (encrypted as a whole by AES-256-GCM, so it is
// authenticated, but still parsed defensively: every length is checked against what remains).
//   String / SecureString : UTF-8 bytes
//   ByteArray             : the bytes
//   Credential            : u32 LE userNameLength | user name UTF-8 | password UTF-8
//   Hashtable             : u32 LE count | count x (u32 keyLength | key UTF-8 | u8 type | u32 valueLength | value)
//                           (entry values: String, SecureString, ByteArray or Credential)
using System.Buffers.Binary;
using System.Text;
using SecureVault.Memory;

namespace SecureVault.Values;

/// <summary>Encodes secret values to bytes in secure buffers and back.</summary>
public static class SecretCodec
{
    /// <summary>The largest encoded value accepted: 1 MiB.</summary>
    public const int MaxValueBytes = 1024 * 1024;
    private const int MaxTableEntries = 4096;

    /// <summary>Encodes <paramref name="value"/>; refuses anything over 1 MiB or of an unsupported shape.</summary>
    public static SecureBuffer Encode(SecretValue value)
    {
        long size = SizeOf(value, nested: false);
        if (size > MaxValueBytes)
            throw new VaultInvalidInputException($"The value is {size:N0} bytes; the largest value a key can hold is {MaxValueBytes:N0} bytes (1 MiB).");
        var buffer = new SecureBuffer((int)size);
        try
        {
            int written = Write(value, buffer.Span);
            if (written != size) throw new InvalidOperationException("Secret encoding size mismatch.");
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>Decodes a value of <paramref name="type"/>; a malformed layout is an integrity error.</summary>
    public static SecretValue Decode(SecretValueType type, ReadOnlySpan<byte> bytes) => Read(type, bytes, nested: false);

    private static long SizeOf(SecretValue value, bool nested) => value switch
    {
        SecretText text => text.Utf8.Length,
        SecretBytes raw => raw.Bytes.Length,
        SecretCredential credential => 4L + Encoding.UTF8.GetByteCount(credential.UserName) + credential.Password.Utf8.Length,
        SecretTable table when !nested => TableSize(table),
        SecretTable => throw new VaultInvalidInputException("A hashtable value cannot contain another hashtable."),
        _ => throw new VaultInvalidInputException($"Values of type {value.GetType().Name} cannot be stored."),
    };

    private static long TableSize(SecretTable table)
    {
        if (table.Entries.Count > MaxTableEntries)
            throw new VaultInvalidInputException($"A hashtable value may hold at most {MaxTableEntries} entries.");
        long size = 4;
        foreach (var entry in table.Entries)
            size += 4 + Encoding.UTF8.GetByteCount(entry.Key) + 1 + 4 + SizeOf(entry.Value, nested: true);
        return size;
    }

    private static int Write(SecretValue value, Span<byte> output)
    {
        switch (value)
        {
            case SecretText text:
                text.Utf8.ReadOnlySpan.CopyTo(output);
                return text.Utf8.Length;
            case SecretBytes raw:
                raw.Bytes.ReadOnlySpan.CopyTo(output);
                return raw.Bytes.Length;
            case SecretCredential credential:
            {
                int userLength = Encoding.UTF8.GetBytes(credential.UserName, output[4..]);
                BinaryPrimitives.WriteUInt32LittleEndian(output, (uint)userLength);
                credential.Password.Utf8.ReadOnlySpan.CopyTo(output[(4 + userLength)..]);
                return 4 + userLength + credential.Password.Utf8.Length;
            }
            case SecretTable table:
            {
                BinaryPrimitives.WriteUInt32LittleEndian(output, (uint)table.Entries.Count);
                int offset = 4;
                foreach (var entry in table.Entries)
                {
                    int keyLength = Encoding.UTF8.GetBytes(entry.Key, output[(offset + 4)..]);
                    BinaryPrimitives.WriteUInt32LittleEndian(output[offset..], (uint)keyLength);
                    offset += 4 + keyLength;
                    output[offset++] = (byte)entry.Value.Type;
                    int valueLength = Write(entry.Value, output[(offset + 4)..]);
                    BinaryPrimitives.WriteUInt32LittleEndian(output[offset..], (uint)valueLength);
                    offset += 4 + valueLength;
                }
                return offset;
            }
            default:
                throw new VaultInvalidInputException($"Values of type {value.GetType().Name} cannot be stored.");
        }
    }

    private static SecretValue Read(SecretValueType type, ReadOnlySpan<byte> bytes, bool nested)
    {
        switch (type)
        {
            case SecretValueType.String:
            case SecretValueType.SecureString:
                if (!SecureText.IsValidUtf8(bytes)) throw Malformed("text is not valid UTF-8");
                return new SecretText(SecureBuffer.CopyOf(bytes), type == SecretValueType.SecureString);
            case SecretValueType.ByteArray:
                return SecretBytes.CopyOf(bytes);
            case SecretValueType.Credential:
            {
                var user = ReadLengthPrefixed(ref bytes, "credential user name");
                if (!SecureText.IsValidUtf8(bytes)) throw Malformed("credential password is not valid UTF-8");
                return new SecretCredential(Encoding.UTF8.GetString(user), new SecretText(SecureBuffer.CopyOf(bytes), true));
            }
            case SecretValueType.Hashtable when !nested:
                return ReadTable(bytes);
            default:
                throw Malformed($"unknown value type {(byte)type}");
        }
    }

    private static SecretTable ReadTable(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 4) throw Malformed("hashtable header is truncated");
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        if (count > MaxTableEntries) throw Malformed("hashtable entry count is out of range");
        bytes = bytes[4..];
        var entries = new List<SecretTableEntry>((int)count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                string key = Encoding.UTF8.GetString(ReadLengthPrefixed(ref bytes, "hashtable key"));
                if (bytes.Length < 1) throw Malformed("hashtable entry type is missing");
                var entryType = (SecretValueType)bytes[0];
                bytes = bytes[1..];
                var value = ReadLengthPrefixed(ref bytes, "hashtable value");
                entries.Add(new SecretTableEntry(key, Read(entryType, value, nested: true)));
            }
            if (!bytes.IsEmpty) throw Malformed("hashtable has trailing bytes");
            return new SecretTable(entries);
        }
        catch
        {
            foreach (var entry in entries) entry.Value.Dispose();
            throw;
        }
    }

    private static ReadOnlySpan<byte> ReadLengthPrefixed(ref ReadOnlySpan<byte> bytes, string what)
    {
        if (bytes.Length < 4) throw Malformed($"{what} length is truncated");
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        if (length > bytes.Length - 4) throw Malformed($"{what} length exceeds the stored data");
        var part = bytes.Slice(4, (int)length);
        bytes = bytes[(4 + (int)length)..];
        return part;
    }

    private static VaultIntegrityException Malformed(string what) => new($"stored value layout: {what}");
}
