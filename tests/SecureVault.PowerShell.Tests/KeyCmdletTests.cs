using System.Collections;
using System.Management.Automation;
using System.Net;
using System.Security;

namespace SecureVault.PowerShell.Tests;

[Collection(ModuleCollection.Name)]
public sealed class KeyCmdletTests(ModuleFixture fixture)
{
    [Fact]
    public void A_string_comes_back_as_SecureString_by_default_and_as_string_with_AsPlainText()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Set-VaultKey -Vault $v -Name api -Value 'tok-123'", ("v", vault.VaultPath));
        var secure = Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name api", ("v", vault.VaultPath)));
        Assert.Equal("tok-123", new NetworkCredential("", (SecureString)secure.BaseObject).Password);
        var explicitSecure = Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name API -AsSecureString", ("v", vault.VaultPath)));
        Assert.IsType<SecureString>(explicitSecure.BaseObject);
        Assert.Equal("tok-123", Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name api -AsPlainText", ("v", vault.VaultPath))).BaseObject);
        var both = vault.Run("Get-VaultKey -Vault $v -Name api -AsPlainText -AsSecureString", ("v", vault.VaultPath));
        Assert.Contains(both.ErrorIds, id => id.StartsWith("InvalidInput,", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_supported_type_round_trips_through_the_cmdlets()
    {
        using var vault = new HostedVault(fixture);
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var credential = new PSCredential("svc-user", ModuleFixture.Secure("cred-pass"));
        var table = new Hashtable { ["text"] = "plain", ["secure"] = ModuleFixture.Secure("inner"), ["bytes"] = new byte[] { 1, 2, 3 }, ["cred"] = credential };
        vault.Invoke("""
            Set-VaultKey -Vault $v -Name bytes -Value $b
            Set-VaultKey -Vault $v -Name secure -Value $s
            Set-VaultKey -Vault $v -Name cred -Value $c
            Set-VaultKey -Vault $v -Name table -Value $t
            """, ("v", vault.VaultPath), ("b", bytes), ("s", ModuleFixture.Secure("s3cret")), ("c", credential), ("t", table));

        var readBytes = Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name bytes", ("v", vault.VaultPath)));
        Assert.Equal(bytes, Assert.IsType<byte[]>(readBytes.BaseObject));
        var readSecure = Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name secure", ("v", vault.VaultPath)));
        Assert.Equal("s3cret", new NetworkCredential("", (SecureString)readSecure.BaseObject).Password);
        var readCred = Assert.IsType<PSCredential>(Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name cred", ("v", vault.VaultPath))).BaseObject);
        Assert.Equal("svc-user", readCred.UserName);
        Assert.Equal("cred-pass", readCred.GetNetworkCredential().Password);
        var readTable = Assert.IsType<Hashtable>(Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name table -AsPlainText", ("v", vault.VaultPath))).BaseObject);
        Assert.Equal("plain", readTable["text"]);
        Assert.Equal("inner", readTable["secure"]);
        Assert.Equal(new byte[] { 1, 2, 3 }, readTable["bytes"]);
        Assert.Equal("cred-pass", ((PSCredential)readTable["cred"]!).GetNetworkCredential().Password);

        var types = vault.Invoke("Get-VaultKeyInfo -Vault $v | ForEach-Object { '{0}={1}' -f $_.Name, $_.Type }", ("v", vault.VaultPath))
            .Select(o => (string)o.BaseObject).ToArray();
        Assert.Equal(["bytes=ByteArray", "cred=Credential", "secure=SecureString", "table=Hashtable"], types);
    }

    [Fact]
    public void Versions_are_kept_and_readable_and_PassThru_returns_the_key_info()
    {
        using var vault = new HostedVault(fixture);
        var infos = vault.Invoke("1..3 | ForEach-Object { Set-VaultKey -Vault $v -Name rotating -Value \"v$_\" -Tag t1 -Service svc -Description d -PassThru }",
            ("v", vault.VaultPath));
        Assert.Equal(3, infos.Count);
        var last = infos[^1];
        Assert.Equal("SecureVault.VaultKeyInfo", last.BaseObject.GetType().FullName);
        Assert.Equal(3, last.Properties["Version"].Value);
        Assert.Equal(new[] { 1, 2, 3 }, (int[])last.Properties["Versions"].Value);
        Assert.Equal("svc", last.Properties["Service"].Value);
        Assert.Equal("v2", Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name rotating -Version 2 -AsPlainText", ("v", vault.VaultPath))).BaseObject);
        var missing = vault.Run("Get-VaultKey -Vault $v -Name rotating -Version 9", ("v", vault.VaultPath));
        Assert.Contains(missing.ErrorIds, id => id.StartsWith("KeyVersionNotFound,", StringComparison.Ordinal));
    }

    [Fact]
    public void Set_VaultKey_takes_pipeline_input_by_property_name()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("""
            @(
                [pscustomobject]@{ Name = 'db/one'; Value = 'p1'; Tag = @('db'); Service = 'postgres' }
                [pscustomobject]@{ Name = 'db/two'; Value = 'p2'; Tag = @('db'); Service = 'postgres' }
                [pscustomobject]@{ Name = 'web/one'; Value = 'p3'; Service = 'nginx' }
            ) | Set-VaultKey -Vault $v
            """, ("v", vault.VaultPath));
        var names = vault.Invoke("Get-VaultKeyInfo -Vault $v -Tag db | ForEach-Object Name", ("v", vault.VaultPath)).Select(o => (string)o.BaseObject);
        Assert.Equal(["db/one", "db/two"], names);
        var byService = vault.Invoke("Get-VaultKeyInfo -Vault $v -Service ngi* | ForEach-Object Name", ("v", vault.VaultPath)).Select(o => (string)o.BaseObject);
        Assert.Equal(["web/one"], byService);
        var wildcard = vault.Invoke("Get-VaultKeyInfo -Vault $v -Name '*one' | ForEach-Object Name", ("v", vault.VaultPath)).Select(o => (string)o.BaseObject);
        Assert.Equal(["db/one", "web/one"], wildcard);
        var values = vault.Invoke("'db/one', 'web/one' | ForEach-Object { [pscustomobject]@{ Name = $_ } } | Get-VaultKey -Vault $v -AsPlainText",
            ("v", vault.VaultPath)).Select(o => (string)o.BaseObject);
        Assert.Equal(["p1", "p3"], values);
    }

    [Fact]
    public void A_missing_key_in_a_pipeline_is_a_KeyNotFound_error_and_the_other_items_go_on()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Set-VaultKey -Vault $v -Name a -Value 'A'; Set-VaultKey -Vault $v -Name b -Value 'B'", ("v", vault.VaultPath));
        var result = vault.Run("'a', 'missing', 'b' | ForEach-Object { [pscustomobject]@{ Name = $_ } } | Get-VaultKey -Vault $v -AsPlainText",
            ("v", vault.VaultPath));
        Assert.Equal(["A", "B"], result.Output.Select(o => (string)o.BaseObject));
        var error = Assert.Single(result.Errors);
        Assert.Equal("KeyNotFound,SecureVault.PowerShell.Commands.GetVaultKeyCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("missing", error.TargetObject);
        var info = vault.Run("Get-VaultKeyInfo -Vault $v -Name missing", ("v", vault.VaultPath));
        Assert.Contains(info.ErrorIds, id => id.StartsWith("KeyNotFound,", StringComparison.Ordinal));
        Assert.Empty(vault.Invoke("Get-VaultKeyInfo -Vault $v -Name 'miss*'", ("v", vault.VaultPath)));
    }

    [Fact]
    public void Remove_VaultKey_honours_WhatIf_and_removes_from_the_pipeline()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("'tmp/1', 'tmp/2', 'keep' | ForEach-Object { Set-VaultKey -Vault $v -Name $_ -Value 'x' }", ("v", vault.VaultPath));
        vault.Invoke("Remove-VaultKey -Vault $v -Name keep -WhatIf", ("v", vault.VaultPath));
        Assert.Single(vault.Invoke("Get-VaultKeyInfo -Vault $v -Name keep", ("v", vault.VaultPath)));

        var removed = vault.Invoke("Get-VaultKeyInfo -Vault $v -Name 'tmp/*' | Remove-VaultKey -Confirm:$false -PassThru", ("v", vault.VaultPath));
        Assert.Equal(2, removed.Count);
        Assert.Equal(["keep"], vault.Invoke("Get-VaultKeyInfo -Vault $v | ForEach-Object Name", ("v", vault.VaultPath)).Select(o => (string)o.BaseObject));
        var again = vault.Run("Remove-VaultKey -Vault $v -Name tmp/1 -Confirm:$false", ("v", vault.VaultPath));
        Assert.Contains(again.ErrorIds, id => id.StartsWith("KeyNotFound,", StringComparison.Ordinal));
        var whatIfMissing = vault.Run("Remove-VaultKey -Vault $v -Name tmp/1 -WhatIf", ("v", vault.VaultPath));
        Assert.Contains(whatIfMissing.ErrorIds, id => id.StartsWith("KeyNotFound,", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Set-VaultKey -Vault $v -Name \"bad`nname\" -Value 'x'")]
    [InlineData("Set-VaultKey -Vault $v -Name ok -Value 42")]
    [InlineData("Set-VaultKey -Vault $v -Name ok -Value ([byte[]]::new(1MB + 1))")]
    [InlineData("Set-VaultKey -Vault $v -Name ('n' * 257) -Value 'x'")]
    public void Invalid_input_is_refused_with_InvalidInput_and_changes_nothing(string script)
    {
        using var vault = new HostedVault(fixture);
        var result = vault.Run(script, ("v", vault.VaultPath));
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("InvalidInput,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Empty(vault.Invoke("Get-VaultKeyInfo -Vault $v", ("v", vault.VaultPath)));
    }

    [Fact]
    public void No_error_text_ever_contains_the_secret()
    {
        using var vault = new HostedVault(fixture);
        const string secret = "S3CRET-VALUE-never-echoed";
        var scripts = new[]
        {
            "Set-VaultKey -Vault $v -Name \"bad`tname\" -Value $s",
            "Set-VaultKey -Vault $v -Name ok -Value @{ nested = @{ inner = $s } }",
            "Set-VaultKey -Vault $v -Name ok2 -Value $s; Lock-Vault -Vault $v; Get-VaultKey -Vault $v -Name ok2",
            "Unlock-Vault -Vault $v -Password (ConvertTo-SecureString $s -AsPlainText -Force)",
        };
        var texts = new List<string>();
        foreach (var script in scripts)
        {
            var result = vault.Run(script, ("v", vault.VaultPath), ("s", secret));
            var errors = result.Errors.Concat(result.Terminating is null ? [] : [result.Terminating]).ToList();
            Assert.NotEmpty(errors);
            texts.AddRange(errors.SelectMany(e => new[] { e.ToString(), e.Exception.ToString(), e.TargetObject?.ToString() ?? "" }));
        }
        Assert.All(texts, text => Assert.DoesNotContain(secret, text));
    }

    [Fact]
    public void Key_names_complete_from_the_unlocked_vault()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("'api/github', 'api/gitlab', 'db/main', 'with space' | ForEach-Object { Set-VaultKey -Vault $v -Name $_ -Value 'x' }",
            ("v", vault.VaultPath));
        var input = $"Get-VaultKey -Vault '{vault.VaultPath}' -Name api/";
        using var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = vault.Runspace;
        var completion = CommandCompletion.CompleteInput(input, input.Length, null, ps);
        Assert.Equal(["api/github", "api/gitlab"], completion.CompletionMatches.Select(c => c.CompletionText));

        var spaced = $"Get-VaultKey -Vault '{vault.VaultPath}' -Name with";
        var quoted = CommandCompletion.CompleteInput(spaced, spaced.Length, null, ps);
        Assert.Equal(["'with space'"], quoted.CompletionMatches.Select(c => c.CompletionText));
    }
}
