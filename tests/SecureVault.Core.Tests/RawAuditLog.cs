using SecureVault.Audit;
using SecureVault.Storage;

namespace SecureVault.Tests;

/// <summary>
/// The audit_log rows of a vault file, read and rewritten with plain SQL as someone holding the
/// file would. Forged content is built with the engine's own canonical form and chain hashing,
/// from what the file shows in plain view, so only what the attacker lacks (a private signing key,
/// the metadata key behind the signer MACs) can give it away.
/// </summary>
internal static class RawAuditLog
{
    private const string Columns = "seq, time_ms, action, record, hash, signature, target";

    public static IReadOnlyList<AuditRow> All(RawVaultFile file) =>
        file.Rows($"SELECT {Columns} FROM audit_log ORDER BY seq").Select(ToRow).ToList();

    public static AuditRow Row(RawVaultFile file, long seq) =>
        ToRow(Assert.Single(file.Rows($"SELECT {Columns} FROM audit_log WHERE seq = $a0", seq)));

    public static AuditEntry Entry(RawVaultFile file, long seq) => AuditEntry.Parse(Row(file, seq).Record);

    /// <summary>The chain link a record at <paramref name="seq"/> is hashed over: genesis, or the link after the record before it.</summary>
    public static byte[] LinkBefore(RawVaultFile file, long seq)
    {
        if (seq == 1) return AuditChain.Genesis(FileWriter.VaultId(file));
        var previous = Row(file, seq - 1);
        return AuditChain.Link(previous.Hash, previous.Signature ?? []);
    }

    /// <summary>
    /// Replaces record <paramref name="seq"/> by a changed copy in canonical form. With
    /// <paramref name="rehash"/> the stored hash is recomputed too, as an attacker who knows the
    /// chain format would; the signature is left as it was (no one but the actor can remake it).
    /// </summary>
    public static void Rewrite(RawVaultFile file, long seq, Func<AuditEntry, AuditEntry> change, bool rehash = false)
    {
        var record = change(Entry(file, seq)).ToCanonicalJson();
        file.WriteBlob("audit_log", "record", record, "seq = $a0", seq);
        if (rehash) file.WriteBlob("audit_log", "hash", AuditChain.Hash(LinkBefore(file, seq), record), "seq = $a0", seq);
    }

    /// <summary>Stores a row as given (a forged one, or one moved to another place).</summary>
    public static void Put(RawVaultFile file, AuditRow row) =>
        Assert.Equal(1, file.Execute($"INSERT OR REPLACE INTO audit_log ({Columns}) VALUES ($a0, $a1, $a2, $a3, $a4, $a5, $a6)",
            row.Seq, row.TimeMs, row.Action, row.Record, row.Hash, (object?)row.Signature ?? DBNull.Value, (object?)row.Target?.ToByteArray() ?? DBNull.Value));

    /// <summary>Removes the records <paramref name="from"/> to <paramref name="through"/>; returns how many.</summary>
    public static int Delete(RawVaultFile file, long from, long through = long.MaxValue) =>
        file.Execute("DELETE FROM audit_log WHERE seq BETWEEN $a0 AND $a1", from, through);

    /// <summary>
    /// Makes room at <paramref name="seq"/>: every record from there on moves one place later, its
    /// seq column and the seq inside its record renumbered (hash and signature cannot follow).
    /// </summary>
    public static void MakeRoomAt(RawVaultFile file, long seq)
    {
        foreach (var row in All(file).Where(r => r.Seq >= seq).OrderByDescending(r => r.Seq))
        {
            var moved = AuditEntry.Parse(row.Record) with { Seq = row.Seq + 1 };
            Assert.Equal(1, file.Execute("DELETE FROM audit_log WHERE seq = $a0", row.Seq));
            Put(file, row with { Seq = row.Seq + 1, Record = moved.ToCanonicalJson() });
        }
    }

    /// <summary>The record <paramref name="entry"/> as row <paramref name="seq"/>, chained after the record before <paramref name="seq"/>, unsigned.</summary>
    public static AuditRow Forge(RawVaultFile file, long seq, AuditEntry entry)
    {
        var record = (entry with { Seq = seq }).ToCanonicalJson();
        return new AuditRow(seq, entry.TimeMs, entry.Action, record, AuditChain.Hash(LinkBefore(file, seq), record), null, entry.Target);
    }

    private static AuditRow ToRow(object?[] cells) =>
        new((long)cells[0]!, (long)cells[1]!, (string)cells[2]!, (byte[])cells[3]!, (byte[])cells[4]!, (byte[]?)cells[5],
            cells[6] is byte[] target ? new Guid(target) : null);
}
