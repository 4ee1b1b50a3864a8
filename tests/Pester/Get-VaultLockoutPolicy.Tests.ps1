BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Get-VaultLockoutPolicy' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $vault = Join-Path -Path $TestDrive -ChildPath 'lockout-policy.vault'
        $null = New-TestVault -Path $vault -Password $password
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'on a new vault' {
        BeforeAll {
            $policy = Get-VaultLockoutPolicy -Vault $vault
        }

        It 'returns one VaultLockoutPolicy object' {
            @($policy).Count | Should -Be 1
            $policy.GetType().FullName | Should -Be 'SecureVault.Identity.VaultLockoutPolicy'
        }

        It 'locks out after 5 failures for 15 minutes, at most a day' {
            $policy.MaxFailures | Should -Be 5
            $policy.LockoutDuration | Should -Be ([timespan]::FromMinutes(15))
            $policy.MaxLockoutDuration | Should -Be ([timespan]::FromDays(1))
            $policy.Vault | Should -Be $vault
        }
    }

    Context 'after Set-VaultLockoutPolicy' {
        It 'returns the policy that was set' {
            Set-VaultLockoutPolicy -Vault $vault -MaxFailures 8
            (Get-VaultLockoutPolicy -Vault $vault).MaxFailures | Should -Be 8
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
            (Get-VaultLockoutPolicy -Vault $vault).MaxFailures | Should -Be 8
        }
    }

    Context 'when the vault cannot be found' {
        It 'fails with VaultNotFound' {
            $missing = Join-Path -Path $TestDrive -ChildPath 'missing.vault'
            { Get-VaultLockoutPolicy -Vault $missing } | Should -Throw -ErrorId 'VaultNotFound*'
        }
    }
}
