using System.Runtime.CompilerServices;
using SecureVault.Storage;

namespace SecureVault.Tests;

/// <summary>
/// Points SECUREVAULT_HOME at a temporary folder before any test runs, so what the engine keeps
/// per user profile (the audit heads it has seen) never lands in the real profile.
/// </summary>
internal static class TestProfile
{
    [ModuleInitializer]
    internal static void UseTemporaryHome()
    {
        var home = Directory.CreateTempSubdirectory("securevault-profile-").FullName;
        Environment.SetEnvironmentVariable(VaultLocation.HomeVariable, home);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(home, recursive: true); } catch (IOException) { /* a temp folder; the OS cleans it */ }
        };
    }
}
