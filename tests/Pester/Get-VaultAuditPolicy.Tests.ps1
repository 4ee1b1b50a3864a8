BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Get-VaultAuditPolicy' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $vault = Join-Path -Path $TestDrive -ChildPath 'policy.vault'
        $null = New-TestVault -Path $vault -Password $password
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'on a new vault' {
        BeforeAll {
            $policy = Get-VaultAuditPolicy -Vault $vault
        }

        It 'returns one AuditPolicy object' {
            @($policy).Count | Should -Be 1
            $policy.GetType().FullName | Should -Be 'SecureVault.AuditPolicy'
        }

        It 'keeps records for 365 days and forwards no alerts' {
            $policy.RetentionDays | Should -Be 365
            $policy.AlertForwarding.ToString() | Should -Be 'None'
            $policy.Vault | Should -Be $vault
        }

        It 'records nothing in the audit log' {
            $before = (Get-VaultStatus -Vault $vault).AuditRecords
            $null = Get-VaultAuditPolicy -Vault $vault
            (Get-VaultStatus -Vault $vault).AuditRecords | Should -Be $before
        }
    }

    Context 'after Set-VaultAuditPolicy' {
        It 'returns the policy that was set' {
            Set-VaultAuditPolicy -Vault $vault -RetentionDays 90
            (Get-VaultAuditPolicy -Vault $vault).RetentionDays | Should -Be 90
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            Lock-Vault -Vault $vault
        }

        AfterAll {
            Unlock-Vault -Vault $vault -Password $password
        }

        It 'still returns the policy' {
            (Get-VaultAuditPolicy -Vault $vault).RetentionDays | Should -Be 90
        }
    }

    Context 'when the vault cannot be found' {
        It 'fails with VaultNotFound' {
            $missing = Join-Path -Path $TestDrive -ChildPath 'missing.vault'
            { Get-VaultAuditPolicy -Vault $missing } | Should -Throw -ErrorId 'VaultNotFound*'
        }
    }
}
