using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using SecureVault.Crypto;

namespace SecureVault.Storage;

/// <summary>
/// Reads the cells of one result row with the storage class and range the schema promises. A cell
/// of another class (text where an integer belongs, a NULL in a NOT NULL column), a number out of
/// range, or a key column that is not the key asked for is damage: it raises
/// <see cref="VaultIntegrityException"/>, never an OverflowException, InvalidCastException or a
/// silently converted value. Every read of <see cref="SqliteStoreConnection"/> goes through it.
/// </summary>
internal readonly struct SqliteRow(SqliteDataReader reader, string table)
{
    /// <summary>The milliseconds since 1970 that a DateTime or DateTimeOffset can hold.</summary>
    public static readonly long MinTimeMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    public static readonly long MaxTimeMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>An integer cell within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long Long(int column, long min = 0, long max = long.MaxValue) => reader.GetValue(column) switch
    {
        long value when value >= min && value <= max => value,
        long => throw Damaged(column, "is out of range"),
        DBNull => throw Damaged(column, "is missing"),
        _ => throw Damaged(column, "is not an integer"),
    };

    /// <summary>An integer cell that fits an int, within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int Int(int column, int min = 0, int max = int.MaxValue) => (int)Long(column, min, max);

    /// <summary>An integer cell that may be NULL.</summary>
    public long? OptionalLong(int column, long min = 0, long max = long.MaxValue) => reader.IsDBNull(column) ? null : Long(column, min, max);

    /// <summary>A time in milliseconds since 1970, within what DateTimeOffset can represent.</summary>
    public long Time(int column) => Long(column, MinTimeMs, MaxTimeMs);

    public long? OptionalTime(int column) => reader.IsDBNull(column) ? null : Time(column);

    /// <summary>A 0/1 flag.</summary>
    public bool Flag(int column) => Long(column, 0, 1) != 0;

    /// <summary>A non-NULL blob cell (it may be empty).</summary>
    public byte[] Blob(int column) => reader.GetValue(column) switch
    {
        byte[] bytes => bytes,
        DBNull => throw Damaged(column, "is missing"),
        _ => throw Damaged(column, "is not binary data"),
    };

    public byte[]? OptionalBlob(int column) => reader.IsDBNull(column) ? null : Blob(column);

    /// <summary>A non-NULL text cell.</summary>
    public string Text(int column) => reader.GetValue(column) switch
    {
        string text => text,
        DBNull => throw Damaged(column, "is missing"),
        _ => throw Damaged(column, "is not text"),
    };

    /// <summary>A 16-byte id.</summary>
    public Guid Id(int column)
    {
        var bytes = Blob(column);
        if (bytes.Length != 16) throw Damaged(column, "has the wrong length");
        return new Guid(bytes);
    }

    public Guid? OptionalId(int column) => reader.IsDBNull(column) ? null : Id(column);

    /// <summary>Nonce, ciphertext and tag in three consecutive columns.</summary>
    public SealedBox Box(int first) => new(Blob(first), Blob(first + 1), Blob(first + 2));

    /// <summary>
    /// Refuses a row whose key column is not the key the query asked for: a damaged index can
    /// lead a lookup to another row. Constant-time, as a key may be a blind index (a MAC).
    /// </summary>
    public void Expect(int column, ReadOnlySpan<byte> asked)
    {
        if (!CryptographicOperations.FixedTimeEquals(Blob(column), asked)) throw Damaged(column, "is not the one asked for: an index is damaged");
    }

    public void Expect(int column, Guid asked) => Expect(column, asked.ToByteArray());

    public void Expect(int column, long asked)
    {
        if (Long(column, long.MinValue) != asked) throw Damaged(column, "is not the one asked for: an index is damaged");
    }

    public void Expect(int column, string asked)
    {
        if (!string.Equals(Text(column), asked, StringComparison.Ordinal)) throw Damaged(column, "is not the one asked for: an index is damaged");
    }

    private VaultIntegrityException Damaged(int column, string problem) => new($"a stored {table}.{reader.GetName(column)} {problem}");
}
