using System.Text.Json;
using SecureVault.Storage;

namespace SecureVault.Audit;

/// <summary>
/// The newest audit head this user profile has seen for each vault (sequence number and hash),
/// kept in &lt;data folder&gt;/audit-heads/&lt;vault id&gt;.json. A vault whose chain is shorter than
/// that, or holds another record at that place, has gone backwards: replaced by an older copy or
/// rewritten. This catches a rollback without an anchor, for the profiles that used the vault.
/// </summary>
internal static class AuditHeadMemory
{
    private const int MaxFileBytes = 1024;

    /// <summary>A remembered head: record <paramref name="Seq"/> had hash <paramref name="Hash"/>.</summary>
    public sealed record Head(long Seq, byte[] Hash);

    private static string FileFor(Guid vaultId) => Path.Combine(VaultLocation.DataFolder, "audit-heads", vaultId.ToString("N") + ".json");

    /// <summary>The head remembered for a vault, or null when none (or the file is unreadable, which is treated as none).</summary>
    public static Head? Recall(Guid vaultId)
    {
        var path = FileFor(vaultId);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > MaxFileBytes) return null;
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return new Head(document.RootElement.GetProperty("seq").GetInt64(), Convert.FromHexString(document.RootElement.GetProperty("hash").GetString()!));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            // A damaged memory file only weakens the check (as a missing one does); Remember rewrites it.
            return null;
        }
    }

    /// <summary>
    /// Remembers a head if it is newer than the one remembered (or always, with
    /// <paramref name="force"/>, after the user was warned of a rollback). Returns null, or why it
    /// could not be written (a warning for the caller: the check still works from the older memory).
    /// </summary>
    public static string? Remember(Guid vaultId, long seq, byte[] hash, bool force = false)
    {
        if (!force && Recall(vaultId) is { } known && known.Seq > seq) return null;
        var path = FileFor(vaultId);
        try
        {
            PrivateFile.CreateFolder(Path.GetDirectoryName(path)!);
            var json = System.Text.Encoding.UTF8.GetBytes($"{{\"seq\":{seq},\"hash\":\"{Convert.ToHexString(hash).ToLowerInvariant()}\"}}\n");
            // Replaced whole (a private file written beside it, then moved over it): a reader never sees half a head.
            PrivateFile.Write(path, overwrite: true, stream => stream.Write(json));
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or VaultStorageException)
        {
            return $"could not remember the audit head in '{path}': {e.Message}";
        }
    }

    /// <summary>
    /// Why the vault has gone backwards against the remembered head, or null when it has not.
    /// <paramref name="hashAt"/> returns the stored hash of a record, or null when it is not kept.
    /// </summary>
    public static string? CheckNotBehind(Guid vaultId, long? headSeq, Func<long, byte[]?> hashAt)
    {
        if (Recall(vaultId) is not { } known) return null;
        if (headSeq is null || headSeq < known.Seq)
            return $"its audit log ends at record {headSeq ?? 0}, but this profile has seen record {known.Seq}: the vault was rolled back to an older copy or truncated";
        var hash = hashAt(known.Seq);
        if (hash != null && !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(hash, known.Hash))
            return $"audit record {known.Seq} differs from the one this profile has seen: the vault was replaced or its log rewritten";
        return null;
    }
}
