using System.Management.Automation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecureVault.PowerShell.Tests;

/// <summary>
/// The access cmdlets end to end: the role matrix acted out through the cmdlets by an Admin, a User
/// and a Viewer (every refusal a typed AccessDenied with a denied audit record), principals and their
/// lifecycle, grants with expiry and revocation, the lockout policy, and the static role matrix.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class AccessCmdletTests(ModuleFixture fixture)
{
    private const string Commands = "SecureVault.PowerShell.Commands.";
    private const string ActorPasswordText = "the actor's own long passphrase";
    private static System.Security.SecureString ActorPassword => ModuleFixture.Secure(ActorPasswordText);

    /// <summary>
    /// One operation of the matrix, run as the acting principal ($me) on a vault where the owner
    /// holds owner/secret, owner/granted (granted Read to the actor unless it is an Admin) and
    /// owner/doomed, the actor holds $me/own, and the Viewer 'reader' exists to receive grants.
    /// </summary>
    /// <param name="RefusedAction">The audit action a refusal is recorded under.</param>
    public sealed record Operation(string Label, string Script, string RefusedAction, bool Admin, bool User, bool Viewer)
    {
        public bool AllowedFor(string role) => role switch { "Admin" => Admin, "User" => User, "Viewer" => Viewer, _ => throw new ArgumentException(role) };
        public override string ToString() => Label;
    }

    private static readonly Operation[] Matrix =
    [
        new("create a key", "Set-VaultKey -Vault $v -Name \"$me/new\" -Value 'x'", "set", true, true, false),
        new("read its own key", "$null = Get-VaultKey -Vault $v -Name \"$me/own\"", "get", true, true, false),
        new("read another's key", "$null = Get-VaultKey -Vault $v -Name owner/secret", "get", true, false, false),
        new("read a key granted to it", "$null = Get-VaultKey -Vault $v -Name owner/granted", "get", true, true, true),
        new("write another's key", "Set-VaultKey -Vault $v -Name owner/secret -Value 'overwritten'", "set", true, false, false),
        new("remove another's key", "Remove-VaultKey -Vault $v -Name owner/doomed -Confirm:$false", "remove", true, false, false),
        new("list keys", "$null = Get-VaultKeyInfo -Vault $v", "list", true, true, true),
        new("grant access to its own key", "$null = Grant-VaultAccess -Vault $v -Name \"$me/own\" -Principal reader -Permission Read", "grant", true, true, false),
        new("grant access to another's key", "$null = Grant-VaultAccess -Vault $v -Name owner/secret -Principal reader -Permission Read", "grant", true, false, false),
        new("add a principal", "$null = New-VaultPrincipal -Vault $v -Name \"$me-new\" -Role Viewer -Password $np", "principal-add", true, false, false),
        new("change the audit policy", "Set-VaultAuditPolicy -Vault $v -RetentionDays 400 -Confirm:$false", "policy", true, false, false),
        new("read the audit log", "$null = Get-VaultAuditLog -Vault $v -Last 1", "read-audit", true, false, false),
        new("change the lockout policy", "Set-VaultLockoutPolicy -Vault $v -MaxFailures 6 -Confirm:$false", "lockout-policy", true, false, false),
        new("clear a lockout", "Unlock-VaultPrincipal -Vault $v -Name reader -Confirm:$false", "lockout-clear", true, false, false),
    ];

    public static TheoryData<string, string> Roles => new() { { "Admin", "ada" }, { "User", "bob" }, { "Viewer", "vera" } };

    [Theory]
    [MemberData(nameof(Roles))]
    public void Each_role_is_allowed_exactly_what_the_matrix_gives_it_and_every_refusal_is_AccessDenied_and_audited(string role, string me)
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath), m = ("me", me);
        vault.Invoke("""
            Set-VaultKey -Vault $v -Name owner/secret -Value 'original'
            Set-VaultKey -Vault $v -Name owner/granted -Value 'shared'
            Set-VaultKey -Vault $v -Name owner/doomed -Value 'doomed'
            $null = New-VaultPrincipal -Vault $v -Name reader -Role Viewer -Password $p
            # A Viewer starts as a User, so it can own a key before its demotion.
            $null = New-VaultPrincipal -Vault $v -Name $me -Role $(if ($role -eq 'Viewer') { 'User' } else { $role }) -Password $ap
            """, v, m, ("role", role), ("p", HostedVault.Password), ("ap", ActorPassword));
        ActAs(vault, me, ActorPassword);
        vault.Invoke("Set-VaultKey -Vault $v -Name \"$me/own\" -Value 'mine'", v, m);
        ActAs(vault, "owner", HostedVault.Password);
        if (role == "Viewer") vault.Invoke("Set-VaultPrincipal -Vault $v -Name $me -Role Viewer -Confirm:$false", v, m);
        if (role != "Admin") vault.Invoke("$null = Grant-VaultAccess -Vault $v -Name owner/granted -Principal $me -Permission Read", v, m);

        ActAs(vault, me, ActorPassword);
        Assert.Equal(role, Assert.Single(vault.Invoke("(Get-VaultStatus -Vault $v).Role", v)).BaseObject.ToString());
        var problems = new List<string>();
        foreach (var operation in Matrix)
        {
            var result = vault.Run(operation.Script, v, m, ("np", ModuleFixture.Secure("a new principal's passphrase")));
            var ids = result.ErrorIds.ToList();
            if (operation.AllowedFor(role))
            {
                if (ids.Count != 0) problems.Add($"{role} should {operation.Label}, got {string.Join(", ", ids)}");
            }
            else if (ids.Count != 1 || !ids[0].StartsWith("AccessDenied,", StringComparison.Ordinal) || result.Output.Count != 0)
            {
                problems.Add($"{role} must not {operation.Label}, got [{string.Join(", ", ids)}] and {result.Output.Count} output object(s)");
            }
        }
        Assert.Empty(problems);

        // Read back as the owner: one denied record per refusal, in order, and nothing refused took effect.
        ActAs(vault, "owner", HostedVault.Password);
        var denied = vault.Invoke("Get-VaultAuditLog -Vault $v -Principal $me -Outcome denied", v, m);
        var expected = Matrix.Where(o => !o.AllowedFor(role)).Select(o => o.RefusedAction).ToList();
        Assert.Equal(expected, denied.Select(r => (string)r.Properties["Action"].Value));
        Assert.All(denied, r => Assert.Equal("AccessDenied", r.Properties["Reason"].Value));

        bool admin = role == "Admin";
        Assert.Equal(admin ? "overwritten" : "original", Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name owner/secret -AsPlainText", v)).BaseObject);
        Assert.Equal(admin ? 0 : 1, vault.Invoke("Get-VaultKeyInfo -Vault $v -Name 'owner/doom*'", v).Count);
        Assert.Equal(admin ? 1 : 0, vault.Invoke("Get-VaultPrincipal -Vault $v -Name \"$me-ne*\"", v, m).Count);
        Assert.Equal(admin ? 400 : 365, Assert.Single(vault.Invoke("(Get-VaultAuditPolicy -Vault $v).RetentionDays", v)).BaseObject);
        Assert.Equal(admin ? 6 : 5, Assert.Single(vault.Invoke("(Get-VaultLockoutPolicy -Vault $v).MaxFailures", v)).BaseObject);
        var readerGrants = vault.Invoke("Get-VaultAccess -Vault $v -Principal reader | ForEach-Object Key", v).Select(o => (string)o.BaseObject).ToList();
        Assert.Equal(admin ? ["ada/own", "owner/secret"] : role == "User" ? ["bob/own"] : [], readerGrants);
    }

    [Fact]
    public void Principals_are_added_listed_disabled_enabled_and_removed_and_the_last_Admin_stays()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        var added = Assert.Single(vault.Invoke("New-VaultPrincipal -Vault $v -Name bob -Role User -Password $p", v, ("p", ActorPassword)));
        Assert.Equal("SecureVault.Access.VaultPrincipalInfo", added.BaseObject.GetType().FullName);
        Assert.Equal("bob", added.Properties["Name"].Value);
        Assert.Equal("User", added.Properties["Role"].Value.ToString());
        Assert.False((bool)added.Properties["Disabled"].Value);
        Assert.Equal(["Password"], (string[])added.Properties["Credentials"].Value);
        Assert.Null(added.Properties["LockedUntil"].Value);
        Assert.Equal(vault.VaultPath, added.Properties["Vault"].Value);

        Assert.Empty(vault.Invoke("New-VaultPrincipal -Vault $v -Name ghost -Role Admin -Password $p -WhatIf", v, ("p", ActorPassword)));
        AssertError(vault.Run("Get-VaultPrincipal -Vault $v -Name ghost", v), "PrincipalNotFound", "GetVaultPrincipalCommand");
        AssertError(vault.Run("New-VaultPrincipal -Vault $v -Name BOB -Role Viewer -Password $p", v, ("p", ActorPassword)), "PrincipalExists", "NewVaultPrincipalCommand");
        var shortPassword = vault.Run("New-VaultPrincipal -Vault $v -Name carol -Role User -Password $p", v, ("p", ModuleFixture.Secure("too-short-pw")));
        AssertError(shortPassword, "InvalidInput", "NewVaultPrincipalCommand");
        Assert.DoesNotContain("too-short-pw", shortPassword.Errors[0].ToString(), StringComparison.Ordinal);
        AssertError(vault.Run("New-VaultPrincipal -Vault $v -Name 'bad name' -Role User -Password $p", v, ("p", ActorPassword)), "InvalidInput", "NewVaultPrincipalCommand");
        Assert.StartsWith("ParameterArgumentValidationError,", Assert.Single(vault.Run("New-VaultPrincipal -Vault $v -Name carol -Role Owner -Password $p", v, ("p", ActorPassword)).ErrorIds));

        Assert.Equal(["owner", "bob"], Names(vault.Invoke("Get-VaultPrincipal -Vault $v", v)));
        Assert.Equal(["bob"], Names(vault.Invoke("Get-VaultPrincipal -Vault $v -Name 'B*'", v)));
        Assert.Empty(vault.Invoke("Get-VaultPrincipal -Vault $v -Name 'x*'", v));
        // By property name: names from any object, in the vault each names.
        Assert.Equal(["owner", "bob"], Names(vault.Invoke("[pscustomobject]@{ Name = 'owner'; Vault = $v }, [pscustomobject]@{ Name = 'bob'; Vault = $v } | Get-VaultPrincipal", v)));

        // Disabling suspends; -Disabled:$false enables again.
        vault.Invoke("Set-VaultPrincipal -Vault $v -Name bob -Disabled -WhatIf", v);
        Assert.False((bool)Assert.Single(vault.Invoke("(Get-VaultPrincipal -Vault $v -Name bob).Disabled", v)).BaseObject);
        Assert.Empty(vault.Invoke("Set-VaultPrincipal -Vault $v -Name bob -Disabled", v));
        vault.Invoke("Lock-Vault -Vault $v", v);
        AssertError(vault.Run("Unlock-Vault -Vault $v -Principal bob -Password $p", v, ("p", ActorPassword)), "PrincipalDisabled", "UnlockVaultCommand");
        ActAs(vault, "owner", HostedVault.Password);
        var enabled = Assert.Single(vault.Invoke("Set-VaultPrincipal -Vault $v -Name bob -Disabled:$false -PassThru", v));
        Assert.False((bool)enabled.Properties["Disabled"].Value);
        ActAs(vault, "bob", ActorPassword);
        ActAs(vault, "owner", HostedVault.Password);

        AssertError(vault.Run("Set-VaultPrincipal -Vault $v -Name bob", v), "InvalidInput", "SetVaultPrincipalCommand");
        AssertError(vault.Run("Set-VaultPrincipal -Vault $v -Name nobody -Role Admin", v), "PrincipalNotFound", "SetVaultPrincipalCommand");
        AssertError(vault.Run("Set-VaultPrincipal -Vault $v -Name owner -Role User", v), "InvalidInput", "SetVaultPrincipalCommand");
        AssertError(vault.Run("Set-VaultPrincipal -Vault $v -Name owner -Disabled", v), "InvalidInput", "SetVaultPrincipalCommand");
        AssertError(vault.Run("Remove-VaultPrincipal -Vault $v -Name owner -Confirm:$false", v), "InvalidInput", "RemoveVaultPrincipalCommand");
        Assert.Equal("Admin", Assert.Single(vault.Invoke("(Get-VaultPrincipal -Vault $v -Name owner).Role", v)).BaseObject.ToString());

        // With a second Admin, the first may step down.
        var promoted = Assert.Single(vault.Invoke("Set-VaultPrincipal -Vault $v -Name bob -Role Admin -PassThru", v));
        Assert.Equal("Admin", promoted.Properties["Role"].Value.ToString());

        Assert.Empty(vault.Invoke("Remove-VaultPrincipal -Vault $v -Name bob -WhatIf", v));
        Assert.Single(vault.Invoke("Get-VaultPrincipal -Vault $v -Name bob", v));
        AssertError(vault.Run("Remove-VaultPrincipal -Vault $v -Name nobody -Confirm:$false", v), "PrincipalNotFound", "RemoveVaultPrincipalCommand");
        var removed = Assert.Single(vault.Invoke("Remove-VaultPrincipal -Vault $v -Name bob -Confirm:$false -PassThru", v));
        Assert.Equal("bob", removed.Properties["Name"].Value);
        AssertError(vault.Run("Get-VaultPrincipal -Vault $v -Name bob", v), "PrincipalNotFound", "GetVaultPrincipalCommand");
        // Only the owner is left, an Admin: it cannot be removed.
        AssertError(vault.Run("Remove-VaultPrincipal -Vault $v -Name owner -Confirm:$false", v), "InvalidInput", "RemoveVaultPrincipalCommand");

        // A credential binds its UserName to -Name and its Password to -Password.
        var fromCredential = Assert.Single(vault.Invoke("[pscredential]::new('carol', $p) | New-VaultPrincipal -Vault $v -Role Viewer", v, ("p", ActorPassword)));
        Assert.Equal(("carol", "Viewer"), ((string)fromCredential.Properties["Name"].Value, fromCredential.Properties["Role"].Value.ToString()));

        var actions = vault.Invoke("Get-VaultAuditLog -Vault $v -Action 'principal-[asr]*' -Outcome success | ForEach-Object Action", v).Select(o => (string)o.BaseObject);
        Assert.Equal(["principal-add", "principal-set", "principal-set", "principal-set", "principal-remove", "principal-add"], actions);
    }

    [Fact]
    public void Demoting_and_removing_a_principal_rotate_its_keys_with_progress()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("$null = New-VaultPrincipal -Vault $v -Name bob -Role User -Password $p", v, ("p", ActorPassword));
        ActAs(vault, "bob", ActorPassword);
        vault.Invoke("'bob/one', 'bob/two', 'bob/three' | ForEach-Object { Set-VaultKey -Vault $v -Name $_ -Value 'x' }", v);
        ActAs(vault, "owner", HostedVault.Password);

        var demotion = vault.Run("Set-VaultPrincipal -Vault $v -Name bob -Role Viewer -Confirm:$false", v);
        Assert.Empty(demotion.ErrorIds);
        Assert.Contains(demotion.Progress, p => p.RecordType == ProgressRecordType.Processing && p.PercentComplete == 100);
        Assert.Equal(ProgressRecordType.Completed, demotion.Progress[^1].RecordType);
        var set = vault.Invoke("Get-VaultAuditLog -Vault $v -Action principal-set -Last 1", v).Single();
        Assert.Equal(3L, set.Properties["Count"].Value);
        // A Viewer holds nothing of its own: its keys stay, unreadable to it.
        ActAs(vault, "bob", ActorPassword);
        Assert.StartsWith("AccessDenied,", Assert.Single(vault.Run("Get-VaultKey -Vault $v -Name bob/one", v).ErrorIds));
        Assert.Equal(3, vault.Invoke("Get-VaultKeyInfo -Vault $v -Name 'bob/*'", v).Count);

        ActAs(vault, "owner", HostedVault.Password);
        vault.Invoke("Set-VaultPrincipal -Vault $v -Name bob -Role User -Confirm:$false; $null = Grant-VaultAccess -Vault $v -Name 'bob/*' -Principal bob -Permission Read", v);
        var removal = vault.Run("Remove-VaultPrincipal -Vault $v -Name bob -Confirm:$false", v);
        Assert.Empty(removal.ErrorIds);
        Assert.True(removal.Progress.Count(p => p.RecordType == ProgressRecordType.Processing) >= 4, "one record per key and one at the end");
        Assert.Equal(ProgressRecordType.Completed, removal.Progress[^1].RecordType);
        Assert.Empty(vault.Invoke("Get-VaultAccess -Vault $v", v));
        Assert.Equal("x", Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name bob/two -AsPlainText", v)).BaseObject);
    }

    [Fact]
    public void A_principal_can_be_added_with_a_certificate_instead_of_a_password()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=nightly-job", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var expired = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));

        var job = Assert.Single(vault.Invoke("New-VaultPrincipal -Vault $v -Name nightly-job -Role Viewer -Certificate $c", v, ("c", certificate)));
        Assert.Equal("Viewer", job.Properties["Role"].Value.ToString());
        Assert.Equal(["Certificate"], (string[])job.Properties["Credentials"].Value);
        AssertError(vault.Run("New-VaultPrincipal -Vault $v -Name old-job -Role Viewer -Certificate $c", v, ("c", expired)), "InvalidInput", "NewVaultPrincipalCommand");
        var both = vault.Run("New-VaultPrincipal -Vault $v -Name both -Role Viewer -Certificate $c -Password $p", v, ("c", certificate), ("p", ActorPassword));
        Assert.StartsWith("AmbiguousParameterSet,", Assert.Single(both.ErrorIds));
        Assert.Equal(["owner", "nightly-job"], Names(vault.Invoke("Get-VaultPrincipal -Vault $v", v)));
    }

    [Fact]
    public void The_lockout_policy_round_trips_and_Unlock_VaultPrincipal_clears_a_lockout()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        var initial = Assert.Single(vault.Invoke("Get-VaultLockoutPolicy -Vault $v", v));
        Assert.Equal("SecureVault.Identity.VaultLockoutPolicy", initial.BaseObject.GetType().FullName);
        Assert.Equal((5, TimeSpan.FromMinutes(15), TimeSpan.FromDays(1)),
            ((int)initial.Properties["MaxFailures"].Value, (TimeSpan)initial.Properties["LockoutDuration"].Value, (TimeSpan)initial.Properties["MaxLockoutDuration"].Value));

        Assert.Empty(vault.Invoke("Set-VaultLockoutPolicy -Vault $v -MaxFailures 3 -WhatIf", v));
        Assert.Equal(5, Assert.Single(vault.Invoke("(Get-VaultLockoutPolicy -Vault $v).MaxFailures", v)).BaseObject);
        Assert.Empty(vault.Invoke("Set-VaultLockoutPolicy -Vault $v -MaxFailures 3", v));
        var changed = Assert.Single(vault.Invoke("Set-VaultLockoutPolicy -Vault $v -MaxFailures 2 -LockoutDuration '00:10:00' -PassThru", v));
        Assert.Equal((2, TimeSpan.FromMinutes(10), TimeSpan.FromDays(1)),
            ((int)changed.Properties["MaxFailures"].Value, (TimeSpan)changed.Properties["LockoutDuration"].Value, (TimeSpan)changed.Properties["MaxLockoutDuration"].Value));
        AssertError(vault.Run("Set-VaultLockoutPolicy -Vault $v", v), "InvalidInput", "SetVaultLockoutPolicyCommand");
        AssertError(vault.Run("Set-VaultLockoutPolicy -Vault $v -LockoutDuration ([timespan]::FromDays(40))", v), "InvalidInput", "SetVaultLockoutPolicyCommand");
        AssertError(vault.Run("Set-VaultLockoutPolicy -Vault $v -MaxLockoutDuration '00:05:00'", v), "InvalidInput", "SetVaultLockoutPolicyCommand");
        Assert.StartsWith("ParameterArgumentValidationError,", Assert.Single(vault.Run("Set-VaultLockoutPolicy -Vault $v -MaxFailures 0", v).ErrorIds));
        Assert.Equal(["lockout-policy", "lockout-policy"], vault.Invoke("Get-VaultAuditLog -Vault $v -Action lockout-policy -Outcome success | ForEach-Object Action", v)
            .Select(o => (string)o.BaseObject));

        // Two wrong passwords lock bob out; even his right one is then refused.
        vault.Invoke("$null = New-VaultPrincipal -Vault $v -Name bob -Role User -Password $p; Lock-Vault -Vault $v", v, ("p", ActorPassword));
        Assert.Equal(2, Assert.Single(vault.Invoke("(Get-VaultLockoutPolicy -Vault $v).MaxFailures", v)).BaseObject); // works while locked
        for (int i = 0; i < 2; i++)
            AssertError(vault.Run("Unlock-Vault -Vault $v -Principal bob -Password $p", v, ("p", ModuleFixture.Secure("not bob's password at all"))), "AuthenticationFailed", "UnlockVaultCommand");
        AssertError(vault.Run("Unlock-Vault -Vault $v -Principal bob -Password $p", v, ("p", ActorPassword)), "PrincipalLockedOut", "UnlockVaultCommand");

        ActAs(vault, "owner", HostedVault.Password);
        Assert.IsType<DateTime>(Assert.Single(vault.Invoke("(Get-VaultPrincipal -Vault $v -Name bob).LockedUntil", v)).BaseObject);
        Assert.Empty(vault.Invoke("Unlock-VaultPrincipal -Vault $v -Name bob -WhatIf", v));
        Assert.NotNull(Assert.Single(vault.Invoke("Get-VaultPrincipal -Vault $v -Name bob", v)).Properties["LockedUntil"].Value);
        AssertError(vault.Run("Unlock-VaultPrincipal -Vault $v -Name nobody", v), "PrincipalNotFound", "UnlockVaultPrincipalCommand");
        var cleared = Assert.Single(vault.Invoke("Unlock-VaultPrincipal -Vault $v -Name bob -PassThru", v));
        Assert.Null(cleared.Properties["LockedUntil"].Value);
        Assert.Equal(0, cleared.Properties["FailedAttempts"].Value);
        Assert.Equal("success", Assert.Single(vault.Invoke("Get-VaultAuditLog -Vault $v -Action lockout-clear", v)).Properties["Outcome"].Value);
        ActAs(vault, "bob", ActorPassword);
        ActAs(vault, "owner", HostedVault.Password);
    }

    [Fact]
    public void Get_VaultRole_shows_the_matrix_without_any_vault()
    {
        using var host = new HostedVault(fixture, create: false);
        var rows = host.Invoke("Get-VaultRole");
        Assert.True(rows.Count >= 20, $"{rows.Count} permissions");
        Assert.All(rows, r => Assert.Equal("SecureVault.Access.VaultRolePermission", r.BaseObject.GetType().FullName));
        var engineCount = Assert.Single(host.Invoke("""
            $permissions = (Get-VaultRole)[0].GetType().Assembly.GetType('SecureVault.Access.Permissions', $true)
            $permissions.GetProperty('Matrix').GetValue($null).Count
            """)).BaseObject;
        Assert.Equal(engineCount, rows.Count);
        Assert.All(rows, r => Assert.Equal("All", r.Properties["Admin"].Value.ToString()));
        var read = rows.Single(r => (string)r.Properties["Permission"].Value == "read");
        Assert.Equal(("OwnAndGranted", "Granted"), (read.Properties["User"].Value.ToString(), read.Properties["Viewer"].Value.ToString()));

        var viewer = host.Invoke("Get-VaultRole -Role Viewer | ForEach-Object Permission").Select(o => (string)o.BaseObject).ToList();
        Assert.Contains("read", viewer);
        Assert.Contains("list", viewer);
        Assert.DoesNotContain("create", viewer);
        Assert.DoesNotContain("manage-principals", viewer);
        Assert.Equal(rows.Count, host.Invoke("Get-VaultRole -Role Admin").Count);
        Assert.Equal(["list", "list-access", "list-principals"], host.Invoke("Get-VaultRole -Permission 'LIST*' | ForEach-Object Permission").Select(o => (string)o.BaseObject));
        Assert.Empty(host.Invoke("Get-VaultRole -Role Viewer -Permission create"));
        Assert.Equal("InvalidInput," + Commands + "GetVaultRoleCommand", Assert.Single(host.Run("Get-VaultRole -Permission nonsense").ErrorIds));
        Assert.StartsWith("ParameterArgumentValidationError,", Assert.Single(host.Run("Get-VaultRole -Role Owner").ErrorIds));

        using var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = host.Runspace;
        var input = "Get-VaultRole -Permission manage-p";
        Assert.Equal(["manage-principals"], CommandCompletion.CompleteInput(input, input.Length, null, ps).CompletionMatches.Select(c => c.CompletionText));
    }

    [Fact]
    public void Grants_are_given_listed_and_revoked_with_expiry_from_ExpiresAt_or_Duration()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("""
            'app/one', 'app/two', 'db/main' | ForEach-Object { Set-VaultKey -Vault $v -Name $_ -Value "value of $_" }
            $null = New-VaultPrincipal -Vault $v -Name bob -Role User -Password $p
            $null = New-VaultPrincipal -Vault $v -Name vera -Role Viewer -Password $p
            $null = New-VaultPrincipal -Vault $v -Name ada -Role Admin -Password $p
            """, v, ("p", ActorPassword));

        var granted = vault.Invoke("Grant-VaultAccess -Vault $v -Name 'app/*' -Principal bob -Permission Read", v);
        Assert.Equal(["app/one", "app/two"], granted.Select(g => (string)g.Properties["Key"].Value));
        Assert.All(granted, g =>
        {
            Assert.Equal("SecureVault.Access.VaultAccessInfo", g.BaseObject.GetType().FullName);
            Assert.Equal(("bob", "Read", "owner"), ((string)g.Properties["Principal"].Value, g.Properties["Permissions"].Value.ToString(), (string)g.Properties["GrantedBy"].Value));
            Assert.Null(g.Properties["Expires"].Value);
        });

        Assert.Empty(vault.Invoke("Grant-VaultAccess -Vault $v -Name db/main -Principal bob -Permission Read -WhatIf", v));
        Assert.Empty(vault.Invoke("Get-VaultAccess -Vault $v -Name db/main", v));
        AssertError(vault.Run("Grant-VaultAccess -Vault $v -Name db/main -Principal bob -Permission Read -ExpiresAt ([datetime]::Now.AddMinutes(-1))", v), "InvalidInput", "GrantVaultAccessCommand");
        AssertError(vault.Run("Grant-VaultAccess -Vault $v -Name db/main -Principal bob -Permission Read -Duration '-01:00:00'", v), "InvalidInput", "GrantVaultAccessCommand");
        AssertError(vault.Run("Grant-VaultAccess -Vault $v -Name db/main -Principal bob -Permission Read -Duration 0", v), "InvalidInput", "GrantVaultAccessCommand");
        Assert.StartsWith("AmbiguousParameterSet,", Assert.Single(vault.Run(
            "Grant-VaultAccess -Vault $v -Name db/main -Principal bob -Permission Read -Duration '01:00:00' -ExpiresAt ([datetime]::Now.AddDays(1))", v).ErrorIds));
        Assert.StartsWith("ParameterArgumentValidationError,", Assert.Single(vault.Run("Grant-VaultAccess -Vault $v -Name db/main -Principal bob -Permission Execute", v).ErrorIds));
        AssertError(vault.Run("Grant-VaultAccess -Vault $v -Name db/main -Principal ada -Permission Read", v), "InvalidInput", "GrantVaultAccessCommand");
        AssertError(vault.Run("Grant-VaultAccess -Vault $v -Name db/main -Principal vera -Permission Read, Write", v), "InvalidInput", "GrantVaultAccessCommand");
        AssertError(vault.Run("Grant-VaultAccess -Vault $v -Name db/missing -Principal bob -Permission Read", v), "KeyNotFound", "GrantVaultAccessCommand");
        AssertError(vault.Run("Grant-VaultAccess -Vault $v -Name db/main -Principal nobody -Permission Read", v), "PrincipalNotFound", "GrantVaultAccessCommand");
        Assert.Empty(vault.Invoke("Get-VaultAccess -Vault $v -Name db/main", v));

        // -ExpiresAt without a kind is local time; a UTC DateTime is taken as UTC.
        var local = new DateTime(2099, 1, 2, 3, 4, 5, DateTimeKind.Unspecified);
        var untilLocal = Assert.Single(vault.Invoke("Grant-VaultAccess -Vault $v -Name db/main -Principal vera -Permission Read -ExpiresAt $at", v, ("at", local)));
        Assert.Equal(DateTime.SpecifyKind(local, DateTimeKind.Local).ToUniversalTime(), (DateTime)untilLocal.Properties["Expires"].Value);
        var utc = new DateTime(2099, 6, 7, 8, 9, 10, DateTimeKind.Utc);
        var untilUtc = Assert.Single(vault.Invoke("Grant-VaultAccess -Vault $v -Name db/main -Principal vera -Permission Read -ExpiresAt $at", v, ("at", utc)));
        Assert.Equal(utc, (DateTime)untilUtc.Properties["Expires"].Value);
        var before = DateTime.UtcNow;
        var forAnHour = Assert.Single(vault.Invoke("Grant-VaultAccess -Vault $v -Name db/main -Principal bob -Permission Read -Duration '01:00:00'", v));
        var after = DateTime.UtcNow;
        var expires = (DateTime)forAnHour.Properties["Expires"].Value;
        Assert.InRange(expires, before.AddHours(1).AddMilliseconds(-1), after.AddHours(1));

        Assert.Equal(["app/one", "app/two", "db/main", "db/main"], vault.Invoke("Get-VaultAccess -Vault $v | ForEach-Object Key", v).Select(o => (string)o.BaseObject));
        Assert.Equal(["db/main"], vault.Invoke("Get-VaultAccess -Vault $v -Principal vera | ForEach-Object Key", v).Select(o => (string)o.BaseObject));
        Assert.Equal(["bob", "vera"], vault.Invoke("Get-VaultAccess -Vault $v -Name 'DB/*' | ForEach-Object Principal", v).Select(o => (string)o.BaseObject));
        AssertError(vault.Run("Get-VaultAccess -Vault $v -Principal nobody", v), "PrincipalNotFound", "GetVaultAccessCommand");

        ActAs(vault, "bob", ActorPassword);
        Assert.Equal("value of db/main", Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name db/main -AsPlainText", v)).BaseObject);
        ActAs(vault, "owner", HostedVault.Password);

        // Revocation: -WhatIf keeps it, -Permission takes part of it, piping Get-VaultAccess takes all.
        vault.Invoke("Revoke-VaultAccess -Vault $v -Name app/one -Principal bob -WhatIf", v);
        Assert.Equal(2, vault.Invoke("Get-VaultAccess -Vault $v -Name 'app/*'", v).Count);
        Assert.Equal("Read, Write", Assert.Single(vault.Invoke("Grant-VaultAccess -Vault $v -Name app/one -Principal bob -Permission Write", v)).Properties["Permissions"].Value.ToString());
        Assert.Empty(vault.Invoke("Revoke-VaultAccess -Vault $v -Name app/one -Principal bob -Permission Write -Confirm:$false", v));
        Assert.Equal("Read", Assert.Single(vault.Invoke("(Get-VaultAccess -Vault $v -Name app/one).Permissions", v)).BaseObject.ToString());
        var revoked = vault.Invoke("Get-VaultAccess -Vault $v -Principal bob | Revoke-VaultAccess -RotateNow -Confirm:$false -PassThru", v);
        Assert.Equal(3, revoked.Count);
        Assert.All(revoked, g => Assert.Equal("None", g.Properties["Permissions"].Value.ToString()));
        Assert.Empty(vault.Invoke("Get-VaultAccess -Vault $v -Principal bob", v));
        AssertError(vault.Run("Revoke-VaultAccess -Vault $v -Name 'app/*' -Principal bob -Confirm:$false", v), "InvalidInput", "RevokeVaultAccessCommand");
        Assert.Contains("rotate-now", (string)vault.Invoke("Get-VaultAuditLog -Vault $v -Action revoke -Outcome success -Last 1", v).Single().Properties["Detail"].Value);

        ActAs(vault, "bob", ActorPassword);
        Assert.StartsWith("AccessDenied,", Assert.Single(vault.Run("Get-VaultKey -Vault $v -Name app/one", v).ErrorIds));
        ActAs(vault, "owner", HostedVault.Password);
    }

    [Fact]
    public void Principal_names_complete_only_while_the_vault_is_unlocked()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("'bob', 'bea' | ForEach-Object { $null = New-VaultPrincipal -Vault $v -Name $_ -Role User -Password $p }",
            ("v", vault.VaultPath), ("p", ActorPassword));
        using var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = vault.Runspace;
        string[] Complete(string input) => CommandCompletion.CompleteInput(input, input.Length, null, ps).CompletionMatches.Select(c => c.CompletionText).ToArray();

        Assert.Equal(["bob", "bea"], Complete($"Set-VaultPrincipal -Vault '{vault.VaultPath}' -Name b"));
        Assert.Equal(["owner"], Complete($"Grant-VaultAccess -Vault '{vault.VaultPath}' -Name x -Principal O"));
        Assert.Equal(["bea"], Complete($"Get-VaultAccess -Vault '{vault.VaultPath}' -Principal be"));
        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        Assert.Empty(Complete($"Remove-VaultPrincipal -Vault '{vault.VaultPath}' -Name b"));
        ActAs(vault, "owner", HostedVault.Password);
    }

    /// <summary>Ends the session and opens one as <paramref name="principal"/>.</summary>
    private static void ActAs(HostedVault vault, string principal, System.Security.SecureString password) =>
        vault.Invoke("Lock-Vault -Vault $v; Unlock-Vault -Vault $v -Principal $n -Password $p", ("v", vault.VaultPath), ("n", principal), ("p", password));

    private static void AssertError(HostedVault.Result result, string id, string command) =>
        Assert.Equal(id + "," + Commands + command, Assert.Single(result.ErrorIds));

    private static List<string> Names(IEnumerable<PSObject> principals) => principals.Select(p => (string)p.Properties["Name"].Value).ToList();
}
