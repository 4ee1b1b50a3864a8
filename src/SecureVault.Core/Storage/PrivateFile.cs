namespace SecureVault.Storage;

/// <summary>
/// Writes files that only their owner may read or write (mode 0600 on Unix), created with that
/// mode rather than chmod-ed afterwards. An audit export names principals and keys, an anchor is
/// evidence: neither may be readable or replaceable by other users, not even for a moment.
/// </summary>
public static class PrivateFile
{
    /// <summary>
    /// Creates <paramref name="path"/> and lets <paramref name="write"/> fill it. An existing file is
    /// refused (InvalidInput) unless <paramref name="overwrite"/>, and then replaced only once the new
    /// content is complete. A file this call created and could not complete is removed.
    /// </summary>
    public static void Write(string path, bool overwrite, Action<Stream> write)
    {
        // Opening an existing file with FileMode.Create would keep its old mode, perhaps readable by
        // others; so an overwrite writes a new private file beside it and moves that over the old one.
        var target = overwrite ? $"{path}.{Guid.NewGuid():N}.tmp" : path;
        FileStream stream;
        try
        {
            stream = new FileStream(target, Options());
        }
        catch (IOException) when (!overwrite && File.Exists(path))
        {
            throw new VaultInvalidInputException($"'{path}' already exists. Choose another -Path, or add -Force to replace it.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VaultStorageException($"cannot create '{path}': {e.Message}", e);
        }
        bool complete = false;
        try
        {
            using (stream) write(stream);
            if (overwrite) File.Move(target, path, overwrite: true);
            complete = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VaultStorageException($"cannot write '{path}': {e.Message}", e);
        }
        finally
        {
            if (!complete) Remove(target);
        }
    }

    /// <summary>Creates a folder (and its parents) readable by its owner only, if it does not exist.</summary>
    public static void CreateFolder(string folder)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static FileStreamOptions Options() => VaultFiles.OwnerOnlyOptions(FileMode.CreateNew);

    private static void Remove(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original failure is what the user must see: a failed clean-up must not hide it.
        }
    }
}
