using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace SecureVault.PowerShell;

/// <summary>
/// Runs when PowerShell imports the module: routes every request for the engine assembly from
/// the default load context to the module's <see cref="LoadContext"/>.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    private static int _registered;

    /// <summary>Called by PowerShell on Import-Module.</summary>
    public void OnImport() => EnsureRegistered();

    /// <summary>Registers the resolver once per process (the extension module and the cmdlets share it).</summary>
    internal static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0) AssemblyLoadContext.Default.Resolving += ResolveEngine;
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name) =>
        string.Equals(name.Name, LoadContext.EngineAssemblyName, StringComparison.Ordinal)
            ? LoadContext.Instance.LoadEngine()
            : null;
}
