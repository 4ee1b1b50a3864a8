using System.Text;
using SecureVault.Crypto;
using SecureVault.Sessions;

namespace SecureVault.Tests;

/// <summary>
/// A vault in its own temporary folder with cheap KDF parameters (1 MiB, t=1, p=1), created
/// unlocked. Disposing locks it and deletes the folder.
/// </summary>
public sealed class TestVault : IDisposable
{
    public static readonly KdfParameters CheapKdf = new(1024, 1, 1);
    public static readonly byte[] Password = Encoding.UTF8.GetBytes("correct horse battery staple");
    public static readonly byte[] WrongPassword = Encoding.UTF8.GetBytes("incorrect horse battery staple");

    private readonly IClock? _clock;

    public TestVault(IClock? clock = null, bool create = true, TimeSpan? idleTimeout = null)
    {
        _clock = clock;
        Folder = Directory.CreateTempSubdirectory("securevault-test-").FullName;
        Path = System.IO.Path.Combine(Folder, "test.vault");
        Engine = VaultEngine.Open(Path, clock);
        if (!create) return;
        try
        {
            Engine.Create(Password, "owner", CheapKdf, idleTimeout);
        }
        catch
        {
            Dispose(); // no caller will: the constructor failed
            throw;
        }
    }

    public string Folder { get; }
    public string Path { get; }

    /// <summary>The engine over this vault; <see cref="Reopen"/> and <see cref="Modify"/> replace it.</summary>
    public VaultEngine Engine { get; private set; }

    /// <summary>Locks the vault and closes the pooled connections, so the file can be changed underneath.</summary>
    public void Release()
    {
        Engine.Lock();
        VaultEngine.ForgetStore(Path);
    }

    /// <summary>Closes the vault and opens the file again, as a new process would: the new engine starts locked.</summary>
    public VaultEngine Reopen()
    {
        Release();
        Engine = VaultEngine.Open(Path, _clock);
        return Engine;
    }

    /// <summary>
    /// Changes the file behind the engine's back (as an attacker or a crash would), then opens it
    /// again. Returns the new, locked engine.
    /// </summary>
    public VaultEngine Modify(Action<RawVaultFile> change)
    {
        Release();
        using (var file = new RawVaultFile(Path)) change(file);
        return Reopen();
    }

    public void Dispose()
    {
        Release();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
