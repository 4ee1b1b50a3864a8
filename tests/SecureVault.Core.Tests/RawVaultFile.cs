using Microsoft.Data.Sqlite;

namespace SecureVault.Tests;

/// <summary>
/// Plain SQL access to a vault file that no engine has open, for tests that damage stored rows.
/// Statement arguments bind to $a0, $a1, ... in order.
/// </summary>
public sealed class RawVaultFile : IDisposable
{
    private readonly SqliteConnection _connection;

    public RawVaultFile(string path)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        _connection.Open();
        // An attacker editing the file is not bound by the schema's constraints.
        Execute("PRAGMA foreign_keys = OFF");
    }

    public int Execute(string sql, params object[] args)
    {
        using var command = Command(sql, args);
        return command.ExecuteNonQuery();
    }

    public object? Scalar(string sql, params object[] args)
    {
        using var command = Command(sql, args);
        return command.ExecuteScalar();
    }

    /// <summary>Every row a query returns, its cells in column order (SQL NULL as null).</summary>
    public IReadOnlyList<object?[]> Rows(string sql, params object[] args)
    {
        using var command = Command(sql, args);
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Reads one blob cell; fails the test unless exactly one row matches.</summary>
    public byte[] ReadBlob(string table, string column, string where, params object[] args)
    {
        using var command = Command($"SELECT {column} FROM {table} WHERE {where}", args);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read(), $"no {table} row matches {where}");
        var value = (byte[])reader.GetValue(0);
        Assert.False(reader.Read(), $"more than one {table} row matches {where}");
        return value;
    }

    /// <summary>Replaces one blob cell; fails the test unless exactly one row changed.</summary>
    public void WriteBlob(string table, string column, byte[] value, string where, params object[] args)
    {
        using var command = Command($"UPDATE {table} SET {column} = $value WHERE {where}", args);
        command.Parameters.AddWithValue("$value", value);
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    /// <summary>Flips the lowest bit of the middle byte of one blob cell.</summary>
    public void FlipByte(string table, string column, string where, params object[] args)
    {
        var bytes = ReadBlob(table, column, where, args);
        Assert.NotEmpty(bytes);
        bytes[bytes.Length / 2] ^= 0x01;
        WriteBlob(table, column, bytes, where, args);
    }

    /// <summary>
    /// Drops the NOT NULL constraints of <paramref name="table"/> from the schema, as damage to a page
    /// can leave a NULL where the schema forbids one. Takes effect for connections opened afterwards.
    /// </summary>
    public void AllowNulls(string table)
    {
        Execute("PRAGMA writable_schema = ON");
        Assert.Equal(1, Execute("UPDATE sqlite_master SET sql = replace(sql, 'NOT NULL', '') WHERE type = 'table' AND name = $a0", table));
        Execute("PRAGMA writable_schema = OFF");
    }

    /// <summary>Moves everything in the write-ahead log into the main file, so the file alone holds the vault.</summary>
    public void Checkpoint() => Execute("PRAGMA wal_checkpoint(TRUNCATE)");

    private SqliteCommand Command(string sql, object[] args)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        for (int i = 0; i < args.Length; i++) command.Parameters.AddWithValue("$a" + i, args[i]);
        return command;
    }

    public void Dispose() => _connection.Dispose();
}
