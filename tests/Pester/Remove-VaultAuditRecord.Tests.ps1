BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Remove-VaultAuditRecord' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $vault = Join-Path -Path $TestDrive -ChildPath 'prune.vault'
        $null = New-TestVault -Path $vault -Password $password
        foreach ($name in 'one', 'two', 'three') {
            Set-VaultKey -Vault $vault -Name $name -Value 'value'
        }
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with -WhatIf' {
        It 'removes nothing' {
            $before = (Get-VaultStatus -Vault $vault).AuditRecords
            Remove-VaultAuditRecord -Vault $vault -Before (Get-Date).AddDays(1) -WhatIf
            (Get-VaultStatus -Vault $vault).AuditRecords | Should -Be $before
        }
    }

    Context 'within the retention period' {
        It 'fails with InvalidInput and removes nothing' {
            { Remove-VaultAuditRecord -Vault $vault -Before (Get-Date).AddDays(-1) -Confirm:$false -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidInput*'
            (Get-VaultAuditLog -Vault $vault -Last 1 -Action 'create').Seq | Should -Be 1
        }

        It 'records the refusal' {
            $record = Get-VaultAuditLog -Vault $vault -Action 'prune' -Last 1
            $record.Outcome | Should -Be 'error'
            $record.Reason | Should -Be 'InvalidInput'
        }
    }

    Context 'after the retention period was lowered to 0 days' {
        BeforeAll {
            Set-VaultAuditPolicy -Vault $vault -RetentionDays 0
            $result = Remove-VaultAuditRecord -Vault $vault -Before (Get-Date) -Confirm:$false
        }

        It 'returns what it removed' {
            $result.GetType().FullName | Should -Be 'SecureVault.AuditPruneResult'
            $result.Removed | Should -BeGreaterThan 0
            # Nothing was pruned before, so the removal started at record 1.
            $result.Through | Should -Be $result.Removed
            $result.PruneRecordSeq | Should -BeGreaterThan $result.Through
        }

        It 'removes the records up to Through' {
            (Get-VaultAuditLog -Vault $vault)[0].Seq | Should -Be ($result.Through + 1)
        }

        It 'leaves a chain that still verifies from its new first record' {
            Test-VaultAuditChain -Vault $vault | Should -BeTrue
            (Test-VaultAuditChain -Vault $vault -Detailed).FirstSeq | Should -Be ($result.Through + 1)
        }

        It 'records the pruning with the number of records removed' {
            $record = Get-VaultAuditLog -Vault $vault -Action 'prune' -Outcome 'success'
            $record.Seq | Should -Be $result.PruneRecordSeq
            $record.Count | Should -Be $result.Removed
        }

        It 'removes nothing more when nothing is old enough' {
            $again = Remove-VaultAuditRecord -Vault $vault -Before (Get-Date).AddYears(-1) -Confirm:$false
            $again.Removed | Should -Be 0
            $again.Through | Should -BeNullOrEmpty
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            Lock-Vault -Vault $vault
        }

        AfterAll {
            Unlock-Vault -Vault $vault -Password $password
        }

        It 'fails with VaultLocked' {
            { Remove-VaultAuditRecord -Vault $vault -Confirm:$false } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
