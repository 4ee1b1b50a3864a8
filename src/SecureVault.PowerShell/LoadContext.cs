using System.Reflection;
using System.Runtime.Loader;

namespace SecureVault.PowerShell;

/// <summary>
/// The module's own AssemblyLoadContext. The engine (SecureVault.Core) and its dependencies
/// (Microsoft.Data.Sqlite, SQLitePCLRaw, QRCoder) live in the module's bin/ folder and load
/// here, so another module that loaded a different version of one of them into the default
/// context cannot break us, nor we them. Native libraries (e_sqlite3) are resolved from bin/
/// through the engine's .deps.json, which PowerShell itself would not probe.
/// </summary>
internal sealed class LoadContext : AssemblyLoadContext
{
    private readonly string _dependencyFolder;
    private readonly AssemblyDependencyResolver _resolver;

    private LoadContext(string dependencyFolder) : base("SecureVault", isCollectible: false)
    {
        _dependencyFolder = dependencyFolder;
        _resolver = new AssemblyDependencyResolver(Path.Combine(dependencyFolder, EngineAssemblyName + ".dll"));
    }

    /// <summary>The engine assembly's simple name.</summary>
    public const string EngineAssemblyName = "SecureVault.Core";

    /// <summary>The one instance, over the bin/ folder beside this assembly.</summary>
    public static LoadContext Instance { get; } =
        new(Path.Combine(Path.GetDirectoryName(typeof(LoadContext).Assembly.Location)!, "bin"));

    /// <summary>Loads the engine into this context.</summary>
    public Assembly LoadEngine() => LoadFromAssemblyName(new AssemblyName(EngineAssemblyName));

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Only what ships in bin/ loads here; everything else (the runtime, PowerShell) comes from the default context.
        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        if (path is null)
        {
            var candidate = Path.Combine(_dependencyFolder, assemblyName.Name + ".dll");
            path = File.Exists(candidate) ? candidate : null;
        }
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
