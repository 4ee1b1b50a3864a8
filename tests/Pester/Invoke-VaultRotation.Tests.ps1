BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Invoke-VaultRotation' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $viewerPassword = New-TestPassword -Text 'vera reads but never writes'
        $userPassword = New-TestPassword -Text 'bob has his own long passphrase'
        $vault = Join-Path -Path $TestDrive -ChildPath 'invoke-rotation.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'vera' -Role Viewer -Password $viewerPassword
        $null = New-VaultPrincipal -Vault $vault -Name 'bob' -Role User -Password $userPassword
        foreach ($name in 'app/blocked', 'app/exempt', 'app/ok', 'app/overdue', 'app/warning') {
            Set-VaultKey -Vault $vault -Name $name -Value "value of $name"
        }
        Set-VaultKey -Vault $vault -Name 'db/one' -Value 'db one'
        Set-VaultKey -Vault $vault -Name 'db/two' -Value 'db two'
        Set-VaultRotationPolicy -Vault $vault -Name 'app/warning' -MaxAge 30 -Warning 30
        # Due after 1 second; a grace of 30 days keeps it Overdue (and readable after it is rotated).
        Set-VaultRotationPolicy -Vault $vault -Name 'app/overdue' -MaxAge ([timespan]::FromSeconds(1)) -Warning 0 -Grace 30
        foreach ($name in 'app/blocked', 'app/exempt') {
            Set-VaultRotationPolicy -Vault $vault -Name $name -MaxAge ([timespan]::FromSeconds(1)) -Warning 0 -Grace ([timespan]::FromSeconds(1))
        }
        $null = Add-VaultRotationExemption -Vault $vault -Key 'app/exempt' -Reason 'frozen' -Until (Get-Date).AddDays(5)
        Start-Sleep -Seconds 2.5

        # The new value names the key and the value it replaces, so each result can be traced to its input.
        $rotate = { param($Current, $Name) "$Name after " + (ConvertTo-PlainText -SecureString $Current) }
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with -Due and -WhatIf' {
        BeforeAll {
            $ran = @{ Count = 0 }
            $results = Invoke-VaultRotation -Vault $vault -Due -ScriptBlock { $ran.Count++; 'never stored' } -WhatIf
        }

        It 'returns a Skipped result for each due key, sorted by name' {
            $results[0].GetType().FullName | Should -Be 'SecureVault.Rotation.VaultRotationResult'
            $results.Name -join ',' | Should -Be 'app/blocked,app/overdue,app/warning'
            $results.Outcome | ForEach-Object { $_.ToString() } | Sort-Object -Unique | Should -Be 'Skipped'
            $results | Where-Object { $null -ne $_.NewVersion } | Should -BeNullOrEmpty
        }

        It 'changes nothing and does not run the script block' {
            $ran.Count | Should -Be 0
            (Get-VaultRotationStatus -Vault $vault -Due).Version | Should -Be @(1, 1, 1)
        }
    }

    Context 'with -Due' {
        BeforeAll {
            $lastSeq = (Get-VaultAuditLog -Vault $vault -Last 1).Seq
            $results = Invoke-VaultRotation -Vault $vault -Due -ScriptBlock $rotate
            $runRecords = @(Get-VaultAuditLog -Vault $vault | Where-Object Seq -GT $lastSeq)
            $byName = @{}
            foreach ($result in $results) {
                $byName[$result.Name] = $result
            }
        }

        It 'rotates the Warning, Overdue and Blocked keys, in name order' {
            $results.Name -join ',' | Should -Be 'app/blocked,app/overdue,app/warning'
            $results.Outcome | ForEach-Object { $_.ToString() } | Sort-Object -Unique | Should -Be 'Rotated'
        }

        It 'reports the state before and the versions of <Name>' -ForEach @(
            @{ Name = 'app/blocked'; State = 'Blocked' }
            @{ Name = 'app/overdue'; State = 'Overdue' }
            @{ Name = 'app/warning'; State = 'Warning' }
        ) {
            $byName[$Name].StateBefore.ToString() | Should -Be $State
            $byName[$Name].PreviousVersion | Should -Be 1
            $byName[$Name].NewVersion | Should -Be 2
            $byName[$Name].Reason | Should -BeNullOrEmpty
            $byName[$Name].Vault | Should -Be $vault
        }

        It 'stores what the script block made of each key''s current value and name' {
            Get-VaultKey -Vault $vault -Name 'app/overdue' -AsPlainText -WarningAction SilentlyContinue | Should -BeExactly 'app/overdue after value of app/overdue'
            Get-VaultKey -Vault $vault -Name 'app/warning' -AsPlainText -WarningAction SilentlyContinue | Should -BeExactly 'app/warning after value of app/warning'
            (Get-VaultKeyInfo -Vault $vault -Name 'app/blocked').Version | Should -Be 2
        }

        It 'leaves the Ok and the Exempt keys alone' {
            (Get-VaultKeyInfo -Vault $vault -Name 'app/ok').Version | Should -Be 1
            (Get-VaultKeyInfo -Vault $vault -Name 'app/exempt').Version | Should -Be 1
        }

        It 'records each key as a get of its current value and a rotate' {
            foreach ($name in 'app/blocked', 'app/overdue', 'app/warning') {
                $records = @($runRecords | Where-Object Name -EQ $name)
                $records.Action -join ',' | Should -Be 'get,rotate'
                $records.Outcome -join ',' | Should -Be 'success,success'
            }
            @($runRecords | Where-Object Name -In 'app/ok', 'app/exempt').Count | Should -Be 0
        }
    }

    Context 'with -Name' {
        It 'rotates every key the pattern matches, whatever its state' {
            $results = Invoke-VaultRotation -Vault $vault -Name 'db/*' -ScriptBlock $rotate
            $results.Name -join ',' | Should -Be 'db/one,db/two'
            $results.StateBefore | ForEach-Object { $_.ToString() } | Should -Be @('Ok', 'Ok')
            Get-VaultKey -Vault $vault -Name 'db/two' -AsPlainText | Should -BeExactly 'db/two after db two'
        }

        It 'rotates one key by its name, taken as the first positional argument' {
            (Invoke-VaultRotation 'app/ok' -Vault $vault -ScriptBlock $rotate).NewVersion | Should -Be 2
        }

        It 'returns nothing for a pattern that matches no key' {
            Invoke-VaultRotation -Vault $vault -Name 'none/*' -ScriptBlock $rotate | Should -BeNullOrEmpty
        }

        It 'fails with KeyNotFound for a key that does not exist' {
            { Invoke-VaultRotation -Vault $vault -Name 'db/missing' -ScriptBlock $rotate -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }
    }

    Context 'when a key fails' {
        BeforeAll {
            $results = Invoke-VaultRotation -Vault $vault -Name 'db/*' -ScriptBlock {
                param($Current, $Name)
                if ($Name -eq 'db/one') {
                    throw 'the upstream refused the new password'
                }
                "$Name, third"
            } -ErrorVariable runErrors -ErrorAction SilentlyContinue
        }

        It 'reports the failure as the key''s result and goes on with the next key' {
            $results.Name -join ',' | Should -Be 'db/one,db/two'
            $results[0].Outcome.ToString() | Should -Be 'Failed'
            $results[0].Reason | Should -Not -BeNullOrEmpty
            $results[0].Error.ErrorId | Should -Be 'RotationFailed'
            $results[0].NewVersion | Should -BeNullOrEmpty
            $results[1].Outcome.ToString() | Should -Be 'Rotated'
            $results[1].NewVersion | Should -Be 3
        }

        It 'writes no error record: failures are results' {
            @($runErrors).Count | Should -Be 0
        }

        It 'leaves the failed key as it was' {
            (Get-VaultKeyInfo -Vault $vault -Name 'db/one').Version | Should -Be 2
            Get-VaultKey -Vault $vault -Name 'db/two' -AsPlainText | Should -BeExactly 'db/two, third'
        }

        It 'records the failed attempt as a rotate with the error' {
            $failed = @(Get-VaultAuditLog -Vault $vault -Name 'db/one' -Action 'rotate' -Outcome error)
            $failed.Count | Should -Be 1
            $failed[0].Reason | Should -Be 'RotationFailed'
        }
    }

    Context 'without -Name or -Due' {
        It 'rotates every key in the vault, Exempt ones included' {
            $results = Invoke-VaultRotation -Vault $vault -ScriptBlock { 'everything new' }
            $results.Name -join ',' | Should -Be 'app/blocked,app/exempt,app/ok,app/overdue,app/warning,db/one,db/two'
            $results.Outcome | ForEach-Object { $_.ToString() } | Sort-Object -Unique | Should -Be 'Rotated'
        }
    }

    Context 'with progress' {
        It 'shows the keys done of the keys selected, with the key in hand, and completes' {
            $shell = New-TestShell
            try {
                $null = $shell.AddCommand('Invoke-VaultRotation').AddParameter('Vault', $vault).AddParameter('Name', 'db/*').
                    AddParameter('ScriptBlock', [scriptblock]::Create("'from another runspace'"))
                $output = $shell.Invoke()
                $progress = @($shell.Streams.Progress)
            }
            finally {
                $shell.Dispose()
            }
            @($output).Count | Should -Be 2
            $processing = @($progress | Where-Object RecordType -EQ 'Processing')
            $processing.CurrentOperation | Should -Contain 'db/one'
            $processing.CurrentOperation | Should -Contain 'db/two'
            $processing[-1].PercentComplete | Should -Be 100
            $progress[-1].RecordType.ToString() | Should -Be 'Completed'
        }
    }

    Context 'as a User that may rotate some of the keys' {
        BeforeAll {
            Grant-VaultAccess -Vault $vault -Name 'db/one' -Principal 'bob' -Permission Read, Rotate
            # Rotate without Read: the script block could not be given the current value.
            Grant-VaultAccess -Vault $vault -Name 'db/two' -Principal 'bob' -Permission Rotate
            $versionsBefore = (Get-VaultKeyInfo -Vault $vault -Name 'app/*').Version
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'bob' -Password $userPassword
            Set-VaultKey -Vault $vault -Name 'bob/own' -Value 'bob value'
            $results = Invoke-VaultRotation -Vault $vault -ScriptBlock { 'rotated by bob' }
            $byName = @{}
            foreach ($result in $results) {
                $byName[$result.Name] = $result
            }
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'rotates its own key and the key it may read and rotate' {
            $byName['bob/own'].Outcome.ToString() | Should -Be 'Rotated'
            $byName['db/one'].Outcome.ToString() | Should -Be 'Rotated'
            Get-VaultKey -Vault $vault -Name 'db/one' -AsPlainText | Should -BeExactly 'rotated by bob'
        }

        It 'skips every other key, with the reason, and goes on' {
            $results.Name -join ',' | Should -Be 'app/blocked,app/exempt,app/ok,app/overdue,app/warning,bob/own,db/one,db/two'
            $skipped = @($results | Where-Object Name -NotIn 'bob/own', 'db/one')
            $skipped.Outcome | ForEach-Object { $_.ToString() } | Sort-Object -Unique | Should -Be 'Skipped'
            $skipped | Where-Object { -not $_.Reason } | Should -BeNullOrEmpty
            $skipped | Where-Object { $null -ne $_.Error -or $null -ne $_.NewVersion } | Should -BeNullOrEmpty
            (Get-VaultKeyInfo -Vault $vault -Name 'app/*').Version | Should -Be $versionsBefore
        }
    }

    Context 'as a Viewer' {
        BeforeAll {
            Grant-VaultAccess -Vault $vault -Name 'db/one' -Principal 'vera' -Permission Read
            $versionsBefore = (Get-VaultKeyInfo -Vault $vault -Name 'db/*').Version
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'vera' -Password $viewerPassword
            $results = Invoke-VaultRotation -Vault $vault -Name 'db/*' -ScriptBlock { 'viewer value' }
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'skips every key, even one it may read, and changes nothing' {
            $results.Name -join ',' | Should -Be 'db/one,db/two'
            $results.Outcome | ForEach-Object { $_.ToString() } | Sort-Object -Unique | Should -Be 'Skipped'
            (Get-VaultKeyInfo -Vault $vault -Name 'db/*').Version | Should -Be $versionsBefore
        }
    }

    Context 'in the audit log after the runs of other principals' {
        It 'holds a rotate for each key rotated, and none for the keys skipped' {
            @(Get-VaultAuditLog -Vault $vault -Action 'rotate' -Principal 'bob').Name -join ',' | Should -Be 'bob/own,db/one'
            Get-VaultAuditLog -Vault $vault -Action 'rotate' -Principal 'vera' | Should -BeNullOrEmpty
            Get-VaultAuditLog -Vault $vault -Action 'rotate' -Outcome denied | Should -BeNullOrEmpty
        }
    }

    Context 'with invalid input' {
        It 'makes -ScriptBlock mandatory' {
            (Get-Command -Name Invoke-VaultRotation).Parameters['ScriptBlock'].ParameterSets.Values.IsMandatory | Should -Not -Contain $false
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            Lock-Vault -Vault $vault
        }

        AfterAll {
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'fails with VaultLocked' {
            { Invoke-VaultRotation -Vault $vault -Due -ScriptBlock $rotate } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
