BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Set-VaultAuditPolicy' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $vault = Join-Path -Path $TestDrive -ChildPath 'set-policy.vault'
        $null = New-TestVault -Path $vault -Password $password
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with -RetentionDays' {
        It 'writes nothing without -PassThru' {
            Set-VaultAuditPolicy -Vault $vault -RetentionDays 30 | Should -BeNullOrEmpty
            (Get-VaultAuditPolicy -Vault $vault).RetentionDays | Should -Be 30
        }

        It 'returns the policy with -PassThru and leaves the forwarding as it was' {
            $policy = Set-VaultAuditPolicy -Vault $vault -RetentionDays 60 -PassThru
            $policy.GetType().FullName | Should -Be 'SecureVault.AuditPolicy'
            $policy.RetentionDays | Should -Be 60
            $policy.AlertForwarding.ToString() | Should -Be 'None'
        }

        It 'records the change in the audit log' {
            $record = Get-VaultAuditLog -Vault $vault -Action 'policy' -Last 1
            $record.Outcome | Should -Be 'success'
            $record.Detail | Should -BeLike '*retentionDays=60*'
        }

        It 'refuses a value out of range' {
            { Set-VaultAuditPolicy -Vault $vault -RetentionDays 36501 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            { Set-VaultAuditPolicy -Vault $vault -RetentionDays -1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }
    }

    Context 'with -AlertForwarding' {
        It 'forwards to the log of this operating system' {
            $forwarding = if ($IsWindows) { 'EventLog' } else { 'Syslog' }
            $policy = Set-VaultAuditPolicy -Vault $vault -AlertForwarding $forwarding -PassThru
            $policy.AlertForwarding.ToString() | Should -Be $forwarding
            $policy.RetentionDays | Should -Be 60
            (Get-VaultStatus -Vault $vault).AlertForwarding.ToString() | Should -Be $forwarding
            Set-VaultAuditPolicy -Vault $vault -AlertForwarding None
        }

        It 'refuses the log of another operating system with InvalidInput' {
            $other = if ($IsWindows) { 'Syslog' } else { 'EventLog' }
            { Set-VaultAuditPolicy -Vault $vault -AlertForwarding $other -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            (Get-VaultAuditPolicy -Vault $vault).AlertForwarding.ToString() | Should -Be 'None'
        }

        It 'refuses an unknown forwarding' {
            { Set-VaultAuditPolicy -Vault $vault -AlertForwarding 'Email' } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }
    }

    Context 'without a setting' {
        It 'fails with InvalidInput' {
            { Set-VaultAuditPolicy -Vault $vault } | Should -Throw -ErrorId 'InvalidInput*'
        }
    }

    Context 'with -WhatIf' {
        It 'changes nothing' {
            Set-VaultAuditPolicy -Vault $vault -RetentionDays 7 -WhatIf
            (Get-VaultAuditPolicy -Vault $vault).RetentionDays | Should -Be 60
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            Lock-Vault -Vault $vault
        }

        AfterAll {
            Unlock-Vault -Vault $vault -Password $password
        }

        It 'fails with VaultLocked and changes nothing' {
            { Set-VaultAuditPolicy -Vault $vault -RetentionDays 10 } | Should -Throw -ErrorId 'VaultLocked*'
            (Get-VaultAuditPolicy -Vault $vault).RetentionDays | Should -Be 60
        }
    }
}
