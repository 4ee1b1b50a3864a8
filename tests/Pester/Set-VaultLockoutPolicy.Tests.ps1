BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Set-VaultLockoutPolicy' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $vault = Join-Path -Path $TestDrive -ChildPath 'set-lockout.vault'
        $null = New-TestVault -Path $vault -Password $password
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with settings' {
        It 'writes nothing without -PassThru' {
            Set-VaultLockoutPolicy -Vault $vault -MaxFailures 3 | Should -BeNullOrEmpty
            (Get-VaultLockoutPolicy -Vault $vault).MaxFailures | Should -Be 3
        }

        It 'returns the policy with -PassThru and leaves the other values as they were' {
            $policy = Set-VaultLockoutPolicy -Vault $vault -LockoutDuration '00:30:00' -PassThru
            $policy.GetType().FullName | Should -Be 'SecureVault.Identity.VaultLockoutPolicy'
            $policy.MaxFailures | Should -Be 3
            $policy.LockoutDuration | Should -Be ([timespan]::FromMinutes(30))
            $policy.MaxLockoutDuration | Should -Be ([timespan]::FromDays(1))
        }

        It 'raises the longest lockout to a longer first lockout' {
            $policy = Set-VaultLockoutPolicy -Vault $vault -LockoutDuration (New-TimeSpan -Days 2) -PassThru
            $policy.MaxLockoutDuration | Should -Be ([timespan]::FromDays(2))
        }

        It 'records each change in the audit log' {
            @(Get-VaultAuditLog -Vault $vault -Action 'lockout-policy' -Outcome success).Count | Should -Be 3
        }
    }

    Context 'with invalid input' {
        It 'fails with InvalidInput without a setting' {
            { Set-VaultLockoutPolicy -Vault $vault } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'refuses a failure count out of range' {
            { Set-VaultLockoutPolicy -Vault $vault -MaxFailures 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            { Set-VaultLockoutPolicy -Vault $vault -MaxFailures 101 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It 'refuses a lockout longer than 30 days or a longest lockout shorter than the first' {
            { Set-VaultLockoutPolicy -Vault $vault -LockoutDuration (New-TimeSpan -Days 31) -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            { Set-VaultLockoutPolicy -Vault $vault -MaxLockoutDuration '00:01:00' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            (Get-VaultLockoutPolicy -Vault $vault).LockoutDuration | Should -Be ([timespan]::FromDays(2))
        }
    }

    Context 'with -WhatIf' {
        It 'changes nothing' {
            Set-VaultLockoutPolicy -Vault $vault -MaxFailures 9 -WhatIf
            (Get-VaultLockoutPolicy -Vault $vault).MaxFailures | Should -Be 3
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
            { Set-VaultLockoutPolicy -Vault $vault -MaxFailures 9 } | Should -Throw -ErrorId 'VaultLocked*'
            (Get-VaultLockoutPolicy -Vault $vault).MaxFailures | Should -Be 3
        }
    }
}
