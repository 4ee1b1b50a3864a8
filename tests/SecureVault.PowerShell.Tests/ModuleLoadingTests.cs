using System.Management.Automation;
using System.Runtime.Loader;

namespace SecureVault.PowerShell.Tests;

[Collection(ModuleCollection.Name)]
public sealed class ModuleLoadingTests(ModuleFixture fixture)
{
    private static readonly string[] ExpectedCmdlets =
    [
        "Add-VaultKeyslot", "Add-VaultRotationExemption", "Backup-Vault", "Disable-VaultMfa", "Enable-VaultMfa", "Export-VaultAuditHead", "Export-VaultAuditLog",
        "Get-VaultAccess", "Get-VaultAlert", "Get-VaultAuditLog", "Get-VaultAuditPolicy", "Get-VaultKey", "Get-VaultKeyHistory", "Get-VaultKeyInfo",
        "Get-VaultLockoutPolicy", "Get-VaultPrincipal", "Get-VaultRole", "Get-VaultRotationExemption", "Get-VaultRotationPolicy",
        "Get-VaultRotationStatus", "Get-VaultStatus", "Grant-VaultAccess", "Import-VaultSecret", "Invoke-VaultRotation", "Lock-Vault", "New-Vault",
        "New-VaultPrincipal", "Remove-VaultAuditRecord", "Remove-VaultKey", "Remove-VaultKeyslot", "Remove-VaultPrincipal",
        "Remove-VaultRotationExemption", "Restore-Vault", "Restore-VaultKey", "Revoke-VaultAccess", "Set-VaultAuditPolicy", "Set-VaultKey", "Set-VaultLockoutPolicy",
        "Set-VaultPassword", "Set-VaultPrincipal", "Set-VaultRotationPolicy", "Test-Vault", "Test-VaultAuditChain", "Unlock-Vault", "Unlock-VaultPrincipal",
        "Update-VaultEncryptionKey", "Update-VaultKey",
    ];

    [Fact]
    public void The_assembled_module_exports_exactly_the_vault_cmdlets()
    {
        using var vault = new HostedVault(fixture, create: false);
        var names = vault.Invoke("(Get-Module SecureVault).ExportedCommands.Keys").Select(o => (string)o.BaseObject).Order().ToArray();
        Assert.Equal(ExpectedCmdlets, names);
    }

    [Fact]
    public void The_root_module_never_exports_SecretManagement_commands()
    {
        using var vault = new HostedVault(fixture, create: false);
        var found = vault.Invoke("Get-Command -Module SecureVault -Name Get-Secret, Set-Secret, Remove-Secret, Get-SecretInfo -ErrorAction SilentlyContinue");
        Assert.Empty(found);
    }

    [Fact]
    public void The_assembled_manifest_passes_Test_ModuleManifest_with_the_stamped_version()
    {
        using var vault = new HostedVault(fixture, create: false);
        var manifest = Assert.Single(vault.Invoke("Test-ModuleManifest -Path $m", ("m", fixture.ModuleManifest)));
        var props = File.ReadAllText(Path.Combine(fixture.RepositoryRoot, "Directory.Build.props"));
        var version = props.Split("<VersionPrefix>")[1].Split("</VersionPrefix>")[0];
        Assert.Equal(new Version(version), (Version)manifest.Properties["Version"].Value);
    }

    [Fact]
    public void The_module_folder_does_not_ship_System_Management_Automation()
    {
        var moduleFolder = Path.GetDirectoryName(fixture.ModuleManifest)!;
        Assert.Empty(Directory.GetFiles(moduleFolder, "System.Management.Automation.dll", SearchOption.AllDirectories));
    }

    [Fact]
    public void The_module_works_with_another_Microsoft_Data_Sqlite_loaded_first_in_the_default_context()
    {
        // The fixture loaded and used the host's own Microsoft.Data.Sqlite before importing the module.
        using var vault = new HostedVault(fixture);
        vault.Invoke("Set-VaultKey -Vault $v -Name isolation -Value 'works'", ("v", vault.VaultPath));
        var value = Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name isolation -AsPlainText", ("v", vault.VaultPath)));
        Assert.Equal("works", value.BaseObject);

        var engineContext = AssemblyLoadContext.All.Single(c => c.Name == "SecureVault");
        var moduleSqlite = engineContext.Assemblies.Single(a => a.GetName().Name == "Microsoft.Data.Sqlite").GetName().Version!;
        var defaultSqlite = AssemblyLoadContext.Default.Assemblies.Single(a => a.GetName().Name == "Microsoft.Data.Sqlite").GetName().Version!;
        Assert.Equal(fixture.HostSqliteVersion, defaultSqlite);
        Assert.NotEqual(defaultSqlite.Major, moduleSqlite.Major);
        Assert.Contains(engineContext.Assemblies, a => a.GetName().Name == "SecureVault.Core");
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name == "SecureVault.Core");
        // And the host's own SQLite still works after the module ran.
        Assert.Equal(fixture.HostSqliteVersion, SqliteInDefaultContext.LoadAndUse());
    }

    [Fact]
    public void Every_Pester_test_and_build_script_parses_without_errors()
    {
        var files = Directory.GetFiles(Path.Combine(fixture.RepositoryRoot, "tests", "Pester"), "*.ps1", SearchOption.AllDirectories)
            .Append(Path.Combine(fixture.RepositoryRoot, "build.ps1"))
            .ToList();
        Assert.Contains(files, f => f.EndsWith(".Tests.ps1", StringComparison.Ordinal));
        var problems = new List<string>();
        foreach (var file in files)
        {
            System.Management.Automation.Language.Parser.ParseFile(file, out _, out var errors);
            problems.AddRange(errors.Select(e => $"{Path.GetFileName(file)}:{e.Extent.StartLineNumber}: {e.Message}"));
        }
        Assert.Empty(problems);
    }
}
