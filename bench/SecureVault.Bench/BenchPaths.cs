namespace SecureVault.Bench;

/// <summary>
/// Where the harness reads and writes: everything goes under &lt;repo&gt;/out/bench (git-ignored).
/// The repository root is the nearest folder above the working directory or the binary that
/// holds SecureVault.slnx.
/// </summary>
public sealed class BenchPaths
{
    private BenchPaths(string repoRoot)
    {
        RepoRoot = repoRoot;
        BenchFolder = Path.Combine(repoRoot, "out", "bench");
        CacheFolder = Path.Combine(BenchFolder, "vaults");
        WorkFolder = Path.Combine(BenchFolder, "work");
        HomeFolder = Path.Combine(BenchFolder, "home");
        ModuleManifest = Path.Combine(repoRoot, "out", "SecureVault", "SecureVault.psd1");
    }

    public string RepoRoot { get; }

    /// <summary>out/bench: results and everything the harness creates.</summary>
    public string BenchFolder { get; }

    /// <summary>Populated vaults kept between runs, one per size.</summary>
    public string CacheFolder { get; }

    /// <summary>Scratch copies that a run writes to (the cache stays as populated).</summary>
    public string WorkFolder { get; }

    /// <summary>SECUREVAULT_HOME for this process, so no default lookup can reach the user's real vault.</summary>
    public string HomeFolder { get; }

    /// <summary>The built module (./build.sh assembles it).</summary>
    public string ModuleManifest { get; }

    public string DefaultResults => Path.Combine(BenchFolder, "results.json");

    public static BenchPaths Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SecureVault.slnx"))) return new BenchPaths(dir.FullName);
            }
        }
        throw new InvalidOperationException("Cannot find the repository root (a folder holding SecureVault.slnx); run from inside the repository.");
    }

    /// <summary>Creates the folders with owner-only access (vault files are created 0600 by the store itself).</summary>
    public void Prepare()
    {
        foreach (var folder in new[] { BenchFolder, CacheFolder, WorkFolder, HomeFolder })
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
            else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Deletes a vault file with its -wal and -shm companions, when present.</summary>
    public static void DeleteVault(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            if (File.Exists(file)) File.Delete(file);
        }
    }

    /// <summary>Deletes a scratch vault when it can; on Windows a file the engine still holds open stays for the next run to replace.</summary>
    public static void TryDeleteVault(string path)
    {
        try { DeleteVault(path); }
        catch (IOException) { /* still open (Windows): the next run replaces it */ }
        catch (UnauthorizedAccessException) { /* same, reported as access denied */ }
    }

    /// <summary>Size on disk of a vault file plus its -wal (the -shm is an index rebuilt on open).</summary>
    public static long VaultBytes(string path) =>
        new[] { path, path + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
}
