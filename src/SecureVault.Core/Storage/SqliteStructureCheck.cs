using Microsoft.Data.Sqlite;

namespace SecureVault.Storage;

/// <summary>
/// SQLite's own structural checks of one database file, used for the live vault (Test-Vault) and
/// for a backup before it is restored: integrity_check (every page, index and constraint) and
/// foreign_key_check (rows that point at a row that does not exist). One line per problem, at most
/// <c>limit</c>; none when the file is sound. Reads only.
/// </summary>
internal static class SqliteStructureCheck
{
    /// <summary>At most this many problems are listed by one check (a wrecked file would list thousands).</summary>
    public const int DefaultLimit = 100;

    public static IReadOnlyList<string> Problems(SqliteConnection sqlite, SqliteTransaction? transaction, int limit)
    {
        var problems = new List<string>();
        using (var command = sqlite.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $"PRAGMA integrity_check({limit});";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var line = reader.IsDBNull(0) ? "(no text)" : reader.GetString(0);
                if (line != "ok") problems.Add("integrity_check: " + line);
            }
        }
        using (var command = sqlite.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "PRAGMA foreign_key_check;";
            using var reader = command.ExecuteReader();
            while (reader.Read() && problems.Count < limit)
            {
                // Columns: table, rowid, referenced table, constraint index.
                var table = reader.IsDBNull(0) ? "?" : reader.GetString(0);
                var parent = reader.IsDBNull(2) ? "?" : reader.GetString(2);
                var rowid = reader.IsDBNull(1) ? "?" : reader.GetValue(1).ToString();
                problems.Add($"foreign_key_check: a row of {table} (rowid {rowid}) points at a {parent} row that does not exist");
            }
        }
        return problems;
    }
}
