BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Set-VaultPassword' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $oldPassword = New-TestPassword -Text 'the old passphrase'
        $newPassword = New-TestPassword -Text 'the new passphrase'
        $wrongPassword = New-TestPassword -Text 'not the passphrase'
    }

    AfterAll {
        Lock-Vault -All
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with the right current password' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'changed.vault'
            $null = New-TestVault -Path $vault -Password $oldPassword -Principal 'alice'
            Set-VaultKey -Vault $vault -Name 'kept' -Value 'kept value'
            $output = Set-VaultPassword -Vault $vault -Password $oldPassword -NewPassword $newPassword
        }

        It 'writes nothing' {
            $output | Should -BeNullOrEmpty
        }

        It 'keeps the open session unlocked' {
            (Get-VaultStatus -Vault $vault).IsLocked | Should -BeFalse
        }

        It 'no longer accepts the old password' {
            Lock-Vault -Vault $vault
            { Unlock-Vault -Vault $vault -Password $oldPassword } | Should -Throw -ErrorId 'AuthenticationFailed*'
        }

        It 'unlocks with the new password, and every key is still readable' {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Password $newPassword
            Get-VaultKey -Vault $vault -Name 'kept' -AsPlainText | Should -BeExactly 'kept value'
        }

        It 'keeps the KDF parameters' {
            (Get-VaultStatus -Vault $vault).Kdf | Should -Be 'Argon2id m=1 MiB, t=1, p=1'
        }
    }

    Context 'on a locked vault, for a named principal' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'locked.vault'
            $null = New-TestVault -Path $vault -Password $oldPassword -Principal 'alice'
            Lock-Vault -Vault $vault
            Set-VaultPassword -Vault $vault -Principal 'alice' -Password $oldPassword -NewPassword $newPassword
        }

        It 'changes the password without unlocking the vault' {
            (Get-VaultStatus -Vault $vault).IsLocked | Should -BeTrue
            $status = Unlock-Vault -Vault $vault -Password $newPassword -PassThru
            $status.Principal | Should -Be 'alice'
        }
    }

    Context 'with a wrong current password' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'wrong.vault'
            $null = New-TestVault -Path $vault -Password $oldPassword
        }

        It 'fails with AuthenticationFailed' {
            { Set-VaultPassword -Vault $vault -Password $wrongPassword -NewPassword $newPassword } | Should -Throw -ErrorId 'AuthenticationFailed*'
        }

        It 'leaves the old password in place' {
            Lock-Vault -Vault $vault
            { Unlock-Vault -Vault $vault -Password $oldPassword } | Should -Not -Throw
            Lock-Vault -Vault $vault
            { Unlock-Vault -Vault $vault -Password $newPassword } | Should -Throw -ErrorId 'AuthenticationFailed*'
        }
    }

    Context 'with a new password that is too short' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'short.vault'
            $null = New-TestVault -Path $vault -Password $oldPassword
        }

        It 'fails with InvalidInput and leaves the old password in place' {
            $shortPassword = New-TestPassword -Text 'seven77'
            { Set-VaultPassword -Vault $vault -Password $oldPassword -NewPassword $shortPassword -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidInput*'
            Lock-Vault -Vault $vault
            { Unlock-Vault -Vault $vault -Password $oldPassword } | Should -Not -Throw
        }
    }

    Context 'with -WhatIf' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'what-if.vault'
            $null = New-TestVault -Path $vault -Password $oldPassword
        }

        It 'changes nothing' {
            Set-VaultPassword -Vault $vault -Password $oldPassword -NewPassword $newPassword -WhatIf
            Lock-Vault -Vault $vault
            { Unlock-Vault -Vault $vault -Password $newPassword } | Should -Throw -ErrorId 'AuthenticationFailed*'
            { Unlock-Vault -Vault $vault -Password $oldPassword } | Should -Not -Throw
        }
    }
}
