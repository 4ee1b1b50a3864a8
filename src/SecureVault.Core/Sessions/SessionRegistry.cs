using System.Collections.Concurrent;

namespace SecureVault.Sessions;

/// <summary>
/// The process-wide table of unlocked vaults, keyed by full vault path. SecretManagement calls
/// extension commands from its own runspace, so sessions belong to the process, not the runspace.
/// A sweep every second zeroizes sessions that went idle; process exit zeroizes all of them.
/// </summary>
internal static class SessionRegistry
{
    private static readonly ConcurrentDictionary<string, VaultSession> Sessions = new(PathComparer);
    private static readonly Timer Sweeper = new(_ => Sweep(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    static SessionRegistry()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => CloseAll();
    }

    /// <summary>
    /// Raised with the vault path after a session timed out and was zeroized, so the vault's store
    /// can close its idle connections (and SQLite fold the WAL into the vault file).
    /// </summary>
    public static event Action<string>? Expired;

    private static StringComparer PathComparer => OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>The live session of a vault, or null when locked (an expired one is zeroized now).</summary>
    public static VaultSession? Find(string vaultPath)
    {
        GC.KeepAlive(Sweeper);
        if (!Sessions.TryGetValue(vaultPath, out var session)) return null;
        if (!session.IsExpired) return session;
        if (Close(vaultPath)) Expired?.Invoke(vaultPath);
        return null;
    }

    /// <summary>Installs a new session, zeroizing any previous one for the same vault.</summary>
    public static void Add(VaultSession session)
    {
        VaultSession? previous = null;
        Sessions.AddOrUpdate(session.VaultPath, session, (_, old) => { previous = old; return session; });
        if (previous != null && !ReferenceEquals(previous, session)) previous.Dispose();
    }

    /// <summary>Locks one vault now. Returns false when it was not unlocked.</summary>
    public static bool Close(string vaultPath)
    {
        if (!Sessions.TryRemove(vaultPath, out var session)) return false;
        session.Dispose();
        return true;
    }

    /// <summary>
    /// Takes a vault's session out of the registry without locking it, so that a test can open a
    /// second principal's session beside it, as a second process would, and put it back with Add.
    /// </summary>
    internal static VaultSession? Detach(string vaultPath) => Sessions.TryRemove(vaultPath, out var session) ? session : null;

    /// <summary>The paths of the vaults unlocked now.</summary>
    public static IReadOnlyList<string> OpenVaults => Sessions.Keys.ToList();

    /// <summary>Locks every vault. Returns how many were unlocked.</summary>
    public static int CloseAll()
    {
        int count = 0;
        foreach (var path in Sessions.Keys) if (Close(path)) count++;
        return count;
    }

    private static void Sweep()
    {
        foreach (var (path, session) in Sessions)
        {
            if (session.IsExpired && Sessions.TryRemove(new KeyValuePair<string, VaultSession>(path, session)))
            {
                session.Dispose();
                Expired?.Invoke(path);
            }
        }
    }
}
