using System.Management.Automation;

namespace SecureVault.PowerShell.Tests;

/// <summary>
/// The rotation cmdlets end to end through the built module: policies (default and per key, days
/// or TimeSpans), exemptions, status, the read-time enforcement (warnings, KeyExpired, retired
/// versions, also through the SecretManagement extension), rotating one key or a run of keys with a
/// script block, history and restore, the vault rekey, and who may do what. Short policies in
/// seconds stand in for days; one test sleeps once (2.5 s) to let keys become Blocked.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class RotationCmdletTests(ModuleFixture fixture)
{
    private const string Commands = "SecureVault.PowerShell.Commands.";
    private const string Rotation = "SecureVault.Rotation.";
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public void The_default_policy_and_key_policies_are_read_and_set_in_days_or_TimeSpans_and_Inherit_drops_a_keys_own_values()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("'app/one', 'app/two', 'db/main' | ForEach-Object { Set-VaultKey -Vault $v -Name $_ -Value 'x' }", v);

        var builtIn = Assert.Single(vault.Invoke("Get-VaultRotationPolicy -Vault $v", v));
        Assert.Equal(Rotation + "VaultRotationPolicyInfo", builtIn.BaseObject.GetType().FullName);
        AssertPolicy(builtIn, "(default)", 90 * Day, 14 * Day, 7 * Day, 10, []);
        Assert.Equal(vault.VaultPath, builtIn.Properties["Vault"].Value);

        // A bare number is days (not ticks), a fraction too; a string and a TimeSpan are TimeSpans.
        var changed = Assert.Single(vault.Invoke("Set-VaultRotationPolicy -Vault $v -Default -MaxAge 30 -Warning 0.5 -Grace '1.12:00:00' -VersionsKept 5 -PassThru", v));
        AssertPolicy(changed, "(default)", 30 * Day, TimeSpan.FromHours(12), TimeSpan.FromHours(36), 5, []);
        vault.Invoke("Set-VaultRotationPolicy -Vault $v -Default -Grace ([timespan]::FromSeconds(30))", v);
        Assert.Equal(TimeSpan.FromSeconds(30), Assert.Single(vault.Invoke("(Get-VaultRotationPolicy -Vault $v).Grace", v)).BaseObject);
        vault.Invoke("Set-VaultRotationPolicy -Vault $v -Default -Grace '2'", v);
        Assert.Equal(2 * Day, Assert.Single(vault.Invoke("(Get-VaultRotationPolicy -Vault $v).Grace", v)).BaseObject);

        // A wildcard sets the keys' own values; the rest keeps following the default.
        var keys = vault.Invoke("Set-VaultRotationPolicy -Vault $v -Name 'APP/*' -MaxAge 10 -PassThru", v);
        Assert.Equal(["app/one", "app/two"], keys.Select(k => (string)k.Properties["Scope"].Value));
        Assert.All(keys, k => AssertPolicy(k, (string)k.Properties["Scope"].Value, 10 * Day, TimeSpan.FromHours(12), 2 * Day, 5, ["MaxAge"]));
        AssertPolicy(Assert.Single(vault.Invoke("Get-VaultRotationPolicy -Vault $v -Name db/main", v)), "db/main", 30 * Day, TimeSpan.FromHours(12), 2 * Day, 5, []);

        // A later change of the default reaches only the values a key does not set itself.
        vault.Invoke("Set-VaultRotationPolicy -Vault $v -Default -MaxAge 40 -Warning 3", v);
        var all = vault.Invoke("Get-VaultRotationPolicy -Vault $v -Name '*'", v);
        Assert.Equal(["app/one", "app/two", "db/main"], all.Select(k => (string)k.Properties["Scope"].Value));
        Assert.Equal([10 * Day, 10 * Day, 40 * Day], all.Select(k => (TimeSpan)k.Properties["MaxAge"].Value));
        Assert.All(all, k => Assert.Equal(3 * Day, k.Properties["Warning"].Value));

        // -Inherit drops the key's own values; values given with it become its own.
        AssertPolicy(Assert.Single(vault.Invoke("Set-VaultRotationPolicy -Vault $v -Name app/one -Inherit -PassThru", v)), "app/one", 40 * Day, 3 * Day, 2 * Day, 5, []);
        AssertPolicy(Assert.Single(vault.Invoke("Set-VaultRotationPolicy -Vault $v -Name app/two -Inherit -Grace 1 -PassThru", v)), "app/two", 40 * Day, 3 * Day, Day, 5, ["Grace"]);

        // -WhatIf changes nothing and writes nothing.
        Assert.Empty(vault.Invoke("Set-VaultRotationPolicy -Vault $v -Default -MaxAge 1 -PassThru -WhatIf", v));
        Assert.Equal(40 * Day, Assert.Single(vault.Invoke("(Get-VaultRotationPolicy -Vault $v).MaxAge", v)).BaseObject);

        Assert.Equal(["rotation-policy", "rotation-policy", "rotation-policy", "rotation-policy", "rotation-policy", "rotation-policy", "rotation-policy"],
            vault.Invoke("Get-VaultAuditLog -Vault $v -Action rotation-policy -Outcome success | ForEach-Object Action", v).Select(o => (string)o.BaseObject));
    }

    [Theory]
    [InlineData("-Default -MaxAge 0")]
    [InlineData("-Default -MaxAge 3651")]
    [InlineData("-Default -MaxAge -1")]
    [InlineData("-Default -Warning 91")]
    [InlineData("-Default -Grace 366")]
    [InlineData("-Default -VersionsKept 0")]
    [InlineData("-Default -VersionsKept 101")]
    [InlineData("-Default")]
    [InlineData("-Name app/one")]
    [InlineData("-Name app/one -Warning 11 -MaxAge 10")]
    [InlineData("-Name 'app/*' -Warning 200")]
    public void An_invalid_policy_is_InvalidInput_and_changes_nothing(string arguments)
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("Set-VaultKey -Vault $v -Name app/one -Value 'x'", v);
        AssertError(vault.Run("Set-VaultRotationPolicy -Vault $v " + arguments, v), "InvalidInput", "SetVaultRotationPolicyCommand");
        AssertPolicy(Assert.Single(vault.Invoke("Get-VaultRotationPolicy -Vault $v", v)), "(default)", 90 * Day, 14 * Day, 7 * Day, 10, []);
        AssertPolicy(Assert.Single(vault.Invoke("Get-VaultRotationPolicy -Vault $v -Name app/one", v)), "app/one", 90 * Day, 14 * Day, 7 * Day, 10, []);
    }

    [Fact]
    public void Policy_cmdlets_refuse_missing_keys_unreadable_durations_and_Inherit_on_the_default()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("Set-VaultKey -Vault $v -Name app/one -Value 'x'", v);
        AssertError(vault.Run("Get-VaultRotationPolicy -Vault $v -Name nothing", v), "KeyNotFound", "GetVaultRotationPolicyCommand");
        AssertError(vault.Run("Set-VaultRotationPolicy -Vault $v -Name 'nothing*' -MaxAge 5", v), "KeyNotFound", "SetVaultRotationPolicyCommand");
        AssertError(vault.Run("Set-VaultRotationPolicy -Vault $v -Default -MaxAge 'soon'", v), "CannotConvertArgumentNoMessage", "SetVaultRotationPolicyCommand");
        AssertError(vault.Run("Set-VaultRotationPolicy -Vault $v -Default -Inherit", v), "AmbiguousParameterSet", "SetVaultRotationPolicyCommand");
    }

    [Fact]
    public void An_exemption_needs_a_reason_and_an_end_makes_its_keys_Exempt_and_is_removed_through_the_pipeline()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        var until = DateTime.Now.AddDays(30);
        (string, object?) u = ("u", until);
        vault.Invoke("""
            Set-VaultKey -Vault $v -Name erp/one -Value 'x' -Service legacy-erp
            Set-VaultKey -Vault $v -Name erp/two -Value 'x' -Service LEGACY-ERP
            Set-VaultKey -Vault $v -Name web/one -Value 'x' -Service web
            """, v);

        // No end date: -Until is mandatory, so a session that cannot prompt refuses at parameter binding.
        AssertError(vault.Run("Add-VaultRotationExemption -Vault $v -Key web/one -Reason 'freeze'", v), "MissingMandatoryParameter", "AddVaultRotationExemptionCommand");
        AssertError(vault.Run("Add-VaultRotationExemption -Vault $v -Key web/one -Reason 'freeze' -Until $null", v), "ParameterArgumentValidationErrorNullNotAllowed", "AddVaultRotationExemptionCommand");
        AssertError(vault.Run("Add-VaultRotationExemption -Vault $v -Key web/one -Reason '   ' -Until $u", v, u), "InvalidInput", "AddVaultRotationExemptionCommand");
        AssertError(vault.Run("Add-VaultRotationExemption -Vault $v -Key web/one -Reason 'freeze' -Until ([datetime]::Now.AddMinutes(-1))", v), "InvalidInput", "AddVaultRotationExemptionCommand");
        AssertError(vault.Run("Add-VaultRotationExemption -Vault $v -Key web/one -Reason 'freeze' -Until ([datetime]::Now.AddDays(367))", v), "InvalidInput", "AddVaultRotationExemptionCommand");
        AssertError(vault.Run("Add-VaultRotationExemption -Vault $v -Key nothing -Reason 'freeze' -Until $u", v, u), "KeyNotFound", "AddVaultRotationExemptionCommand");
        AssertError(vault.Run("Add-VaultRotationExemption -Vault $v -Key web/one -Service web -Reason 'freeze' -Until $u", v, u), "AmbiguousParameterSet", "AddVaultRotationExemptionCommand");
        Assert.Empty(vault.Invoke("Add-VaultRotationExemption -Vault $v -Service 'legacy-*' -Reason 'vendor freeze' -Until $u -WhatIf", v, u));
        Assert.Empty(vault.Invoke("Get-VaultRotationExemption -Vault $v -IncludeExpired", v));

        var byService = Assert.Single(vault.Invoke("Add-VaultRotationExemption -Vault $v -Service 'legacy-*' -Reason 'vendor freeze' -Until $u", v, u));
        Assert.Equal(Rotation + "VaultRotationExemption", byService.BaseObject.GetType().FullName);
        Assert.Equal("legacy-*", byService.Properties["Service"].Value);
        Assert.Null(byService.Properties["Key"].Value);
        Assert.Equal("vendor freeze", byService.Properties["Reason"].Value);
        Assert.Equal("owner", byService.Properties["CreatedBy"].Value);
        Assert.True((bool)byService.Properties["IsActive"].Value);
        Assert.Equal(DateTimeKind.Utc, ((DateTime)byService.Properties["Until"].Value).Kind);
        Assert.InRange((DateTime)byService.Properties["Until"].Value - until.ToUniversalTime(), TimeSpan.FromMilliseconds(-1), TimeSpan.FromMilliseconds(1));
        // Status objects bind to -Key by their Name.
        var byKey = Assert.Single(vault.Invoke("Get-VaultRotationStatus -Vault $v -Name web/one | Add-VaultRotationExemption -Reason 'migration' -Until $u", v, u));
        Assert.Equal("web/one", byKey.Properties["Key"].Value);
        Assert.Null(byKey.Properties["Service"].Value);

        var states = vault.Invoke("Get-VaultRotationStatus -Vault $v", v);
        Assert.Equal(["erp/one", "erp/two", "web/one"], states.Select(s => (string)s.Properties["Name"].Value));
        Assert.All(states, s => Assert.Equal("Exempt", s.Properties["State"].Value.ToString()));
        Assert.Equal(["vendor freeze", "vendor freeze", "migration"], states.Select(s => (string)s.Properties["ExemptReason"].Value));
        Assert.Empty(vault.Invoke("Get-VaultRotationStatus -Vault $v -Due", v));

        // Removal: high impact, -WhatIf keeps it, the Id binds from the pipeline, an unknown Id is InvalidInput.
        Assert.Equal(2, vault.Invoke("Get-VaultRotationExemption -Vault $v", v).Count);
        Assert.Empty(vault.Invoke("Get-VaultRotationExemption -Vault $v | Remove-VaultRotationExemption -WhatIf", v));
        Assert.Equal(2, vault.Invoke("Get-VaultRotationExemption -Vault $v", v).Count);
        var removed = Assert.Single(vault.Invoke("Get-VaultRotationExemption -Vault $v | Where-Object Service | Remove-VaultRotationExemption -Confirm:$false -PassThru", v));
        Assert.Equal(byService.Properties["Id"].Value, removed.Properties["Id"].Value);
        AssertError(vault.Run("Remove-VaultRotationExemption -Vault $v -Id $i -Confirm:$false", v, ("i", removed.Properties["Id"].Value)), "InvalidInput", "RemoveVaultRotationExemptionCommand");
        Assert.Equal(["Ok", "Ok", "Exempt"], vault.Invoke("Get-VaultRotationStatus -Vault $v | ForEach-Object { $_.State.ToString() }", v).Select(o => (string)o.BaseObject));

        Assert.Equal(["exemption-add", "exemption-add", "exemption-remove"],
            vault.Invoke("Get-VaultAuditLog -Vault $v -Action 'exemption-*' -Outcome success | ForEach-Object Action", v).Select(o => (string)o.BaseObject));
    }

    [Fact]
    public void Status_objects_give_the_state_due_date_and_days_left_and_filter_by_name_state_and_due()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("""
            Set-VaultKey -Vault $v -Name ok/key -Value 'x' -Service pay
            Set-VaultKey -Vault $v -Name warn/key -Value 'x'
            Set-VaultKey -Vault $v -Name warn/key -Value 'y'
            # Warning as long as MaxAge: in the warning period from the moment it is written.
            Set-VaultRotationPolicy -Vault $v -Name warn/key -MaxAge 30 -Warning 30
            """, v);

        var all = vault.Invoke("Get-VaultRotationStatus -Vault $v", v);
        Assert.Equal(["ok/key", "warn/key"], all.Select(s => (string)s.Properties["Name"].Value));
        var ok = all[0];
        Assert.Equal(Rotation + "VaultRotationStatus", ok.BaseObject.GetType().FullName);
        Assert.Equal("Ok", ok.Properties["State"].Value.ToString());
        Assert.Equal("pay", ok.Properties["Service"].Value);
        Assert.Equal(1, ok.Properties["Version"].Value);
        Assert.False((bool)ok.Properties["IsDue"].Value);
        var lastRotated = (DateTime)ok.Properties["LastRotated"].Value;
        Assert.Equal(DateTimeKind.Utc, lastRotated.Kind);
        Assert.InRange(DateTime.UtcNow - lastRotated, TimeSpan.Zero, TimeSpan.FromMinutes(2));
        Assert.Equal(lastRotated + 90 * Day, ok.Properties["DueDate"].Value);
        Assert.Equal(lastRotated + 97 * Day, ok.Properties["BlockedFrom"].Value);
        Assert.Equal(89, ok.Properties["DaysLeft"].Value);

        var warn = all[1];
        Assert.Equal("Warning", warn.Properties["State"].Value.ToString());
        Assert.Equal(2, warn.Properties["Version"].Value);
        Assert.True((bool)warn.Properties["IsDue"].Value);
        Assert.Equal((DateTime)warn.Properties["LastRotated"].Value + 30 * Day, warn.Properties["DueDate"].Value);

        Assert.Equal(["warn/key"], Names(vault.Invoke("Get-VaultRotationStatus -Vault $v -Due", v)));
        Assert.Equal(["warn/key"], Names(vault.Invoke("Get-VaultRotationStatus -Vault $v -State Warning", v)));
        Assert.Equal(["ok/key"], Names(vault.Invoke("Get-VaultRotationStatus -Vault $v -State ok", v)));
        Assert.Empty(vault.Invoke("Get-VaultRotationStatus -Vault $v -State Blocked", v));
        Assert.Equal(["ok/key"], Names(vault.Invoke("Get-VaultRotationStatus -Vault $v 'OK*'", v)));
        Assert.Empty(vault.Invoke("Get-VaultRotationStatus -Vault $v -Name 'none*'", v));
        Assert.Equal(["ok/key", "warn/key"], Names(vault.Invoke("Get-VaultKeyInfo -Vault $v | Get-VaultRotationStatus", v)));
        AssertError(vault.Run("Get-VaultRotationStatus -Vault $v -Name none", v), "KeyNotFound", "GetVaultRotationStatusCommand");
        Assert.StartsWith("ParameterArgumentValidationError,", Assert.Single(vault.Run("Get-VaultRotationStatus -Vault $v -State Late", v).ErrorIds));
    }

    [Fact]
    public void A_key_in_its_warning_period_reads_with_one_warning_from_Get_VaultKey_and_Get_Secret()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("""
            Set-VaultKey -Vault $v -Name calm -Value 'calm-value'
            Set-VaultKey -Vault $v -Name due-soon -Value 'due-soon-value'
            Set-VaultRotationPolicy -Vault $v -Name due-soon -MaxAge 10 -Warning 10
            """, v);

        var read = vault.Run("Get-VaultKey -Vault $v -Name due-soon -AsPlainText", v);
        Assert.Empty(read.ErrorIds);
        Assert.Equal("due-soon-value", Assert.Single(read.Output).BaseObject);
        var warning = Assert.Single(read.Warnings);
        Assert.Contains("due-soon", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("due-soon-value", warning, StringComparison.Ordinal);

        var calm = vault.Run("Get-VaultKey -Vault $v -Name calm -AsPlainText", v);
        Assert.Equal("calm-value", Assert.Single(calm.Output).BaseObject);
        Assert.Empty(calm.Warnings);

        var secret = GetSecret(vault, "due-soon");
        Assert.Empty(secret.ErrorIds);
        Assert.IsType<System.Security.SecureString>(Assert.Single(secret.Output).BaseObject);
        Assert.Contains("due-soon", Assert.Single(secret.Warnings), StringComparison.Ordinal);
        Assert.Empty(GetSecret(vault, "calm").Warnings);
    }

    [Fact]
    public void A_Blocked_key_is_KeyExpired_for_every_reader_until_it_is_exempted_or_rotated_and_old_versions_retire()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("""
            Set-VaultKey -Vault $v -Name blocked/a -Value 'a-value'
            Set-VaultKey -Vault $v -Name blocked/b -Value 'b-value' -Service legacy
            Set-VaultKey -Vault $v -Name overdue/x -Value 'x-value'
            Set-VaultKey -Vault $v -Name retired/y -Value 'y-one'
            Set-VaultKey -Vault $v -Name retired/y -Value 'y-two'
            Set-VaultRotationPolicy -Vault $v -Name 'blocked/*' -MaxAge '00:00:01' -Warning 0 -Grace '00:00:01'
            Set-VaultRotationPolicy -Vault $v -Name overdue/x -MaxAge '00:00:01' -Warning 0 -Grace 1
            Set-VaultRotationPolicy -Vault $v -Name retired/y -MaxAge 30 -Warning 0 -Grace '00:00:01'
            $null = Add-VaultRotationExemption -Vault $v -Service legacy -Reason 'vendor freeze' -Until ([datetime]::Now.AddDays(1))
            """, v);
        Thread.Sleep(2500); // the one wait of this class: every key above is now past its due date, the blocked ones past their grace

        Assert.Equal(["Blocked", "Exempt", "Overdue", "Ok"],
            vault.Invoke("Get-VaultRotationStatus -Vault $v | ForEach-Object { $_.State.ToString() }", v).Select(o => (string)o.BaseObject));
        Assert.Equal(["blocked/a", "overdue/x"], Names(vault.Invoke("Get-VaultRotationStatus -Vault $v -Due", v)));

        var refused = vault.Run("Get-VaultKey -Vault $v -Name blocked/a", v);
        AssertError(refused, "KeyExpired", "GetVaultKeyCommand");
        Assert.Empty(refused.Output);
        var error = refused.Errors[0];
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.Equal("blocked/a", error.TargetObject);
        Assert.Equal("VaultKeyExpiredException", error.Exception.GetType().Name);
        var blockedSince = (DateTimeOffset)error.Exception.GetType().GetProperty("BlockedSince")!.GetValue(error.Exception)!;
        Assert.InRange(blockedSince, DateTimeOffset.UtcNow.AddSeconds(-10), DateTimeOffset.UtcNow);
        Assert.DoesNotContain("a-value", error.Exception.Message, StringComparison.Ordinal);
        AssertError(vault.Run("Get-VaultKey -Vault $v -Name blocked/a -Version 1", v), "KeyExpired", "GetVaultKeyCommand");
        var viaSecretManagement = GetSecret(vault, "blocked/a");
        Assert.Equal("KeyExpired,SecureVault.PowerShell.Extension.GetSecretCommand", Assert.Single(viaSecretManagement.ErrorIds));
        Assert.Empty(viaSecretManagement.Output);

        // Exempt: read without a warning. Overdue: read with one.
        var exempt = vault.Run("Get-VaultKey -Vault $v -Name blocked/b -AsPlainText", v);
        Assert.Equal("b-value", Assert.Single(exempt.Output).BaseObject);
        Assert.Empty(exempt.Warnings);
        var overdue = vault.Run("Get-VaultKey -Vault $v -Name overdue/x -AsPlainText", v);
        Assert.Equal("x-value", Assert.Single(overdue.Output).BaseObject);
        Assert.Single(overdue.Warnings);

        // A replaced version is readable for the grace after its replacement, then only Restore-VaultKey brings it back.
        AssertError(vault.Run("Get-VaultKey -Vault $v -Name retired/y -Version 1", v), "KeyVersionRetired", "GetVaultKeyCommand");
        Assert.Equal("y-two", Plain(vault, "retired/y"));
        Assert.Equal(3, Assert.Single(vault.Invoke("Restore-VaultKey -Vault $v -Name retired/y -Version 1 -PassThru", v)).Properties["Version"].Value);
        Assert.Equal("y-one", Plain(vault, "retired/y"));

        // Rotating unblocks at once. Read in the same script: the new version itself blocks after 2 s under this policy.
        var rotated = vault.Invoke("""
            (Update-VaultKey -Vault $v -Name blocked/a -Value 'a-new' -PassThru).Version
            Get-VaultKey -Vault $v -Name blocked/a -AsPlainText
            """, v);
        Assert.Equal(new object[] { 2, "a-new" }, rotated.Select(o => o.BaseObject));

        // Without its exemption blocked/b is blocked again; a script block may still read it to rotate it.
        vault.Invoke("Get-VaultRotationExemption -Vault $v | Remove-VaultRotationExemption -Confirm:$false", v);
        AssertError(vault.Run("Get-VaultKey -Vault $v -Name blocked/b", v), "KeyExpired", "GetVaultKeyCommand");
        var fromScript = vault.Invoke("""
            $null = Update-VaultKey -Vault $v -Name blocked/b -ScriptBlock { param($current, $name) '{0}+{1}' -f [pscredential]::new('x', $current).GetNetworkCredential().Password, $name }
            Get-VaultKey -Vault $v -Name blocked/b -AsPlainText
            """, v);
        Assert.Equal("b-value+blocked/b", Assert.Single(fromScript).BaseObject);

        // Every refused read is audited as denied with its reason.
        var denied = vault.Invoke("Get-VaultAuditLog -Vault $v -Action get -Outcome denied | ForEach-Object Reason", v).Select(o => (string)o.BaseObject).ToList();
        Assert.Equal(["KeyExpired", "KeyExpired", "KeyExpired", "KeyVersionRetired", "KeyExpired"], denied);
    }

    [Fact]
    public void Update_VaultKey_writes_a_new_version_from_a_value_or_from_a_ScriptBlock_that_gets_the_current_value_and_name()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("""
            Set-VaultKey -Vault $v -Name text -Value 'old-text'
            Set-VaultKey -Vault $v -Name bytes -Value ([byte[]](1, 2, 3))
            Set-VaultKey -Vault $v -Name cred -Value ([pscredential]::new('svc', $s))
            """, v, ("s", ModuleFixture.Secure("cred-old")));

        // -WhatIf: the script block does not run and nothing is written.
        Assert.Empty(vault.Invoke("Update-VaultKey -Vault $v -Name text -ScriptBlock { throw 'must not run' } -WhatIf", v));
        Assert.Equal(1, Assert.Single(vault.Invoke("(Get-VaultKeyInfo -Vault $v -Name text).Version", v)).BaseObject);

        // $_ and $args[0] are the same current value (a SecureString for text); $args[1] is the key name.
        var info = Assert.Single(vault.Invoke("""
            Update-VaultKey -Vault $v -Name text -PassThru -ScriptBlock {
                if (-not [object]::ReferenceEquals($_, $args[0])) { throw '$_ is not $args[0]' }
                if ($_ -isnot [securestring]) { throw 'text must come as a SecureString' }
                $old = [pscredential]::new('x', $_).GetNetworkCredential().Password
                "$old-rotated-$($args[1])"
            }
            """, v));
        Assert.Equal("SecureVault.VaultKeyInfo", info.BaseObject.GetType().FullName);
        Assert.Equal(2, info.Properties["Version"].Value);
        Assert.Equal("old-text-rotated-text", Plain(vault, "text"));

        // A SecureString returned for a key stored from a string keeps it a String key.
        vault.Invoke("Update-VaultKey -Vault $v -Name text -ScriptBlock { $s = [securestring]::new(); 'abc'.ToCharArray() | ForEach-Object { $s.AppendChar($_) }; $s }", v);
        Assert.Equal("abc", Plain(vault, "text"));
        Assert.Equal("String", Assert.Single(vault.Invoke("(Get-VaultKeyInfo -Vault $v -Name text).Type.ToString()", v)).BaseObject);

        // A byte[] returned without the comma operator arrives as bytes and is put back together.
        vault.Invoke("Update-VaultKey -Vault $v -Name bytes -ScriptBlock { [byte[]]($_ | ForEach-Object { $_ + 1 }) }", v);
        Assert.Equal(new byte[] { 2, 3, 4 }, Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name bytes", v)).BaseObject);
        vault.Invoke("Update-VaultKey -Vault $v -Name bytes -ScriptBlock { , [byte[]](9) }", v);
        Assert.Equal(new byte[] { 9 }, Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name bytes", v)).BaseObject);

        vault.Invoke("Update-VaultKey -Vault $v -Name cred -ScriptBlock { [pscredential]::new($_.UserName, $s) }", v, ("s", ModuleFixture.Secure("cred-new")));
        var credential = Assert.IsType<PSCredential>(Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name cred", v)).BaseObject);
        Assert.Equal(("svc", "cred-new"), (credential.UserName, credential.GetNetworkCredential().Password));

        // -Value, also bound by property name; the version history grows by one per rotation.
        vault.Invoke("Update-VaultKey -Vault $v -Name text -Value $s", v, ("s", ModuleFixture.Secure("by-value")));
        vault.Invoke("[pscustomobject]@{ Name = 'text'; Value = 'by-pipeline' } | Update-VaultKey -Vault $v", v);
        Assert.Equal("by-pipeline", Plain(vault, "text"));
        Assert.Equal(5, Assert.Single(vault.Invoke("(Get-VaultKeyInfo -Vault $v -Name text).Version", v)).BaseObject);

        AssertError(vault.Run("Update-VaultKey -Vault $v -Name missing -Value 'x'", v), "KeyNotFound", "UpdateVaultKeyCommand");
        AssertError(vault.Run("Update-VaultKey -Vault $v -Name missing -ScriptBlock { 'x' }", v), "KeyNotFound", "UpdateVaultKeyCommand");
        AssertError(vault.Run("Update-VaultKey -Vault $v -Name text -Value ([System.IO.FileInfo]::new('x'))", v), "InvalidInput", "UpdateVaultKeyCommand");
        Assert.Equal(["rotate", "rotate", "rotate", "rotate", "rotate", "rotate", "rotate"],
            vault.Invoke("Get-VaultAuditLog -Vault $v -Action rotate -Outcome success | ForEach-Object Action", v).Select(o => (string)o.BaseObject));
    }

    [Theory]
    [InlineData("throw 'the provider refused'")]
    [InlineData("Write-Error 'the provider said no'; 'would-be-new'")]
    [InlineData("$null")]
    [InlineData("")]
    [InlineData("'one'; 'two'")]
    [InlineData("[System.IO.FileInfo]::new('x')")]
    public void A_failing_ScriptBlock_changes_nothing_and_is_RotationFailed(string body)
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("Set-VaultKey -Vault $v -Name k -Value 'keep-this-secret'", v);

        var result = vault.Run("Update-VaultKey -Vault $v -Name k -ScriptBlock ([scriptblock]::Create($b)) -PassThru", v, ("b", body));
        AssertError(result, "RotationFailed", "UpdateVaultKeyCommand");
        Assert.Empty(result.Output);
        var error = result.Errors[0];
        Assert.Equal(ErrorCategory.InvalidResult, error.CategoryInfo.Category);
        Assert.Equal("k", error.TargetObject);
        Assert.DoesNotContain("keep-this-secret", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("keep-this-secret", error.Exception.ToString(), StringComparison.Ordinal);

        Assert.Equal("keep-this-secret", Plain(vault, "k"));
        Assert.Equal(1, Assert.Single(vault.Invoke("(Get-VaultKeyInfo -Vault $v -Name k).Version", v)).BaseObject);
        var attempt = Assert.Single(vault.Invoke("Get-VaultAuditLog -Vault $v -Action rotate", v));
        Assert.Equal(("error", "RotationFailed"), ((string)attempt.Properties["Outcome"].Value, (string)attempt.Properties["Reason"].Value));
    }

    [Fact]
    public void Invoke_VaultRotation_with_WhatIf_runs_no_script_rotates_nothing_and_reports_every_key_Skipped()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("'r/c', 'r/a', 'r/b', 'other' | ForEach-Object { Set-VaultKey -Vault $v -Name $_ -Value 'x' }", v);

        var results = vault.Run("Invoke-VaultRotation -Vault $v -Name 'r/*' -ScriptBlock { throw 'must not run' } -WhatIf", v);
        Assert.Empty(results.ErrorIds);
        Assert.Equal(["r/a", "r/b", "r/c"], Names(results.Output));
        Assert.All(results.Output, r =>
        {
            Assert.Equal(Rotation + "VaultRotationResult", r.BaseObject.GetType().FullName);
            Assert.Equal("Skipped", r.Properties["Outcome"].Value.ToString());
            Assert.Equal(1, r.Properties["PreviousVersion"].Value);
            Assert.Null(r.Properties["NewVersion"].Value);
        });
        Assert.All(vault.Invoke("Get-VaultKeyInfo -Vault $v", v), k => Assert.Equal(1, k.Properties["Version"].Value));
        Assert.Empty(vault.Invoke("Get-VaultAuditLog -Vault $v -Action rotate", v));
    }

    [Fact]
    public void A_rotation_run_streams_one_result_per_due_key_goes_on_past_a_failure_and_shows_progress()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("""
            'run/c', 'run/a', 'run/b', 'calm', 'exempt' | ForEach-Object { Set-VaultKey -Vault $v -Name $_ -Value "old-$_" }
            Set-VaultRotationPolicy -Vault $v -Name 'run/*' -MaxAge 10 -Warning 10
            Set-VaultRotationPolicy -Vault $v -Name exempt -MaxAge 10 -Warning 10
            $null = Add-VaultRotationExemption -Vault $v -Key exempt -Reason 'frozen' -Until ([datetime]::Now.AddDays(2))
            """, v);

        // The log shows each result written before the next key's script block runs.
        var run = vault.Run("""
            $log = [System.Collections.Generic.List[string]]::new()
            Invoke-VaultRotation -Vault $v -Due -ScriptBlock {
                param($current, $name)
                $log.Add("make $name")
                if ($name -eq 'run/b') { throw 'the provider is down' }
                "new-$name"
            } | ForEach-Object { $log.Add("result $($_.Name)"); $_ }
            """, v);
        Assert.Empty(run.ErrorIds);
        Assert.Equal(["make run/a", "result run/a", "make run/b", "result run/b", "make run/c", "result run/c"],
            vault.Invoke("$log", v).Select(o => (string)o.BaseObject));

        Assert.Equal(["run/a", "run/b", "run/c"], Names(run.Output));
        Assert.Equal(["Rotated", "Failed", "Rotated"], run.Output.Select(r => r.Properties["Outcome"].Value.ToString()));
        Assert.All(run.Output, r => Assert.Equal("Warning", r.Properties["StateBefore"].Value.ToString()));
        Assert.Equal(new object?[] { 2, null, 2 }, run.Output.Select(r => r.Properties["NewVersion"].Value));
        var failed = run.Output[1];
        Assert.False(string.IsNullOrWhiteSpace((string)failed.Properties["Reason"].Value));
        Assert.Equal("RotationFailed", ((Exception)failed.Properties["Error"].Value).GetType().GetProperty("ErrorId")!.GetValue(failed.Properties["Error"].Value));

        Assert.Equal("new-run/a", Plain(vault, "run/a"));
        Assert.Equal("old-run/b", Plain(vault, "run/b"));
        Assert.Equal("new-run/c", Plain(vault, "run/c"));
        Assert.Equal("old-calm", Plain(vault, "calm"));
        Assert.Equal("old-exempt", Plain(vault, "exempt"));

        Assert.Contains(run.Progress, p => p.RecordType == ProgressRecordType.Processing && p.CurrentOperation == "run/b");
        Assert.Equal(ProgressRecordType.Completed, run.Progress[^1].RecordType);

        // Each attempt has its rotate record: success, error, success.
        Assert.Equal(["success", "error", "success"],
            vault.Invoke("Get-VaultAuditLog -Vault $v -Action rotate | ForEach-Object Outcome", v).Select(o => (string)o.BaseObject));

        // Without -Due every matching key is rotated, whatever its state.
        var everything = vault.Invoke("Invoke-VaultRotation -Vault $v -Name '*' -ScriptBlock { param($c, $n) \"again-$n\" }", v);
        Assert.Equal(["calm", "exempt", "run/a", "run/b", "run/c"], Names(everything));
        Assert.All(everything, r => Assert.Equal("Rotated", r.Properties["Outcome"].Value.ToString()));
        Assert.Equal("again-calm", Plain(vault, "calm"));
        AssertError(vault.Run("Invoke-VaultRotation -Vault $v -Name missing -ScriptBlock { 'x' }", v), "KeyNotFound", "InvokeVaultRotationCommand");
    }

    [Fact]
    public void Stopping_a_rotation_run_ends_it_after_the_key_in_hand()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("'s/1', 's/2', 's/3', 's/4' | ForEach-Object { Set-VaultKey -Vault $v -Name $_ -Value 'old' }", v);

        using var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = vault.Runspace;
        ps.AddScript("Invoke-VaultRotation -Vault $v -ScriptBlock { 'new' }");
        var output = new PSDataCollection<PSObject>();
        output.DataAdded += (_, e) =>
        {
            // Ctrl+C as the first result arrives: StopProcessing runs on another thread meanwhile.
            if (e.Index != 0) return;
            ps.BeginStop(null, null);
            Thread.Sleep(200);
        };
        ps.Invoke<PSObject, PSObject>(null, output, null);
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Assert.Equal(["s/1"], Names(output));
        Assert.Equal([2, 1, 1, 1], vault.Invoke("Get-VaultKeyInfo -Vault $v | ForEach-Object Version", v).Select(o => (int)o.BaseObject));
    }

    [Fact]
    public void History_lists_versions_newest_first_and_Restore_VaultKey_writes_an_old_value_as_a_new_version()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("'one', 'two', 'three' | ForEach-Object { Set-VaultKey -Vault $v -Name h -Value $_ }", v);

        var history = vault.Invoke("Get-VaultKeyHistory -Vault $v -Name H", v);
        Assert.Equal(Rotation + "VaultKeyVersionInfo", history[0].BaseObject.GetType().FullName);
        Assert.Equal([3, 2, 1], history.Select(h => (int)h.Properties["Version"].Value));
        Assert.Equal([true, false, false], history.Select(h => (bool)h.Properties["IsCurrent"].Value));
        Assert.All(history, h => Assert.Equal("owner", h.Properties["CreatedBy"].Value));
        Assert.All(history, h => Assert.Equal("h", h.Properties["Name"].Value));
        Assert.Null(history[0].Properties["ReadableUntil"].Value);
        Assert.Equal((DateTime)history[0].Properties["Created"].Value + 7 * Day, history[1].Properties["ReadableUntil"].Value);

        Assert.Empty(vault.Invoke("Restore-VaultKey -Vault $v -Name h -Version 1 -WhatIf", v));
        Assert.Equal("three", Plain(vault, "h"));
        Assert.Equal(4, Assert.Single(vault.Invoke("Restore-VaultKey -Vault $v -Name h -Version 1 -PassThru", v)).Properties["Version"].Value);
        Assert.Equal("one", Plain(vault, "h"));
        // History objects bind by Name, Version and Vault.
        Assert.Equal(5, Assert.Single(vault.Invoke("Get-VaultKeyHistory -Vault $v -Name h | Where-Object Version -eq 2 | Restore-VaultKey -PassThru", v)).Properties["Version"].Value);
        Assert.Equal("two", Plain(vault, "h"));
        Assert.Equal([5, 4, 3, 2, 1], vault.Invoke("Get-VaultKeyHistory -Vault $v -Name h", v).Select(h => (int)h.Properties["Version"].Value));

        AssertError(vault.Run("Restore-VaultKey -Vault $v -Name h -Version 99", v), "KeyVersionNotFound", "RestoreVaultKeyCommand");
        AssertError(vault.Run("Restore-VaultKey -Vault $v -Name missing -Version 1", v), "KeyNotFound", "RestoreVaultKeyCommand");
        AssertError(vault.Run("Get-VaultKeyHistory -Vault $v -Name missing", v), "KeyNotFound", "GetVaultKeyHistoryCommand");

        // Fewer versions kept takes effect at once.
        vault.Invoke("Set-VaultRotationPolicy -Vault $v -Name h -VersionsKept 2", v);
        Assert.Equal([5, 4], vault.Invoke("Get-VaultKeyHistory -Vault $v -Name h", v).Select(h => (int)h.Properties["Version"].Value));
        Assert.Equal(["restore", "restore"], vault.Invoke("Get-VaultAuditLog -Vault $v -Action restore -Outcome success | ForEach-Object Action", v).Select(o => (string)o.BaseObject));
    }

    [Fact]
    public void Update_VaultEncryptionKey_rekeys_in_batches_with_progress_and_every_key_stays_readable()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("""
            1..5 | ForEach-Object { Set-VaultKey -Vault $v -Name "k$_" -Value "value-$_" }
            Set-VaultKey -Vault $v -Name bytes -Value ([byte[]](7, 8, 9))
            $null = New-VaultPrincipal -Vault $v -Name bob -Role User -Password $p
            $null = Grant-VaultAccess -Vault $v -Name k1 -Principal bob -Permission Read
            """, v, ("p", ModuleFixture.Secure("bob's long passphrase")));

        Assert.Empty(vault.Invoke("Update-VaultEncryptionKey -Vault $v -WhatIf", v));
        var rekey = vault.Run("Update-VaultEncryptionKey -Vault $v -BatchSize 2 -Confirm:$false", v);
        Assert.Empty(rekey.ErrorIds);
        var result = Assert.Single(rekey.Output);
        Assert.Equal(Rotation + "VaultRekeyResult", result.BaseObject.GetType().FullName);
        Assert.Equal(6, result.Properties["DataKeysRotated"].Value);
        Assert.Equal(1, result.Properties["Generation"].Value);
        Assert.False((bool)result.Properties["Resumed"].Value);
        Assert.True((int)result.Properties["MetadataRecords"].Value >= 6);
        Assert.Contains(rekey.Progress, p => p.RecordType == ProgressRecordType.Processing);
        Assert.Equal(ProgressRecordType.Completed, rekey.Progress[^1].RecordType);

        // Readable by this session, by a fresh unlock, and by a grantee.
        Assert.Equal(["value-1", "value-2", "value-3", "value-4", "value-5"], Enumerable.Range(1, 5).Select(i => Plain(vault, "k" + i)));
        vault.Invoke("Lock-Vault -Vault $v; Unlock-Vault -Vault $v -Principal owner -Password $p", v, ("p", HostedVault.Password));
        Assert.Equal(new byte[] { 7, 8, 9 }, Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name bytes", v)).BaseObject);
        vault.Invoke("Lock-Vault -Vault $v; Unlock-Vault -Vault $v -Principal bob -Password $p", v, ("p", ModuleFixture.Secure("bob's long passphrase")));
        Assert.Equal("value-1", Plain(vault, "k1"));
        AssertError(vault.Run("Update-VaultEncryptionKey -Vault $v -Confirm:$false", v), "AccessDenied", "UpdateVaultEncryptionKeyCommand");
        vault.Invoke("Lock-Vault -Vault $v; Unlock-Vault -Vault $v -Principal owner -Password $p", v, ("p", HostedVault.Password));

        Assert.Equal(2, Assert.Single(vault.Invoke("Update-VaultEncryptionKey -Vault $v -Confirm:$false", v)).Properties["Generation"].Value);
        Assert.Equal("value-5", Plain(vault, "k5"));
        Assert.StartsWith("ParameterArgumentValidationError,", Assert.Single(vault.Run("Update-VaultEncryptionKey -Vault $v -BatchSize 0 -Confirm:$false", v).ErrorIds));
    }

    [Fact]
    public void Stopping_a_rekey_between_batches_leaves_every_key_readable_and_a_rerun_resumes()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("1..20 | ForEach-Object { Set-VaultKey -Vault $v -Name \"k$_\" -Value \"value-$_\" }", v);

        using var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = vault.Runspace;
        ps.AddScript("Update-VaultEncryptionKey -Vault $v -BatchSize 1 -Confirm:$false");
        int batches = 0;
        ps.Streams.Progress.DataAdded += (_, e) =>
        {
            // Ctrl+C after the first batch committed: the stop reaches StopProcessing on another thread
            // while this (the pipeline) thread is still inside the engine's progress callback.
            if (ps.Streams.Progress[e.Index].RecordType != ProgressRecordType.Processing || Interlocked.Increment(ref batches) != 1) return;
            ps.BeginStop(null, null);
            Thread.Sleep(200);
        };
        Assert.Empty(ps.Invoke());
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Assert.Empty(ps.Streams.Error);
        Assert.Equal(1, batches);

        // Interrupted: still readable, and the next run finishes what is left.
        Assert.Equal(Enumerable.Range(1, 20).Select(i => "value-" + i), Enumerable.Range(1, 20).Select(i => Plain(vault, "k" + i)));
        var resumed = Assert.Single(vault.Invoke("Update-VaultEncryptionKey -Vault $v -BatchSize 5 -Confirm:$false", v));
        Assert.True((bool)resumed.Properties["Resumed"].Value);
        Assert.InRange((int)resumed.Properties["DataKeysRotated"].Value, 1, 19);
        Assert.Equal(1, resumed.Properties["Generation"].Value);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => "value-" + i), Enumerable.Range(1, 20).Select(i => Plain(vault, "k" + i)));
    }

    [Fact]
    public void A_Viewer_may_read_status_and_history_but_is_refused_every_change_with_AccessDenied()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        var viewerPassword = ModuleFixture.Secure("vera's long passphrase");
        vault.Invoke("""
            Set-VaultKey -Vault $v -Name shared -Value 'shared-value'
            Set-VaultKey -Vault $v -Name shared -Value 'shared-value-2'
            $null = New-VaultPrincipal -Vault $v -Name vera -Role Viewer -Password $p
            $null = Grant-VaultAccess -Vault $v -Name shared -Principal vera -Permission Read
            Lock-Vault -Vault $v
            Unlock-Vault -Vault $v -Principal vera -Password $p
            """, v, ("p", viewerPassword));

        Assert.Equal("shared-value-2", Plain(vault, "shared"));
        Assert.Single(vault.Invoke("Get-VaultRotationStatus -Vault $v", v));
        Assert.Equal(2, vault.Invoke("Get-VaultKeyHistory -Vault $v -Name shared", v).Count);
        Assert.Single(vault.Invoke("Get-VaultRotationPolicy -Vault $v", v));

        (string Script, string Command)[] refused =
        [
            ("Update-VaultKey -Vault $v -Name shared -Value 'x'", "UpdateVaultKeyCommand"),
            ("Update-VaultKey -Vault $v -Name shared -ScriptBlock { 'x' }", "UpdateVaultKeyCommand"),
            ("Restore-VaultKey -Vault $v -Name shared -Version 1", "RestoreVaultKeyCommand"),
            ("Set-VaultRotationPolicy -Vault $v -Default -MaxAge 1", "SetVaultRotationPolicyCommand"),
            ("Set-VaultRotationPolicy -Vault $v -Name shared -MaxAge 1", "SetVaultRotationPolicyCommand"),
            ("Add-VaultRotationExemption -Vault $v -Key shared -Reason 'r' -Until ([datetime]::Now.AddDays(1))", "AddVaultRotationExemptionCommand"),
            ("Update-VaultEncryptionKey -Vault $v -Confirm:$false", "UpdateVaultEncryptionKeyCommand"),
        ];
        foreach (var (script, command) in refused) AssertError(vault.Run(script, v), "AccessDenied", command);

        // A run skips a key the caller may not rotate (no attempt, so no error and no script call).
        var run = Assert.Single(vault.Invoke("Invoke-VaultRotation -Vault $v -ScriptBlock { throw 'must not run' }", v));
        Assert.Equal("Skipped", run.Properties["Outcome"].Value.ToString());
        Assert.Null(run.Properties["Error"].Value);

        Assert.Equal("shared-value-2", Plain(vault, "shared"));
        vault.Invoke("Lock-Vault -Vault $v; Unlock-Vault -Vault $v -Principal owner -Password $p", v, ("p", HostedVault.Password));
        Assert.Equal(2, Assert.Single(vault.Invoke("(Get-VaultKeyInfo -Vault $v -Name shared).Version", v)).BaseObject);
        Assert.Equal(90 * Day, Assert.Single(vault.Invoke("(Get-VaultRotationPolicy -Vault $v).MaxAge", v)).BaseObject);
        Assert.Empty(vault.Invoke("Get-VaultRotationExemption -Vault $v -IncludeExpired", v));
    }

    [Fact]
    public void A_User_rotates_its_own_keys_but_not_anothers()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        var userPassword = ModuleFixture.Secure("bob's long passphrase");
        vault.Invoke("""
            Set-VaultKey -Vault $v -Name owner/secret -Value 'x'
            $null = New-VaultPrincipal -Vault $v -Name bob -Role User -Password $p
            Lock-Vault -Vault $v
            Unlock-Vault -Vault $v -Principal bob -Password $p
            Set-VaultKey -Vault $v -Name bob/own -Value 'mine'
            """, v, ("p", userPassword));

        Assert.Equal(2, Assert.Single(vault.Invoke("Update-VaultKey -Vault $v -Name bob/own -ScriptBlock { 'mine-2' } -PassThru", v)).Properties["Version"].Value);
        AssertError(vault.Run("Update-VaultKey -Vault $v -Name owner/secret -Value 'y'", v), "AccessDenied", "UpdateVaultKeyCommand");
        AssertError(vault.Run("Set-VaultRotationPolicy -Vault $v -Name bob/own -MaxAge 5", v), "AccessDenied", "SetVaultRotationPolicyCommand");
        vault.Invoke("Lock-Vault -Vault $v; Unlock-Vault -Vault $v -Principal owner -Password $p", v, ("p", HostedVault.Password));
        Assert.Equal(["AccessDenied", "AccessDenied"],
            vault.Invoke("Get-VaultAuditLog -Vault $v -Principal bob -Outcome denied | ForEach-Object Reason", v).Select(o => (string)o.BaseObject));
    }

    [Fact]
    public void Every_Name_of_the_rotation_cmdlets_completes_key_names()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("'pay/api', 'pay/db', 'web/tls' | ForEach-Object { Set-VaultKey -Vault $v -Name $_ -Value 'x' }", ("v", vault.VaultPath));
        using var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = vault.Runspace;
        string[] Complete(string input) => CommandCompletion.CompleteInput(input, input.Length, null, ps).CompletionMatches.Select(c => c.CompletionText).ToArray();

        string[] commands =
        [
            "Get-VaultRotationPolicy -Name", "Set-VaultRotationPolicy -Name", "Get-VaultRotationStatus -Name", "Update-VaultKey -Name",
            "Invoke-VaultRotation -Name", "Get-VaultKeyHistory -Name", "Restore-VaultKey -Name", "Add-VaultRotationExemption -Key",
        ];
        foreach (var command in commands)
            Assert.Equal(["pay/api", "pay/db"], Complete($"{command.Split(' ')[0]} -Vault '{vault.VaultPath}' {command.Split(' ')[1]} pay"));
    }

    private static void AssertPolicy(PSObject policy, string scope, TimeSpan maxAge, TimeSpan warning, TimeSpan grace, int versionsKept, string[] overrides)
    {
        Assert.Equal(scope, policy.Properties["Scope"].Value);
        Assert.Equal(maxAge, policy.Properties["MaxAge"].Value);
        Assert.Equal(warning, policy.Properties["Warning"].Value);
        Assert.Equal(grace, policy.Properties["Grace"].Value);
        Assert.Equal(versionsKept, policy.Properties["VersionsKept"].Value);
        Assert.Equal(overrides, (string[])policy.Properties["Overrides"].Value);
    }

    /// <summary>
    /// Reads through the SecretManagement extension's Get-Secret, called the way SecretManagement
    /// calls it (module-qualified, with the registration's VaultParameters), keeping its warnings.
    /// </summary>
    private static HostedVault.Result GetSecret(HostedVault vault, string name) => vault.Run("""
        $module = Get-Module SecureVault
        & $module 'SecureVault.Extension\Get-Secret' -Name $n -VaultName Team -AdditionalParameters @{ Vault = $v }
        """, ("v", vault.VaultPath), ("n", name));

    private static string Plain(HostedVault vault, string name) =>
        (string)Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name $n -AsPlainText", ("v", vault.VaultPath), ("n", name))).BaseObject;

    private static List<string> Names(IEnumerable<PSObject> objects) => objects.Select(o => (string)o.Properties["Name"].Value).ToList();

    private static void AssertError(HostedVault.Result result, string id, string command) =>
        Assert.Equal(id + "," + Commands + command, Assert.Single(result.ErrorIds));
}
