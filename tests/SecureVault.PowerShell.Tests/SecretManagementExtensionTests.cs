using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Security;
using Microsoft.PowerShell.SecretManagement;

namespace SecureVault.PowerShell.Tests;

/// <summary>
/// Calls the extension the way SecretManagement does: from a runspace of its own (not the one
/// that unlocked), as `& $module "SecureVault.Extension\&lt;Command&gt;" @Params` with the parameter
/// shapes of SecretManagement's contract and the registration's VaultParameters as AdditionalParameters.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class SecretManagementExtensionTests(ModuleFixture fixture)
{
    private const string RegisteredName = "Team";

    // SecretManagement's RunCommandScript, in substance.
    private const string RunCommandScript = """
        param([string] $ModuleName, [string] $ModulePath, [string] $ImplementingModuleName, [string] $Command, [hashtable] $Params)
        $module = Microsoft.PowerShell.Core\Get-Module -Name $ModuleName -ErrorAction Ignore
        if ($null -eq $module) { $module = Microsoft.PowerShell.Core\Import-Module -Name $ModulePath -PassThru }
        & $module "$ImplementingModuleName\$Command" @Params
        """;

    private static readonly string[] ContractCommands =
        ["Get-Secret", "Set-Secret", "Remove-Secret", "Get-SecretInfo", "Test-SecretVault", "Set-SecretInfo", "Unlock-SecretVault", "Unregister-SecretVault"];

    /// <summary>A runspace standing for SecretManagement's own: nothing imported up front.</summary>
    private sealed class SecretManagementHost : IDisposable
    {
        private readonly Runspace _runspace;
        private readonly string _modulePath;

        public SecretManagementHost(string modulePath)
        {
            _modulePath = modulePath;
            _runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            _runspace.Open();
        }

        public Hashtable VaultParameters { get; set; } = new();

        /// <summary>The warnings of the last call (SecretManagement passes them on with Write-Warning).</summary>
        public List<WarningRecord> LastWarnings { get; private set; } = [];

        public (List<PSObject> Output, List<ErrorRecord> Errors, Exception? Thrown) Call(string command, Hashtable parameters)
        {
            parameters["VaultName"] = RegisteredName;
            parameters["AdditionalParameters"] = new Hashtable(VaultParameters);
            // As SecretManagement's PowerShellInvoker does: a local-scope script with errors merged
            // into the output; only an exception that ends the script reaches the caller as thrown.
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = _runspace;
            var script = new Command(RunCommandScript, isScript: true, useLocalScope: true);
            script.MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
            script.MergeMyResults(PipelineResultTypes.Warning, PipelineResultTypes.Output);
            ps.Commands.AddCommand(script);
            foreach (var argument in new object[] { "SecureVault", _modulePath, "SecureVault.Extension", command, parameters })
                ps.Commands.AddArgument(argument);
            try
            {
                var results = ps.Invoke().Where(r => r?.BaseObject != null).ToList();
                LastWarnings = results.Select(r => r.BaseObject).OfType<WarningRecord>().ToList();
                return (results.Where(r => r.BaseObject is not (ErrorRecord or WarningRecord)).ToList(), results.Select(r => r.BaseObject).OfType<ErrorRecord>().ToList(), null);
            }
            catch (RuntimeException e)
            {
                return ([], [], e);
            }
        }

        public List<PSObject> Invoke(string command, Hashtable parameters)
        {
            var (output, errors, thrown) = Call(command, parameters);
            Assert.Null(thrown);
            Assert.Empty(errors.Select(e => e.FullyQualifiedErrorId));
            return output;
        }

        public void Dispose() => _runspace.Dispose();
    }

    private SecretManagementHost NewHost(HostedVault vault) =>
        new(fixture.ModuleManifest) { VaultParameters = new Hashtable { ["Vault"] = vault.VaultPath } };

    [Fact]
    public void The_nested_extension_module_exports_the_contract_commands_with_their_parameters()
    {
        using var vault = new HostedVault(fixture, create: false);
        var nested = Assert.Single(vault.Invoke("(Get-Module SecureVault).NestedModules | Where-Object Name -eq 'SecureVault.Extension'"));
        var exported = ((PSModuleInfo)nested.BaseObject).ExportedCommands;
        Assert.Equal(ContractCommands.Order(), exported.Keys.Order());
        var expected = new Dictionary<string, string[]>
        {
            ["Get-Secret"] = ["Name", "VaultName", "AdditionalParameters"],
            ["Set-Secret"] = ["Name", "Secret", "VaultName", "AdditionalParameters", "Metadata"],
            ["Remove-Secret"] = ["Name", "VaultName", "AdditionalParameters"],
            ["Get-SecretInfo"] = ["Filter", "VaultName", "AdditionalParameters"],
            ["Test-SecretVault"] = ["VaultName", "AdditionalParameters"],
            ["Set-SecretInfo"] = ["Name", "Metadata", "VaultName", "AdditionalParameters"],
            ["Unlock-SecretVault"] = ["Password", "VaultName", "AdditionalParameters"],
            ["Unregister-SecretVault"] = ["VaultName", "AdditionalParameters"],
        };
        var common = new HashSet<string>(Cmdlet.CommonParameters);
        foreach (var (command, parameters) in expected)
            Assert.Equal(parameters.Order(), exported[command].Parameters.Keys.Where(p => !common.Contains(p)).Order());
    }

    [Fact]
    public void Every_type_round_trips_through_Set_Secret_and_Get_Secret_in_another_runspace()
    {
        using var vault = new HostedVault(fixture); // unlocked in the user's runspace
        using var host = NewHost(vault);
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var credential = new PSCredential("svc", ModuleFixture.Secure("cred-pass"));
        var table = new Hashtable { ["text"] = "plain", ["bytes"] = new byte[] { 9 }, ["cred"] = credential };
        host.Invoke("Set-Secret", new Hashtable { ["Name"] = "s", ["Secret"] = "plain-text" });
        host.Invoke("Set-Secret", new Hashtable { ["Name"] = "ss", ["Secret"] = ModuleFixture.Secure("secure-text") });
        host.Invoke("Set-Secret", new Hashtable { ["Name"] = "b", ["Secret"] = bytes });
        host.Invoke("Set-Secret", new Hashtable { ["Name"] = "c", ["Secret"] = credential });
        host.Invoke("Set-Secret", new Hashtable { ["Name"] = "h", ["Secret"] = table });

        Assert.Equal("plain-text", Plain(Assert.Single(host.Invoke("Get-Secret", new Hashtable { ["Name"] = "s" })).BaseObject));
        Assert.Equal("secure-text", Plain(Assert.Single(host.Invoke("Get-Secret", new Hashtable { ["Name"] = "ss" })).BaseObject));
        Assert.Equal(bytes, Assert.IsType<byte[]>(Assert.Single(host.Invoke("Get-Secret", new Hashtable { ["Name"] = "b" })).BaseObject));
        var readCredential = Assert.IsType<PSCredential>(Assert.Single(host.Invoke("Get-Secret", new Hashtable { ["Name"] = "c" })).BaseObject);
        Assert.Equal("svc", readCredential.UserName);
        Assert.Equal("cred-pass", readCredential.GetNetworkCredential().Password);
        var readTable = Assert.IsType<Hashtable>(Assert.Single(host.Invoke("Get-Secret", new Hashtable { ["Name"] = "h" })).BaseObject);
        Assert.Equal("plain", Plain(readTable["text"]!));
        Assert.Equal(new byte[] { 9 }, readTable["bytes"]);
        Assert.Equal("cred-pass", ((PSCredential)readTable["cred"]!).GetNetworkCredential().Password);

        // The key is the same one the SecureVault cmdlets see, with its type as written.
        var types = vault.Invoke("Get-VaultKeyInfo -Vault $v | ForEach-Object { '{0}={1}' -f $_.Name, $_.Type }", ("v", vault.VaultPath))
            .Select(o => (string)o.BaseObject);
        Assert.Equal(["b=ByteArray", "c=Credential", "h=Hashtable", "s=String", "ss=SecureString"], types);
    }

    [Fact]
    public void Get_Secret_of_a_missing_key_writes_nothing_and_no_error()
    {
        using var vault = new HostedVault(fixture);
        using var host = NewHost(vault);
        Assert.Empty(host.Invoke("Get-Secret", new Hashtable { ["Name"] = "absent" }));
    }

    [Fact]
    public void A_locked_vault_throws_PasswordRequiredException_and_Unlock_SecretVault_unlocks_the_shared_session()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Set-VaultKey -Vault $v -Name k -Value 'v'; Lock-Vault -Vault $v", ("v", vault.VaultPath));
        using var host = NewHost(vault);
        var (_, _, thrown) = host.Call("Get-Secret", new Hashtable { ["Name"] = "k" });
        Assert.IsType<PasswordRequiredException>(Assert.IsAssignableFrom<RuntimeException>(thrown).InnerException);

        host.Invoke("Unlock-SecretVault", new Hashtable { ["Password"] = HostedVault.Password });
        // The session opened through SecretManagement serves the SecureVault cmdlets in the user's runspace.
        Assert.Equal("v", Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name k -AsPlainText", ("v", vault.VaultPath))).BaseObject);

        host.Invoke("Unregister-SecretVault", new Hashtable());
        Assert.True((bool)Assert.Single(vault.Invoke("Get-VaultStatus -Vault $v", ("v", vault.VaultPath))).Properties["IsLocked"].Value);
        Assert.True(File.Exists(vault.VaultPath));
    }

    [Fact]
    public void A_wrong_password_in_Unlock_SecretVault_is_AuthenticationFailed()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        using var host = NewHost(vault);
        var (_, errors, thrown) = host.Call("Unlock-SecretVault", new Hashtable { ["Password"] = ModuleFixture.Secure("wrong password!") });
        var ids = errors.Select(e => e.FullyQualifiedErrorId).Concat(thrown is RuntimeException r && r.ErrorRecord != null ? [r.ErrorRecord.FullyQualifiedErrorId] : []);
        Assert.Contains(ids, id => id.StartsWith("AuthenticationFailed,", StringComparison.Ordinal));
    }

    [Fact]
    public void Get_SecretInfo_returns_SecretInformation_with_types_and_mapped_metadata()
    {
        using var vault = new HostedVault(fixture);
        using var host = NewHost(vault);
        var expires = new DateTime(2027, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        host.Invoke("Set-Secret", new Hashtable
        {
            ["Name"] = "api/github", ["Secret"] = "tok",
            ["Metadata"] = new Hashtable { ["Description"] = "CI token", ["Service"] = "github", ["Tags"] = "ci, prod", ["Expires"] = expires, ["Rotations"] = 3 },
        });
        host.Invoke("Set-Secret", new Hashtable { ["Name"] = "api/gitlab", ["Secret"] = new byte[] { 1 } });
        host.Invoke("Set-Secret", new Hashtable { ["Name"] = "db/main", ["Secret"] = "pw" });

        var all = host.Invoke("Get-SecretInfo", new Hashtable { ["Filter"] = "api/*" }).Select(o => Assert.IsType<SecretInformation>(o.BaseObject)).ToList();
        Assert.Equal(["api/github", "api/gitlab"], all.Select(i => i.Name));
        Assert.Equal([SecretType.String, SecretType.ByteArray], all.Select(i => i.Type));
        Assert.All(all, i => Assert.Equal(RegisteredName, i.VaultName));
        var metadata = all[0].Metadata!;
        Assert.Equal("CI token", metadata["Description"]);
        Assert.Equal("github", metadata["Service"]);
        Assert.Equal("ci, prod", metadata["Tags"]);
        Assert.Equal(expires, metadata["Expires"]);
        Assert.Equal(3, metadata["Rotations"]);

        var exact = Assert.Single(host.Invoke("Get-SecretInfo", new Hashtable { ["Filter"] = "DB/MAIN" }));
        Assert.Equal("db/main", ((SecretInformation)exact.BaseObject).Name);
        Assert.Equal(3, host.Invoke("Get-SecretInfo", new Hashtable()).Count);

        // The same metadata, seen from the SecureVault cmdlets.
        var info = Assert.Single(vault.Invoke("Get-VaultKeyInfo -Vault $v -Name api/github", ("v", vault.VaultPath)));
        Assert.Equal(new[] { "ci", "prod" }, (string[])info.Properties["Tags"].Value);
        Assert.Equal("github", info.Properties["Service"].Value);
    }

    [Fact]
    public void Set_SecretInfo_replaces_metadata_without_a_new_version_and_Remove_Secret_removes()
    {
        using var vault = new HostedVault(fixture);
        using var host = NewHost(vault);
        host.Invoke("Set-Secret", new Hashtable { ["Name"] = "k", ["Secret"] = "v", ["Metadata"] = new Hashtable { ["Description"] = "old", ["Owner"] = "ops" } });
        host.Invoke("Set-SecretInfo", new Hashtable { ["Name"] = "k", ["Metadata"] = new Hashtable { ["Team"] = "blue" } });
        var info = (SecretInformation)Assert.Single(host.Invoke("Get-SecretInfo", new Hashtable { ["Filter"] = "k" })).BaseObject;
        Assert.Equal(["Team"], info.Metadata!.Keys);
        Assert.Equal("blue", info.Metadata["Team"]);
        Assert.Equal(1, Assert.Single(vault.Invoke("Get-VaultKeyInfo -Vault $v -Name k", ("v", vault.VaultPath))).Properties["Version"].Value);

        var (_, badErrors, _) = host.Call("Set-SecretInfo", new Hashtable { ["Name"] = "k", ["Metadata"] = new Hashtable { ["Nested"] = new Hashtable() } });
        Assert.Contains(badErrors, e => e.FullyQualifiedErrorId.StartsWith("InvalidInput,", StringComparison.Ordinal));

        host.Invoke("Remove-Secret", new Hashtable { ["Name"] = "k" });
        Assert.Empty(host.Invoke("Get-Secret", new Hashtable { ["Name"] = "k" }));
        var (_, errors, _) = host.Call("Remove-Secret", new Hashtable { ["Name"] = "k" });
        Assert.Contains(errors, e => e.FullyQualifiedErrorId.StartsWith("KeyNotFound,", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Password")]
    [InlineData("VaultPassword")]
    [InlineData("ApiToken")]
    [InlineData("Unknown")]
    public void Registration_parameters_that_look_secret_or_unknown_are_refused(string key)
    {
        using var vault = new HostedVault(fixture);
        using var host = NewHost(vault);
        host.VaultParameters[key] = "hunter2-hunter2";
        var (output, errors, _) = host.Call("Test-SecretVault", new Hashtable());
        Assert.False((bool)Assert.Single(output).BaseObject);
        var error = Assert.Single(errors);
        Assert.StartsWith("InvalidInput,", error.FullyQualifiedErrorId);
        Assert.DoesNotContain("hunter2", error.ToString());
        var (_, getErrors, _) = host.Call("Get-Secret", new Hashtable { ["Name"] = "x" });
        Assert.Contains(getErrors, e => e.FullyQualifiedErrorId.StartsWith("InvalidInput,", StringComparison.Ordinal));
    }

    [Fact]
    public void Test_SecretVault_is_true_for_a_healthy_vault_and_false_with_an_error_for_a_missing_one()
    {
        using var vault = new HostedVault(fixture);
        using var host = NewHost(vault);
        Assert.True((bool)Assert.Single(host.Invoke("Test-SecretVault", new Hashtable())).BaseObject);

        host.VaultParameters["Vault"] = fixture.NewVaultPath();
        var (output, errors, _) = host.Call("Test-SecretVault", new Hashtable());
        Assert.False((bool)Assert.Single(output).BaseObject);
        Assert.StartsWith("VaultNotFound,", Assert.Single(errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Test_SecretVault_is_false_for_a_locked_vault_with_a_VaultLocked_error_that_says_how_to_unlock()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        using var host = NewHost(vault);
        var (output, errors, thrown) = host.Call("Test-SecretVault", new Hashtable());
        Assert.Null(thrown);
        Assert.False((bool)Assert.Single(output).BaseObject);
        var error = Assert.Single(errors);
        Assert.StartsWith("VaultLocked,", error.FullyQualifiedErrorId);
        Assert.Contains($"Unlock-SecretVault -Name '{RegisteredName}'", error.ToString());
    }

    [Fact]
    public void Get_SecretInfo_of_one_name_in_a_locked_vault_warns_and_writes_nothing_so_SecretManagement_looks_elsewhere()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Set-VaultKey -Vault $v -Name k -Value 'v'; Lock-Vault -Vault $v", ("v", vault.VaultPath));
        using var host = NewHost(vault);
        var (output, errors, thrown) = host.Call("Get-SecretInfo", new Hashtable { ["Filter"] = "k" });
        Assert.Null(thrown);
        Assert.Empty(errors);
        Assert.Empty(output);
        var warning = Assert.Single(host.LastWarnings);
        Assert.Contains($"Unlock-SecretVault -Name '{RegisteredName}'", warning.Message);

        // A listing of a locked vault is still the PasswordRequiredException.
        var (_, _, listing) = host.Call("Get-SecretInfo", new Hashtable { ["Filter"] = "*" });
        Assert.IsType<PasswordRequiredException>(Assert.IsAssignableFrom<RuntimeException>(listing).InnerException);
    }

    [Fact]
    public void The_migration_pipeline_copies_every_secret_between_registered_vaults()
    {
        // A minimal SecretManagement front end (Get-SecretInfo, Get-Secret, Set-Secret with -Vault)
        // over two registrations, so the documented one-liner runs as users type it.
        using var old = new HostedVault(fixture);
        using var team = new HostedVault(fixture);
        old.Invoke("Set-VaultKey -Vault $v -Name a -Value 'A'; Set-VaultKey -Vault $v -Name b -Value ([byte[]](1,2))", ("v", old.VaultPath));
        var registry = new Hashtable { ["Old"] = new Hashtable { ["Vault"] = old.VaultPath }, ["Team"] = new Hashtable { ["Vault"] = team.VaultPath } };
        var result = old.Invoke("""
            $module = Get-Module SecureVault
            function Get-SecretInfo([string] $Vault) { & $module 'SecureVault.Extension\Get-SecretInfo' -VaultName $Vault -AdditionalParameters $registry[$Vault] }
            function Get-Secret([string] $Vault, [string] $Name) { & $module 'SecureVault.Extension\Get-Secret' -Name $Name -VaultName $Vault -AdditionalParameters $registry[$Vault] }
            function Set-Secret([string] $Vault, [string] $Name, $Secret) { & $module 'SecureVault.Extension\Set-Secret' -Name $Name -Secret $Secret -VaultName $Vault -AdditionalParameters $registry[$Vault] }
            Get-SecretInfo -Vault Old | ForEach-Object { Set-Secret -Vault Team -Name $_.Name -Secret (Get-Secret -Vault Old -Name $_.Name) }
            Get-VaultKeyInfo -Vault $t | ForEach-Object Name
            """, ("registry", registry), ("t", team.VaultPath));
        Assert.Equal(["a", "b"], result.Select(o => (string)o.BaseObject));
        Assert.Equal(new byte[] { 1, 2 }, Assert.Single(team.Invoke("Get-VaultKey -Vault $t -Name b", ("t", team.VaultPath))).BaseObject);
    }

    private static string Plain(object value) => new NetworkCredential("", Assert.IsType<SecureString>(value)).Password;

    [Fact]
    public void Registration_keys_are_read_without_regard_to_case()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Set-VaultKey -Vault $v -Name k -Value 'from the registered vault'", ("v", vault.VaultPath));
        using var host = new SecretManagementHost(fixture.ModuleManifest) { VaultParameters = new Hashtable { ["vault"] = vault.VaultPath } };
        Assert.Equal("from the registered vault", Plain(Assert.Single(host.Invoke("Get-Secret", new Hashtable { ["Name"] = "k" })).BaseObject));
    }

    [Fact]
    public void A_relative_vault_path_in_the_registration_is_refused()
    {
        using var vault = new HostedVault(fixture);
        using var host = new SecretManagementHost(fixture.ModuleManifest) { VaultParameters = new Hashtable { ["Vault"] = "vaults/team.vault" } };
        var (output, errors, _) = host.Call("Test-SecretVault", new Hashtable());
        Assert.False((bool)Assert.Single(output).BaseObject);
        Assert.StartsWith("InvalidInput,", Assert.Single(errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Unregister_SecretVault_never_fails_even_for_a_refused_registration()
    {
        using var vault = new HostedVault(fixture);
        using var host = NewHost(vault);
        host.VaultParameters["Password"] = "leaked-by-mistake";
        var (_, errors, thrown) = host.Call("Unregister-SecretVault", new Hashtable());
        Assert.Null(thrown);
        Assert.Empty(errors);
    }

    [Fact]
    public void Register_SecretVaults_own_check_imports_the_extension_folder_alone_and_finds_the_contract()
    {
        // Register-SecretVault imports <module folder>/<ModuleName>.Extension by itself (-Force -PassThru)
        // in a fresh runspace and checks ExportedCommands and their parameters.
        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        using var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = runspace;
        var extensionFolder = Path.Combine(Path.GetDirectoryName(fixture.ModuleManifest)!, "SecureVault.Extension");
        ps.AddScript("param($path) Microsoft.PowerShell.Core\\Import-Module -Name $path -Force -PassThru").AddArgument(extensionFolder);
        var module = (PSModuleInfo)Assert.Single(ps.Invoke()).BaseObject;
        Assert.Empty(ps.Streams.Error);
        Assert.Equal(ContractCommands.Order(), module.ExportedCommands.Keys.Order());
        Assert.True(module.ExportedCommands["Set-Secret"].Parameters.ContainsKey("Metadata")); // SetSecretSupportsMetadata
    }
}
