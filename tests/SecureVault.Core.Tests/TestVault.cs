using System.Text;
using SecureVault.Crypto;

namespace SecureVault.Tests;

/// <summary>
/// A vault in its own temporary folder with cheap KDF parameters (1 MiB, t=1, p=1), created
/// unlocked. Disposing locks it and deletes the folder.
/// </summary>
public sealed class TestVault : IDisposable
{
    public static readonly KdfParameters CheapKdf = new(1024, 1, 1);
    public static readonly byte[] Password = Encoding.UTF8.GetBytes("correct horse battery staple");

    public TestVault(Sessions.IClock? clock = null, bool create = true)
    {
        Folder = Directory.CreateTempSubdirectory("securevault-test-").FullName;
        Path = System.IO.Path.Combine(Folder, "test.vault");
        Engine = VaultEngine.Open(Path, clock);
        if (create) Engine.Create(Password, "owner", CheapKdf);
    }

    public string Folder { get; }
    public string Path { get; }
    public VaultEngine Engine { get; }

    /// <summary>Locks the vault and closes the pooled connections, so the file can be changed underneath.</summary>
    public void Release()
    {
        Engine.Lock();
        VaultEngine.ForgetStore(Path);
    }

    public void Dispose()
    {
        Release();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
