BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Test-Vault' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $vault = Join-Path -Path $TestDrive -ChildPath 'check.vault'
        $null = New-TestVault -Path $vault -Password $password
        Set-VaultKey -Vault $vault -Name 'first' -Value 'one'
        Set-VaultKey -Vault $vault -Name 'first' -Value 'two'
        Set-VaultKey -Vault $vault -Name 'removed' -Value 'three'
        Remove-VaultKey -Vault $vault -Name 'removed' -Confirm:$false
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'on a vault used normally' {
        It 'returns $true as a Boolean, with no warning' {
            $result = Test-Vault -Vault $vault -WarningVariable warnings
            $result | Should -BeOfType ([bool])
            $result | Should -BeTrue
            $warnings | Should -BeNullOrEmpty
        }

        It 'returns the report with -Detailed' {
            $report = Test-Vault -Vault $vault -Detailed
            $report.GetType().FullName | Should -Be 'SecureVault.VaultCheckReport'
            $report.IsConsistent | Should -BeTrue
            $report.Findings.Count | Should -Be 0
            $report.KeysChecked | Should -Be 1
            $report.VersionsChecked | Should -Be 2
            $report.PrincipalsChecked | Should -Be 1
            $report.AuditRecordsChecked | Should -BeGreaterThan 5
            $report.Vault | Should -Be $vault
        }

        It 'leaves a removed key not found' {
            { Get-VaultKey -Vault $vault -Name 'removed' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }

        It 'records every check in the audit log' {
            $before = @(Get-VaultAuditLog -Vault $vault -Action check).Count
            $null = Test-Vault -Vault $vault
            $records = @(Get-VaultAuditLog -Vault $vault -Action check)
            $records.Count | Should -Be ($before + 1)
            $records[-1].Outcome | Should -Be 'success'
        }
    }

    Context 'on a vault file replaced by an older copy of itself' {
        BeforeAll {
            Lock-Vault -Vault $vault
            $older = Join-Path -Path $TestDrive -ChildPath 'older.vault'
            Copy-TestVaultFile -Path $vault -Destination $older
            Unlock-Vault -Vault $vault -Password $password
            Set-VaultKey -Vault $vault -Name 'later' -Value 'written after the copy'
            Lock-Vault -Vault $vault
            Copy-TestVaultFile -Path $older -Destination $vault
            Unlock-Vault -Vault $vault -Password $password -WarningVariable unlockWarnings 3>$null
        }

        It 'warned at unlock that the vault went backwards' {
            $unlockWarnings | Should -Not -BeNullOrEmpty
        }

        It 'reads the key lost with the newer copy as an integrity violation, not as not found' {
            { Get-VaultKey -Vault $vault -Name 'later' -ErrorAction Stop } | Should -Throw -ErrorId 'IntegrityViolation*'
        }

        It 'returns $false with a warning for the finding' {
            $result = Test-Vault -Vault $vault -WarningVariable warnings 3>$null
            $result | Should -BeOfType ([bool])
            $result | Should -BeFalse
            ($warnings -join "`n") | Should -BeLike '*Chain audit_log*'
            ($warnings -join "`n") | Should -BeLike '*Restore-Vault*'
        }

        It 'reports the rollback once: the next check is consistent and the lost name is only not found' {
            Test-Vault -Vault $vault | Should -BeTrue
            { Get-VaultKey -Vault $vault -Name 'later' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }
    }

    Context 'on a locked vault' {
        It 'fails with VaultLocked' {
            Lock-Vault -Vault $vault
            try {
                { Test-Vault -Vault $vault } | Should -Throw -ErrorId 'VaultLocked*'
            }
            finally {
                Unlock-Vault -Vault $vault -Password $password
            }
        }
    }
}
