using System.Management.Automation;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace SecureVault.PowerShell.Tests;

/// <summary>
/// The audit-trail cmdlets end to end: verification (with tampered and truncated vault files),
/// anchors, the log and its export, the policy, pruning and alerts.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class AuditCmdletTests(ModuleFixture fixture)
{
    private const string Commands = "SecureVault.PowerShell.Commands.";

    [Fact]
    public void Test_VaultAuditChain_returns_a_real_true_on_a_fresh_vault_and_the_report_with_Detailed()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Set-VaultKey -Vault $v -Name k -Value 'x'", ("v", vault.VaultPath));

        var result = vault.Run("Test-VaultAuditChain -Vault $v", ("v", vault.VaultPath));
        Assert.Empty(result.ErrorIds);
        Assert.Empty(result.Warnings);
        Assert.True(Assert.IsType<bool>(Assert.Single(result.Output).BaseObject));
        Assert.Contains(result.Progress, p => p.RecordType == ProgressRecordType.Processing);
        Assert.Equal(ProgressRecordType.Completed, result.Progress[^1].RecordType);
        Assert.Equal("valid", Assert.Single(vault.Invoke("if (Test-VaultAuditChain -Vault $v) { 'valid' } else { 'broken' }", ("v", vault.VaultPath))).BaseObject);

        var report = Assert.Single(vault.Invoke("Test-VaultAuditChain -Vault $v -Detailed", ("v", vault.VaultPath)));
        Assert.Equal("SecureVault.AuditVerification", report.BaseObject.GetType().FullName);
        Assert.True((bool)report.Properties["IsValid"].Value);
        Assert.Equal("None", report.Properties["Reason"].Value.ToString());
        Assert.Null(report.Properties["FirstBadSeq"].Value);
        Assert.Null(report.Properties["AnchorChecked"].Value);
        Assert.Equal(1L, report.Properties["FirstSeq"].Value);
        var records = (long)report.Properties["RecordCount"].Value;
        Assert.True(records >= 3, $"create, set and the first verify are recorded; got {records}");
        Assert.Equal(records, report.Properties["HeadSeq"].Value);
        Assert.Equal(vault.VaultPath, report.Properties["Vault"].Value);

        // The status counts the record the detailed verification itself appended.
        var status = Assert.Single(vault.Invoke("Get-VaultStatus -Vault $v", ("v", vault.VaultPath)));
        Assert.Equal(records + 1, status.Properties["AuditRecords"].Value);
        Assert.Equal(records + 1, status.Properties["AuditHead"].Value);
        Assert.Equal("None", status.Properties["AlertForwarding"].Value.ToString());
        Assert.Null(status.Properties["AlertForwardingProblem"].Value);
    }

    [Fact]
    public void A_tampered_record_makes_Test_VaultAuditChain_false_with_a_warning_and_Detailed_names_it()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Set-VaultKey -Vault $v -Name a -Value 'x'; Set-VaultKey -Vault $v -Name b -Value 'y'; Lock-Vault -Vault $v", ("v", vault.VaultPath));
        long tampered = VaultFile.ChangePidDigit(vault.VaultPath, "SELECT seq FROM audit_log WHERE action = 'set' ORDER BY seq LIMIT 1");
        Unlock(vault);

        var result = vault.Run("Test-VaultAuditChain -Vault $v", ("v", vault.VaultPath));
        Assert.Empty(result.ErrorIds);
        Assert.False(Assert.IsType<bool>(Assert.Single(result.Output).BaseObject));
        var warning = Assert.Single(result.Warnings);
        Assert.Contains(tampered.ToString(), warning, StringComparison.Ordinal);
        Assert.Contains("HashMismatch", warning, StringComparison.Ordinal);

        var detailed = vault.Run("Test-VaultAuditChain -Vault $v -Detailed", ("v", vault.VaultPath));
        Assert.Empty(detailed.ErrorIds);
        Assert.Empty(detailed.Warnings);
        var report = Assert.Single(detailed.Output);
        Assert.False((bool)report.Properties["IsValid"].Value);
        Assert.Equal(tampered, report.Properties["FirstBadSeq"].Value);
        Assert.Equal("HashMismatch", report.Properties["Reason"].Value.ToString());

        // Both verifications failed: each raised its own alert.
        var alerts = vault.Invoke("Get-VaultAlert -Vault $v | Where-Object Kind -eq 'AuditVerificationFailed'", ("v", vault.VaultPath));
        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, a => Assert.Equal("Critical", a.Properties["Severity"].Value.ToString()));
    }

    [Fact]
    public void An_exported_head_catches_a_truncated_log_that_the_chain_alone_does_not()
    {
        using var vault = new HostedVault(fixture);
        var anchorPath = Path.Combine(Path.GetDirectoryName(vault.VaultPath)!, "head.json");
        vault.Invoke("'a', 'b', 'c' | ForEach-Object { Set-VaultKey -Vault $v -Name $_ -Value 'x' }", ("v", vault.VaultPath));
        var anchor = Assert.Single(vault.Invoke("Export-VaultAuditHead -Vault $v -Path $a -PassThru", ("v", vault.VaultPath), ("a", anchorPath)));
        Assert.Equal("SecureVault.AuditAnchor", anchor.BaseObject.GetType().FullName);
        long anchorSeq = (long)anchor.Properties["Seq"].Value;
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(anchorPath));
        var intact = Assert.Single(vault.Invoke("Test-VaultAuditChain -Vault $v -Anchor $a -Detailed", ("v", vault.VaultPath), ("a", anchorPath)));
        Assert.True((bool)intact.Properties["IsValid"].Value);
        Assert.True((bool)intact.Properties["AnchorChecked"].Value);

        var again = vault.Run("Export-VaultAuditHead -Vault $v -Path $a", ("v", vault.VaultPath), ("a", anchorPath));
        Assert.Equal("InvalidInput," + Commands + "ExportVaultAuditHeadCommand", Assert.Single(again.ErrorIds));
        Assert.Empty(vault.Invoke("Export-VaultAuditHead -Vault $v -Path $a -Force", ("v", vault.VaultPath), ("a", anchorPath)));

        // Cut the log well below the anchor, so the records written after it cannot reach its place again.
        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        VaultFile.Execute(vault.VaultPath, "DELETE FROM audit_log WHERE seq > $n", anchorSeq - 3);
        var unlock = vault.Run("Unlock-Vault -Vault $v -Password $p", ("v", vault.VaultPath), ("p", HostedVault.Password));
        Assert.Empty(unlock.ErrorIds);
        Assert.Contains(unlock.Warnings, w => w.Contains("gone backwards", StringComparison.Ordinal));

        Assert.True((bool)Assert.Single(vault.Invoke("Test-VaultAuditChain -Vault $v", ("v", vault.VaultPath))).BaseObject);
        // The first anchor file was replaced with -Force, by a later head: still above the cut.
        var report = Assert.Single(vault.Invoke("Test-VaultAuditChain -Vault $v -Anchor $a -Detailed", ("v", vault.VaultPath), ("a", anchorPath)));
        Assert.False((bool)report.Properties["IsValid"].Value);
        Assert.Equal("TruncatedBelowAnchor", report.Properties["Reason"].Value.ToString());
        Assert.False((bool)report.Properties["AnchorChecked"].Value);
    }

    [Fact]
    public void A_missing_or_foreign_anchor_is_InvalidInput_and_a_locked_vault_is_VaultLocked()
    {
        using var vault = new HostedVault(fixture);
        using var other = new HostedVault(fixture);
        var folder = Path.GetDirectoryName(vault.VaultPath)!;
        var foreign = Path.Combine(folder, "other-head.json");
        other.Invoke("Export-VaultAuditHead -Vault $v -Path $a", ("v", other.VaultPath), ("a", foreign));
        var notAnAnchor = Path.Combine(folder, "not-an-anchor.json");
        File.WriteAllText(notAnAnchor, "{\"format\":\"something else\"}");

        foreach (var path in new[] { Path.Combine(folder, "missing.json"), notAnAnchor, foreign })
        {
            var result = vault.Run("Test-VaultAuditChain -Vault $v -Anchor $a", ("v", vault.VaultPath), ("a", path));
            Assert.Equal("InvalidInput," + Commands + "TestVaultAuditChainCommand", Assert.Single(result.ErrorIds));
            Assert.Empty(result.Output);
        }

        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        var locked = vault.Run("Test-VaultAuditChain -Vault $v", ("v", vault.VaultPath));
        Assert.Equal("VaultLocked," + Commands + "TestVaultAuditChainCommand", Assert.Single(locked.ErrorIds));
        Unlock(vault);
    }

    [Fact]
    public void Get_VaultAuditLog_filters_by_action_name_outcome_principal_time_and_Last()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("""
            Set-VaultKey -Vault $v -Name api/github -Value 'x'
            Set-VaultKey -Vault $v -Name db/main -Value 'y'
            $null = Get-VaultKey -Vault $v -Name api/github
            $null = Get-VaultKey -Vault $v -Name db/main
            """, ("v", vault.VaultPath));
        var missing = vault.Run("Get-VaultKey -Vault $v -Name missing", ("v", vault.VaultPath));
        Assert.Equal("KeyNotFound," + Commands + "GetVaultKeyCommand", Assert.Single(missing.ErrorIds));

        var gets = vault.Invoke("Get-VaultAuditLog -Vault $v -Action get", ("v", vault.VaultPath));
        Assert.All(gets, r => Assert.Equal("SecureVault.VaultAuditRecord", r.BaseObject.GetType().FullName));
        Assert.Equal(["api/github", "db/main", null], gets.Select(r => (string?)r.Properties["Name"].Value));
        Assert.Equal(["success", "success", "error"], gets.Select(r => (string)r.Properties["Outcome"].Value));

        var byName = Assert.Single(vault.Invoke("Get-VaultAuditLog -Vault $v -Action get -Name 'API/*'", ("v", vault.VaultPath)));
        Assert.Equal("api/github", byName.Properties["Name"].Value);
        Assert.Equal("owner", byName.Properties["Principal"].Value);
        Assert.Equal(1, byName.Properties["Version"].Value);
        Assert.NotNull(byName.Properties["TargetId"].Value);
        Assert.True((bool)byName.Properties["IsSigned"].Value);
        Assert.Equal(["set", "get"], vault.Invoke("Get-VaultAuditLog -Vault $v -Name db/main | ForEach-Object Action", ("v", vault.VaultPath))
            .Select(o => (string)o.BaseObject));

        var error = Assert.Single(vault.Invoke("Get-VaultAuditLog -Vault $v -Outcome error", ("v", vault.VaultPath)));
        Assert.Equal("get", error.Properties["Action"].Value);
        Assert.Equal("KeyNotFound", error.Properties["Reason"].Value);

        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        var wrong = vault.Run("Unlock-Vault -Vault $v -Password $p", ("v", vault.VaultPath), ("p", ModuleFixture.Secure("not the password")));
        Assert.Equal("AuthenticationFailed," + Commands + "UnlockVaultCommand", Assert.Single(wrong.ErrorIds));
        Unlock(vault);
        var denied = Assert.Single(vault.Invoke("Get-VaultAuditLog -Vault $v -Outcome Denied", ("v", vault.VaultPath)));
        Assert.Equal("unlock", denied.Properties["Action"].Value);
        Assert.Equal("AuthenticationFailed", denied.Properties["Reason"].Value);
        Assert.False((bool)denied.Properties["IsSigned"].Value);

        var all = vault.Invoke("Get-VaultAuditLog -Vault $v", ("v", vault.VaultPath));
        var seqs = all.Select(r => (long)r.Properties["Seq"].Value).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
        // The newest two: the last record of the full read, and the record of that read itself.
        var last = vault.Invoke("Get-VaultAuditLog -Vault $v -Last 2", ("v", vault.VaultPath));
        Assert.Equal([seqs[^1], seqs[^1] + 1], last.Select(r => (long)r.Properties["Seq"].Value));
        Assert.Equal("read-audit", last[1].Properties["Action"].Value);

        var owned = vault.Invoke("Get-VaultAuditLog -Vault $v -Principal 'OWN*'", ("v", vault.VaultPath));
        Assert.True(owned.Count > all.Count);
        Assert.All(owned, r => Assert.Equal("owner", r.Properties["Principal"].Value));
        Assert.Empty(vault.Invoke("Get-VaultAuditLog -Vault $v -Principal nobody", ("v", vault.VaultPath)));
        Assert.Empty(vault.Invoke("Get-VaultAuditLog -Vault $v -Since ([datetime]::Now.AddMinutes(5))", ("v", vault.VaultPath)));
        Assert.Empty(vault.Invoke("Get-VaultAuditLog -Vault $v -Until ([datetime]::Now.AddDays(-1))", ("v", vault.VaultPath)));

        var invalid = vault.Run("Get-VaultAuditLog -Vault $v -Outcome maybe", ("v", vault.VaultPath));
        Assert.StartsWith("ParameterArgumentValidationError,", Assert.Single(invalid.ErrorIds));
    }

    [Fact]
    public void Action_names_complete_for_the_Action_parameter_and_match_the_engines_actions()
    {
        using var vault = new HostedVault(fixture);
        using var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = vault.Runspace;
        var input = "Get-VaultAuditLog -Action ex";
        Assert.Equal(["export-head", "exemption-add", "exemption-remove"], CommandCompletion.CompleteInput(input, input.Length, null, ps).CompletionMatches.Select(c => c.CompletionText));
        var export = "Export-VaultAuditLog -Path x.jsonl -Action pr";
        Assert.Equal(["prune", "principal-add", "principal-set", "principal-remove", "principal-list"], CommandCompletion.CompleteInput(export, export.Length, null, ps).CompletionMatches.Select(c => c.CompletionText));

        // The completer keeps its own list (the engine's is internal): it must not drift from the engine's.
        var all = "Get-VaultAuditLog -Action ";
        var completed = CommandCompletion.CompleteInput(all, all.Length, null, ps).CompletionMatches.Select(c => c.CompletionText).Order();
        var engine = vault.Invoke("""
            $core = (Get-VaultStatus -Vault $v).GetType().Assembly
            # The constants only: AuditAction also holds arrays of them (VersionWrites).
            $core.GetType('SecureVault.Audit.AuditAction', $true).GetFields('Public, Static') | Where-Object IsLiteral | ForEach-Object { $_.GetValue($null) }
            """, ("v", vault.VaultPath)).Select(o => (string)o.BaseObject).Order();
        Assert.Equal(engine, completed);
    }

    [Fact]
    public void Export_VaultAuditLog_writes_private_JSON_lines_and_replaces_a_file_only_with_Force()
    {
        using var vault = new HostedVault(fixture);
        var folder = Path.GetDirectoryName(vault.VaultPath)!;
        var path = Path.Combine(folder, "audit.jsonl");
        vault.Invoke("Set-VaultKey -Vault $v -Name api -Value 'secret-value-1'; $null = Get-VaultKey -Vault $v -Name api", ("v", vault.VaultPath));
        var expected = vault.Invoke("Get-VaultAuditLog -Vault $v | ForEach-Object Seq", ("v", vault.VaultPath)).Select(o => (long)o.BaseObject).ToList();

        Assert.Empty(vault.Invoke("Export-VaultAuditLog -Vault $v -Path $p", ("v", vault.VaultPath), ("p", path)));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var lines = File.ReadAllLines(path, Encoding.UTF8);
        Assert.DoesNotContain(lines, line => line.Contains("secret-value-1", StringComparison.Ordinal));
        var exported = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        // The export sees the previous read's record too.
        Assert.Equal(expected.Append(expected[^1] + 1), exported.Select(e => e.GetProperty("seq").GetInt64()));
        Assert.All(exported, e => Assert.Equal(64, e.GetProperty("hash").GetString()!.Length));

        var refused = vault.Run("Export-VaultAuditLog -Vault $v -Path $p", ("v", vault.VaultPath), ("p", path));
        Assert.Equal("InvalidInput," + Commands + "ExportVaultAuditLogCommand", Assert.Single(refused.ErrorIds));
        Assert.Equal(lines, File.ReadAllLines(path, Encoding.UTF8));

        // -Force replaces a file that others could read with a private one holding only what the filter matches.
        File.WriteAllText(path, "old\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
        var file = Assert.Single(vault.Invoke("Export-VaultAuditLog -Vault $v -Path $p -Action get -Name api -Format JsonLines -Force -PassThru",
            ("v", vault.VaultPath), ("p", path)));
        Assert.Equal(path, Assert.IsType<FileInfo>(file.BaseObject).FullName);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var only = JsonDocument.Parse(Assert.Single(File.ReadAllLines(path, Encoding.UTF8))).RootElement;
        Assert.Equal("get", only.GetProperty("action").GetString());
        Assert.Equal("api", only.GetProperty("name").GetString());
        Assert.Single(Directory.GetFiles(folder, "audit.jsonl*"));

        var whatIf = Path.Combine(folder, "what-if.jsonl");
        vault.Invoke("Export-VaultAuditLog -Vault $v -Path $p -WhatIf", ("v", vault.VaultPath), ("p", whatIf));
        Assert.False(File.Exists(whatIf));

        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        var lockedPath = Path.Combine(folder, "locked.jsonl");
        var locked = vault.Run("Export-VaultAuditLog -Vault $v -Path $p", ("v", vault.VaultPath), ("p", lockedPath));
        Assert.Equal("VaultLocked," + Commands + "ExportVaultAuditLogCommand", Assert.Single(locked.ErrorIds));
        Assert.False(File.Exists(lockedPath));
        Unlock(vault);
    }

    [Fact]
    public void Set_VaultAuditPolicy_and_Get_VaultAuditPolicy_round_trip()
    {
        using var vault = new HostedVault(fixture);
        var initial = Assert.Single(vault.Invoke("Get-VaultAuditPolicy -Vault $v", ("v", vault.VaultPath)));
        Assert.Equal("SecureVault.AuditPolicy", initial.BaseObject.GetType().FullName);
        Assert.Equal(365, initial.Properties["RetentionDays"].Value);
        Assert.Equal("None", initial.Properties["AlertForwarding"].Value.ToString());

        Assert.Empty(vault.Invoke("Set-VaultAuditPolicy -Vault $v -RetentionDays 30", ("v", vault.VaultPath)));
        var changed = Assert.Single(vault.Invoke("Set-VaultAuditPolicy -Vault $v -AlertForwarding None -PassThru", ("v", vault.VaultPath)));
        Assert.Equal(30, changed.Properties["RetentionDays"].Value);
        vault.Invoke("Set-VaultAuditPolicy -Vault $v -RetentionDays 7 -WhatIf", ("v", vault.VaultPath));

        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        var whileLocked = Assert.Single(vault.Invoke("Get-VaultAuditPolicy -Vault $v", ("v", vault.VaultPath)));
        Assert.Equal(30, whileLocked.Properties["RetentionDays"].Value);
        var locked = vault.Run("Set-VaultAuditPolicy -Vault $v -RetentionDays 10", ("v", vault.VaultPath));
        Assert.Equal("VaultLocked," + Commands + "SetVaultAuditPolicyCommand", Assert.Single(locked.ErrorIds));
        Unlock(vault);

        var nothing = vault.Run("Set-VaultAuditPolicy -Vault $v", ("v", vault.VaultPath));
        Assert.Equal("InvalidInput," + Commands + "SetVaultAuditPolicyCommand", Assert.Single(nothing.ErrorIds));
        var outOfRange = vault.Run("Set-VaultAuditPolicy -Vault $v -RetentionDays 36501", ("v", vault.VaultPath));
        Assert.StartsWith("ParameterArgumentValidationError,", Assert.Single(outOfRange.ErrorIds));
        var platform = OperatingSystem.IsWindows() ? "Syslog" : "EventLog";
        var wrongPlatform = vault.Run($"Set-VaultAuditPolicy -Vault $v -AlertForwarding {platform}", ("v", vault.VaultPath));
        Assert.Equal("InvalidInput," + Commands + "SetVaultAuditPolicyCommand", Assert.Single(wrongPlatform.ErrorIds));
        Assert.Equal(["policy", "policy"], vault.Invoke("Get-VaultAuditLog -Vault $v -Action policy | ForEach-Object Action", ("v", vault.VaultPath))
            .Select(o => (string)o.BaseObject));
    }

    [Fact]
    public void Remove_VaultAuditRecord_honours_WhatIf_and_retention_and_the_pruned_chain_still_verifies()
    {
        using var vault = new HostedVault(fixture);
        var anchorPath = Path.Combine(Path.GetDirectoryName(vault.VaultPath)!, "head.json");
        vault.Invoke("'a', 'b' | ForEach-Object { Set-VaultKey -Vault $v -Name $_ -Value 'x' }; Export-VaultAuditHead -Vault $v -Path $a",
            ("v", vault.VaultPath), ("a", anchorPath));
        long Records() => (long)Assert.Single(vault.Invoke("Get-VaultStatus -Vault $v", ("v", vault.VaultPath))).Properties["AuditRecords"].Value;
        long before = Records();

        Assert.Empty(vault.Invoke("Remove-VaultAuditRecord -Vault $v -Before ([datetime]::Now.AddDays(1)) -WhatIf", ("v", vault.VaultPath)));
        Assert.Equal(before, Records());

        // The default policy keeps a year: a cut-off of yesterday is refused, and the refusal recorded.
        var refused = vault.Run("Remove-VaultAuditRecord -Vault $v -Before ([datetime]::Now.AddDays(-1)) -Confirm:$false", ("v", vault.VaultPath));
        Assert.Equal("InvalidInput," + Commands + "RemoveVaultAuditRecordCommand", Assert.Single(refused.ErrorIds));
        Assert.Empty(refused.Output);
        var refusal = Assert.Single(vault.Invoke("Get-VaultAuditLog -Vault $v -Action prune", ("v", vault.VaultPath)));
        Assert.Equal("error", refusal.Properties["Outcome"].Value);
        Assert.Equal("InvalidInput", refusal.Properties["Reason"].Value);

        vault.Invoke("Set-VaultAuditPolicy -Vault $v -RetentionDays 0 -Confirm:$false", ("v", vault.VaultPath));
        var result = Assert.Single(vault.Invoke("Remove-VaultAuditRecord -Vault $v -Before ([datetime]::Now) -Confirm:$false", ("v", vault.VaultPath)));
        Assert.Equal("SecureVault.AuditPruneResult", result.BaseObject.GetType().FullName);
        long removed = (long)result.Properties["Removed"].Value;
        var through = (long)result.Properties["Through"].Value!;
        Assert.True(removed > 0);
        Assert.Equal(removed, through); // nothing was pruned before, so the removal starts at record 1
        Assert.True((long)result.Properties["PruneRecordSeq"].Value > through);

        Assert.True((bool)Assert.Single(vault.Invoke("Test-VaultAuditChain -Vault $v", ("v", vault.VaultPath))).BaseObject);
        var report = Assert.Single(vault.Invoke("Test-VaultAuditChain -Vault $v -Detailed", ("v", vault.VaultPath)));
        Assert.Equal(through + 1, report.Properties["FirstSeq"].Value);
        // The anchored record was pruned: the chain holds, but the anchor can no longer show truncation, and the user is told.
        var pruned = vault.Run("Test-VaultAuditChain -Vault $v -Anchor $a", ("v", vault.VaultPath), ("a", anchorPath));
        Assert.Empty(pruned.ErrorIds);
        Assert.True((bool)Assert.Single(pruned.Output).BaseObject);
        Assert.Contains("pruned", Assert.Single(pruned.Warnings), StringComparison.Ordinal);
        var prune = Assert.Single(vault.Invoke("Get-VaultAuditLog -Vault $v -Action prune -Outcome success", ("v", vault.VaultPath)));
        Assert.Equal(result.Properties["PruneRecordSeq"].Value, prune.Properties["Seq"].Value);
        Assert.Equal(removed, prune.Properties["Count"].Value);
    }

    [Fact]
    public void Three_failed_unlocks_raise_a_RepeatedFailedUnlock_alert()
    {
        using var vault = new HostedVault(fixture);
        Assert.Empty(vault.Invoke("Get-VaultAlert -Vault $v", ("v", vault.VaultPath)));
        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        for (int i = 0; i < 3; i++)
        {
            var wrong = vault.Run("Unlock-Vault -Vault $v -Password $p", ("v", vault.VaultPath), ("p", ModuleFixture.Secure("not the password")));
            Assert.Equal("AuthenticationFailed," + Commands + "UnlockVaultCommand", Assert.Single(wrong.ErrorIds));
        }
        var locked = vault.Run("Get-VaultAlert -Vault $v", ("v", vault.VaultPath));
        Assert.Equal("VaultLocked," + Commands + "GetVaultAlertCommand", Assert.Single(locked.ErrorIds));
        Unlock(vault);

        var alert = Assert.Single(vault.Invoke("Get-VaultAlert -Vault $v", ("v", vault.VaultPath)));
        Assert.Equal("SecureVault.VaultAlert", alert.BaseObject.GetType().FullName);
        Assert.Equal("RepeatedFailedUnlock", alert.Properties["Kind"].Value);
        Assert.Equal("Warning", alert.Properties["Severity"].Value.ToString());
        Assert.Equal("owner", alert.Properties["Principal"].Value);
        Assert.Equal(3, alert.Properties["Count"].Value);
        Assert.Empty(vault.Invoke("Get-VaultAlert -Vault $v -Since ([datetime]::Now.AddMinutes(5))", ("v", vault.VaultPath)));
    }

    [Fact]
    public void Unlock_Vault_warns_once_when_the_vault_file_was_rolled_back_to_an_older_copy()
    {
        using var vault = new HostedVault(fixture);
        RollBack(vault);
        var unlock = vault.Run("Unlock-Vault -Vault $v -Password $p", ("v", vault.VaultPath), ("p", HostedVault.Password));
        Assert.Empty(unlock.ErrorIds);
        Assert.Contains("gone backwards", Assert.Single(unlock.Warnings), StringComparison.Ordinal);
        Assert.Contains(vault.Invoke("Get-VaultAlert -Vault $v | ForEach-Object Kind", ("v", vault.VaultPath)), k => (string)k.BaseObject == "VaultRolledBack");

        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        Assert.Empty(vault.Run("Unlock-Vault -Vault $v -Password $p", ("v", vault.VaultPath), ("p", HostedVault.Password)).Warnings);
    }

    [Fact]
    public void Unlock_SecretVault_of_the_extension_warns_too()
    {
        using var vault = new HostedVault(fixture);
        RollBack(vault);
        // As SecretManagement calls it: through the module, by its nested module's name.
        var unlock = vault.Run("& (Get-Module SecureVault) 'SecureVault.Extension\\Unlock-SecretVault' -VaultName test -AdditionalParameters @{ Vault = $v } -Password $p",
            ("v", vault.VaultPath), ("p", HostedVault.Password));
        Assert.Empty(unlock.ErrorIds);
        Assert.Contains("gone backwards", Assert.Single(unlock.Warnings), StringComparison.Ordinal);
        Assert.False((bool)Assert.Single(vault.Invoke("Get-VaultStatus -Vault $v", ("v", vault.VaultPath))).Properties["IsLocked"].Value);
    }

    /// <summary>Leaves the vault locked, as an older copy of itself: keys and records written since the copy are gone.</summary>
    private static void RollBack(HostedVault vault)
    {
        vault.Invoke("Set-VaultKey -Vault $v -Name early -Value 'x'; Lock-Vault -Vault $v", ("v", vault.VaultPath));
        // Lock-Vault closes the store's connections, so the vault is then one file with no write-ahead log beside it.
        Assert.False(File.Exists(vault.VaultPath + "-wal"));
        var copy = vault.VaultPath + ".copy";
        File.Copy(vault.VaultPath, copy);
        Unlock(vault);
        vault.Invoke("Set-VaultKey -Vault $v -Name later -Value 'y'; Lock-Vault -Vault $v", ("v", vault.VaultPath));
        File.Copy(copy, vault.VaultPath, overwrite: true);
    }

    private static void Unlock(HostedVault vault) =>
        vault.Invoke("Unlock-Vault -Vault $v -Password $p", ("v", vault.VaultPath), ("p", HostedVault.Password));

    /// <summary>Plain SQL on a vault file that no session has open, as an attacker with the file would edit it.</summary>
    private static class VaultFile
    {
        public static int Execute(string path, string sql, long n)
        {
            using var connection = Open(path);
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$n", n);
            return command.ExecuteNonQuery();
        }

        /// <summary>
        /// Changes the last digit of the process id inside one stored record (the record stays
        /// canonical JSON, so only the chain hash can tell). Returns the record's seq.
        /// </summary>
        public static long ChangePidDigit(string path, string selectSeq)
        {
            using var connection = Open(path);
            using var select = connection.CreateCommand();
            select.CommandText = selectSeq;
            long seq = (long)select.ExecuteScalar()!;
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT record FROM audit_log WHERE seq = $seq";
            read.Parameters.AddWithValue("$seq", seq);
            var record = (byte[])read.ExecuteScalar()!;
            int at = IndexOf(record, "\"pid\":"u8.ToArray());
            Assert.True(at >= 0, "the record has a pid member");
            int last = at + "\"pid\":".Length;
            while (last + 1 < record.Length && char.IsAsciiDigit((char)record[last + 1])) last++;
            record[last] = (byte)(record[last] == '9' ? '1' : record[last] + 1);
            using var write = connection.CreateCommand();
            write.CommandText = "UPDATE audit_log SET record = $record WHERE seq = $seq";
            write.Parameters.AddWithValue("$record", record);
            write.Parameters.AddWithValue("$seq", seq);
            Assert.Equal(1, write.ExecuteNonQuery());
            return seq;
        }

        private static SqliteConnection Open(string path)
        {
            var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
            connection.Open();
            return connection;
        }

        private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
    }
}
