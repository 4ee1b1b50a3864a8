using System.Buffers.Binary;
using Microsoft.Data.Sqlite;

namespace SecureVault.Tests;

/// <summary>
/// The bytes of a vault file and its write-ahead log, taken while no one writes, for tests that
/// damage copies page by page. Knows just enough of the SQLite file format (page size, b-tree page
/// header) to aim at the bytes that matter.
/// </summary>
internal sealed class VaultImage
{
    private VaultImage(byte[] main, byte[] wal)
    {
        Main = main;
        Wal = wal;
        PageSize = BinaryPrimitives.ReadUInt16BigEndian(main.AsSpan(16)) is var size && size == 1 ? 65536 : size;
    }

    public byte[] Main { get; }
    public byte[] Wal { get; }
    public int PageSize { get; }
    public int PageCount => Main.Length / PageSize;

    /// <summary>
    /// The files at <paramref name="path"/> as they are now. Call it while a connection is still
    /// open if the log is wanted (the last connection to close moves the log into the file).
    /// </summary>
    public static VaultImage Capture(string path) =>
        new(ReadShared(path), File.Exists(path + "-wal") ? ReadShared(path + "-wal") : []);

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Replaces the files at <paramref name="path"/> (no connection may be open on them).</summary>
    public static void Write(string path, byte[] main, byte[] wal)
    {
        File.Delete(path + "-shm");
        File.Delete(path + "-wal");
        File.WriteAllBytes(path, main);
        if (wal.Length > 0) File.WriteAllBytes(path + "-wal", wal);
    }

    /// <summary>
    /// A new empty folder for many copies of a vault: in memory (/dev/shm) where there is one, since
    /// every audited read syncs the file and thousands of copies would otherwise wait on the disk.
    /// </summary>
    public static string ScratchFolder()
    {
        var parent = OperatingSystem.IsLinux() && Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        var folder = Path.Combine(parent, "securevault-fuzz-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>The root page number (1-based) of a table or index, read from a checkpointed file.</summary>
    public static int RootPage(string path, string name)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT rootpage FROM sqlite_master WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        return Convert.ToInt32(command.ExecuteScalar() ?? throw new InvalidOperationException("no schema object " + name));
    }

    /// <summary>
    /// The byte offsets (in the file) of the used parts of b-tree page <paramref name="page"/>: its
    /// header, its cell pointers and its cell content. The free gap between them holds nothing.
    /// </summary>
    public IEnumerable<int> UsedBytesOf(int page)
    {
        int start = (page - 1) * PageSize;
        int header = page == 1 ? 100 : 0; // page 1 starts with the database header
        var span = Main.AsSpan(start + header);
        bool interior = span[0] is 2 or 5;
        int headerSize = interior ? 12 : 8;
        int cells = BinaryPrimitives.ReadUInt16BigEndian(span[3..]);
        int content = BinaryPrimitives.ReadUInt16BigEndian(span[5..]) is var c && c == 0 ? 65536 : c;
        for (int i = 0; i < header + headerSize + 2 * cells; i++) yield return start + i;
        for (int i = content; i < PageSize; i++) yield return start + i;
    }
}
