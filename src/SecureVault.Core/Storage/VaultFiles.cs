namespace SecureVault.Storage;

/// <summary>
/// The files of an embedded vault on disk: the vault file and SQLite's -wal and -shm beside it.
/// Every file is created owner-only (0600) with that mode from the start; a vault file appears
/// at its name only complete (built under a private staging name in the same folder, then
/// renamed, which is atomic within one file system).
/// </summary>
internal static class VaultFiles
{
    private static readonly string[] JournalSuffixes = ["-wal", "-shm"];
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The error for a folder given where a vault file belongs.</summary>
    public static VaultInvalidInputException IsFolder(string path) =>
        new($"'{path}' is a folder, not a vault file. Give the path of a vault file, such as '{Path.Combine(path, VaultLocation.DefaultName + VaultLocation.Extension)}'.");

    /// <summary>
    /// Creates an empty private file beside <paramref name="path"/> under a name of its own, for a
    /// vault or a copy to be built in before it is renamed to <paramref name="path"/>.
    /// </summary>
    public static string CreateStaging(string path)
    {
        var staging = StagingName(path);
        CreatePrivate(staging);
        return staging;
    }

    /// <summary>A fresh name beside <paramref name="path"/> (same folder, so a rename to it is atomic).</summary>
    public static string StagingName(string path) => $"{path}.{Guid.NewGuid():N}.tmp";

    /// <summary>Creates the empty file <paramref name="path"/>, owner-only from the start; it must not exist.</summary>
    public static void CreatePrivate(string path)
    {
        try
        {
            using var _ = new FileStream(path, OwnerOnlyOptions(FileMode.CreateNew));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new VaultStorageException($"cannot create '{path}': access denied. Choose a folder you can write to.", e);
        }
        catch (IOException e)
        {
            throw new VaultStorageException($"cannot create '{path}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Renames a complete staging file to <paramref name="path"/>. Without <paramref name="replace"/>
    /// an existing vault there is never overwritten (an empty file, left by an interrupted create
    /// of an older version, holds nothing and is replaced).
    /// </summary>
    public static void Publish(string staging, string path, bool replace)
    {
        try
        {
            if (!replace && new FileInfo(path) is { Exists: true, Length: 0 }) File.Delete(path);
            File.Move(staging, path, overwrite: replace);
        }
        catch (IOException) when (!replace && File.Exists(path))
        {
            throw new VaultAlreadyExistsException(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VaultStorageException($"cannot put the file in place at '{path}': {e.Message}", e);
        }
    }

    /// <summary>Removes a staging file and any journal SQLite left beside it; a clean-up failure never hides the original one.</summary>
    public static void DeleteWithJournals(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            try
            {
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the operation already failed and that error is what the caller sees.
            }
        }
    }

    /// <summary>
    /// Before SQLite opens a vault: refuses a vault file its owner cannot write (every operation
    /// writes an audit record, so nothing could work), and in WAL mode creates the -wal and -shm
    /// files owner-only when they are missing. SQLite would give them the vault file's mode (and
    /// it also chmods an empty journal it opens to that mode, so each gets one zero byte, which
    /// SQLite reads as an empty log and an uninitialized index). Opened while the file was 0400,
    /// a vault would otherwise keep read-only journals, and every later command fail with
    /// "attempt to write a readonly database" even after the file's mode was put back.
    /// A file that is not in WAL mode (not a vault, or not one yet) gets nothing.
    /// </summary>
    public static void PrepareJournals(string path)
    {
        if (OperatingSystem.IsWindows() || !IsWalModeDatabase(path)) return;
        if ((File.GetUnixFileMode(path) & UnixFileMode.UserWrite) == 0) throw ReadOnlyVault(path);
        foreach (var suffix in JournalSuffixes)
        {
            var journal = path + suffix;
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    using var stream = new FileStream(journal, OwnerOnlyOptions(FileMode.CreateNew));
                    stream.WriteByte(0);
                    break;
                }
                catch (IOException) when (File.Exists(journal))
                {
                    break; // it exists already (another connection made it): SQLite uses it as it is
                }
                catch (IOException e) when (!File.Exists(journal))
                {
                    // Another process's last connection removed it between our create and the check: try again.
                    if (attempt < 3) continue;
                    throw new VaultStorageException($"cannot create '{journal}' beside the vault: {e.Message}", e);
                }
                catch (UnauthorizedAccessException)
                {
                    break; // the folder is not writable: SQLite reports what that means when it opens the vault
                }
            }
        }
    }

    /// <summary>The error for a vault file whose mode does not let its owner write it.</summary>
    public static VaultStorageException ReadOnlyVault(string path) =>
        new($"the vault file '{path}' is read-only (its mode has no owner write). Every operation writes an audit record, reads too, "
            + $"so nothing can work on it: make it writable by you again (chmod 600 '{path}') and try again.");

    /// <summary>Options that create a file readable and writable by its owner only (0600 on Unix).</summary>
    public static FileStreamOptions OwnerOnlyOptions(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        return options;
    }

    /// <summary>
    /// True when the file starts with SQLite's header and its format bytes (offsets 18 and 19) say
    /// WAL, read without opening it as a database (which must not happen to a file that is not ours).
    /// </summary>
    public static bool IsWalModeDatabase(string path)
    {
        Span<byte> header = stackalloc byte[20];
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length) return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // unreadable: SQLite's own open reports it
        }
        return header[..16].SequenceEqual("SQLite format 3\0"u8) && header[18] == 2 && header[19] == 2;
    }
}
