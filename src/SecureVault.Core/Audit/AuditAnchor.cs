// An audit anchor (Export-VaultAuditHead): the newest record's sequence number and chain hash,
// with the signature its actor made over that hash and the actor's public key, as one canonical
// JSON object. Kept off the machine, it proves later that the chain still contains that record:
// a vault truncated or rolled back to an older copy no longer does. The signature (ECDSA P-256
// over the 32-byte hash, IEEE P1363) makes a hand-edited anchor detectable on its own.
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using SecureVault.Audit;
using SecureVault.Storage;

namespace SecureVault;

/// <summary>A signed checkpoint of a vault's audit chain.</summary>
public sealed class AuditAnchor
{
    public const string Format = "SecureVault audit head v1";
    private const int MaxFileBytes = 4096;

    public required Guid VaultId { get; init; }
    public required long Seq { get; init; }
    public required byte[] Hash { get; init; }
    public required DateTime Time { get; init; }
    public required Guid PrincipalId { get; init; }
    public required byte[] PublicKey { get; init; }
    public required byte[] Signature { get; init; }

    /// <summary>The hash as hex, as Test-VaultAuditChain -Detailed shows HeadHash.</summary>
    public string HashHex => Convert.ToHexString(Hash).ToLowerInvariant();

    /// <summary>True when the signature over the hash verifies with the anchor's public key.</summary>
    public bool IsSigned()
    {
        using var key = AuditChain.ImportPublic(PublicKey);
        return key != null && Hash.Length == AuditChain.HashSize && AuditChain.Verify(key, Hash, Signature);
    }

    /// <summary>The anchor as canonical JSON (UTF-8).</summary>
    public byte[] ToJson() => new CanonicalJson()
        .String("format", Format)
        .String("hash", HashHex)
        .String("principal", PrincipalId.ToString("D"))
        .String("publicKey", Convert.ToBase64String(PublicKey))
        .Integer("seq", Seq)
        .String("signature", Convert.ToBase64String(Signature))
        .String("time", AuditEntry.FormatTime(new DateTimeOffset(Time, TimeSpan.Zero).ToUnixTimeMilliseconds()))
        .String("vault", VaultId.ToString("D"))
        .ToArray();

    /// <summary>Writes the anchor to a file readable by its owner only; refuses to replace one unless asked.</summary>
    public void Save(string path, bool overwrite = false) => PrivateFile.Write(path, overwrite, WriteTo);

    /// <summary>Writes the anchor's JSON and a newline.</summary>
    public void WriteTo(Stream output)
    {
        output.Write(ToJson());
        output.Write("\n"u8);
    }

    /// <summary>Reads an anchor file; a file that is not a well-formed, self-consistently signed anchor is refused.</summary>
    public static AuditAnchor Load(string path)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new VaultInvalidInputException($"The anchor file '{path}' does not exist. Give the file Export-VaultAuditHead wrote.");
            if (info.Length > MaxFileBytes) throw NotAnAnchor(path, "it is too large");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VaultStorageException($"cannot read the anchor '{path}': {e.Message}", e);
        }
        var anchor = Parse(bytes) ?? throw NotAnAnchor(path, "it is not well-formed");
        if (anchor.Seq < 1 || !anchor.IsSigned()) throw NotAnAnchor(path, "its signature does not verify");
        return anchor;
    }

    /// <summary>An anchor from its JSON, or null when the JSON is not a well-formed anchor (its signature is not checked here).</summary>
    public static AuditAnchor? Parse(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.GetProperty("format").GetString() != Format) return null;
            return new AuditAnchor
            {
                VaultId = Guid.ParseExact(root.GetProperty("vault").GetString()!, "D"),
                Seq = root.GetProperty("seq").GetInt64(),
                Hash = Convert.FromHexString(root.GetProperty("hash").GetString()!),
                Time = DateTime.ParseExact(root.GetProperty("time").GetString()!, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
                PrincipalId = Guid.ParseExact(root.GetProperty("principal").GetString()!, "D"),
                PublicKey = Convert.FromBase64String(root.GetProperty("publicKey").GetString()!),
                Signature = Convert.FromBase64String(root.GetProperty("signature").GetString()!),
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or ArgumentNullException)
        {
            return null;
        }
    }

    private static VaultInvalidInputException NotAnAnchor(string path, string why) =>
        new($"'{path}' is not a SecureVault audit anchor ({why}). Give the file Export-VaultAuditHead wrote.");
}
