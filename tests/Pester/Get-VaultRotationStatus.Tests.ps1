BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Get-VaultRotationStatus' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $viewerPassword = New-TestPassword -Text 'vera reads but never writes'
        $vault = Join-Path -Path $TestDrive -ChildPath 'rotation-status.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'vera' -Role Viewer -Password $viewerPassword
        $written = [datetime]::UtcNow
        Set-VaultKey -Vault $vault -Name 'key/ok' -Value 'ok' -Service 'billing'
        Set-VaultKey -Vault $vault -Name 'key/warning' -Value 'warning'
        Set-VaultKey -Vault $vault -Name 'key/overdue' -Value 'overdue'
        Set-VaultKey -Vault $vault -Name 'key/blocked' -Value 'blocked, first'
        Set-VaultKey -Vault $vault -Name 'key/blocked' -Value 'blocked, second'
        Set-VaultKey -Vault $vault -Name 'key/exempt' -Value 'exempt' -Service 'legacy'
        # A warning period as long as the key's life: Warning from the start, for 30 days.
        Set-VaultRotationPolicy -Vault $vault -Name 'key/warning' -MaxAge 30 -Warning 30
        # Due after 1 second; a grace of 30 days keeps it Overdue, a grace of 1 second makes it Blocked.
        Set-VaultRotationPolicy -Vault $vault -Name 'key/overdue' -MaxAge ([timespan]::FromSeconds(1)) -Warning 0 -Grace 30
        foreach ($name in 'key/blocked', 'key/exempt') {
            Set-VaultRotationPolicy -Vault $vault -Name $name -MaxAge ([timespan]::FromSeconds(1)) -Warning 0 -Grace ([timespan]::FromSeconds(1))
        }
        $exemption = Add-VaultRotationExemption -Vault $vault -Service 'legacy' -Reason 'legacy is frozen' -Until (Get-Date).AddDays(5)
        Start-Sleep -Seconds 2.5
        $all = Get-VaultRotationStatus -Vault $vault
        $byName = @{}
        foreach ($status in $all) {
            $byName[$status.Name] = $status
        }
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'without parameters' {
        It 'returns every key, sorted by name' {
            $all[0].GetType().FullName | Should -Be 'SecureVault.Rotation.VaultRotationStatus'
            $all.Name -join ',' | Should -Be 'key/blocked,key/exempt,key/ok,key/overdue,key/warning'
        }

        It 'gives <Name> the state <State>' -ForEach @(
            @{ Name = 'key/ok'; State = 'Ok'; IsDue = $false }
            @{ Name = 'key/warning'; State = 'Warning'; IsDue = $true }
            @{ Name = 'key/overdue'; State = 'Overdue'; IsDue = $true }
            @{ Name = 'key/blocked'; State = 'Blocked'; IsDue = $true }
            @{ Name = 'key/exempt'; State = 'Exempt'; IsDue = $false }
        ) {
            $byName[$Name].State.ToString() | Should -Be $State
            $byName[$Name].IsDue | Should -Be $IsDue
        }

        It 'dates a key from when its current version was written' {
            $ok = $byName['key/ok']
            $ok.Version | Should -Be 1
            $ok.LastRotated | Should -BeGreaterOrEqual $written.AddSeconds(-1)
            $ok.LastRotated | Should -BeLessThan $written.AddSeconds(2)
            $ok.DueDate | Should -Be $ok.LastRotated.AddDays(90)
            $ok.BlockedFrom | Should -Be $ok.DueDate.AddDays(7)
            $ok.DaysLeft | Should -Be 89
            $ok.Age | Should -BeGreaterThan ([timespan]::FromSeconds(2))
            $ok.Service | Should -Be 'billing'
            $ok.Policy.MaxAge | Should -Be ([timespan]::FromDays(90))
            $ok.Vault | Should -Be $vault
        }

        It 'dates a key with several versions from its latest' {
            $blocked = $byName['key/blocked']
            $blocked.Version | Should -Be 2
            $blocked.DueDate | Should -Be $blocked.LastRotated.AddSeconds(1)
            $blocked.BlockedFrom | Should -Be $blocked.DueDate.AddSeconds(1)
            $blocked.DaysLeft | Should -Be -1
        }

        It 'shows until when and why an exempt key is exempt' {
            $byName['key/exempt'].ExemptUntil | Should -Be $exemption.Until
            $byName['key/exempt'].ExemptReason | Should -Be 'legacy is frozen'
            $byName['key/ok'].ExemptUntil | Should -BeNullOrEmpty
        }
    }

    Context 'with a filter' {
        It 'returns the keys a wildcard matches, and one key by its name without regard to case' {
            (Get-VaultRotationStatus -Vault $vault -Name 'key/o*').Name -join ',' | Should -Be 'key/ok,key/overdue'
            (Get-VaultRotationStatus 'KEY/WARNING' -Vault $vault).Name | Should -Be 'key/warning'
        }

        It 'returns nothing for a pattern that matches no key' {
            Get-VaultRotationStatus -Vault $vault -Name 'none/*' | Should -BeNullOrEmpty
        }

        It 'fails with KeyNotFound for a key that does not exist' {
            { Get-VaultRotationStatus -Vault $vault -Name 'key/missing' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }

        It 'returns only the keys in one state with -State' {
            (Get-VaultRotationStatus -Vault $vault -State Blocked).Name | Should -Be 'key/blocked'
            (Get-VaultRotationStatus -Vault $vault -State Exempt).Name | Should -Be 'key/exempt'
        }

        It 'refuses a state that does not exist' {
            { Get-VaultRotationStatus -Vault $vault -State Expired } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It 'returns the keys that need rotating with -Due: Warning, Overdue and Blocked, not Exempt' {
            (Get-VaultRotationStatus -Vault $vault -Due).Name -join ',' | Should -Be 'key/blocked,key/overdue,key/warning'
        }

        It 'returns the status of every key piped from Get-VaultKeyInfo' {
            (Get-VaultKeyInfo -Vault $vault -Name 'key/*e*' | Get-VaultRotationStatus).Name -join ',' | Should -Be 'key/blocked,key/exempt,key/overdue'
        }
    }

    Context 'after a rotation' {
        It 'dates the key from the new version' {
            $before = [datetime]::UtcNow.AddSeconds(-1)
            Update-VaultKey -Vault $vault -Name 'key/warning' -Value 'rotated'
            $status = Get-VaultRotationStatus -Vault $vault -Name 'key/warning'
            $status.Version | Should -Be 2
            $status.LastRotated | Should -BeGreaterOrEqual $before
            $status.DueDate | Should -Be $status.LastRotated.AddDays(30)
        }
    }

    Context 'in the audit log' {
        It 'records every reading as rotation-read' {
            $before = @(Get-VaultAuditLog -Vault $vault -Action 'rotation-read' -Outcome success).Count
            $null = Get-VaultRotationStatus -Vault $vault
            @(Get-VaultAuditLog -Vault $vault -Action 'rotation-read' -Outcome success).Count | Should -Be ($before + 1)
        }
    }

    Context 'as a Viewer' {
        BeforeAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'vera' -Password $viewerPassword
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'returns the status of every key, which any principal may list' {
            (Get-VaultRotationStatus -Vault $vault).Name -join ',' | Should -Be 'key/blocked,key/exempt,key/ok,key/overdue,key/warning'
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
            { Get-VaultRotationStatus -Vault $vault } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
