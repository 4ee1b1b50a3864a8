BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Remove-VaultKey' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $vault = Join-Path -Path $TestDrive -ChildPath 'remove.vault'
        $null = New-TestVault -Path $vault -Password $password
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with -WhatIf' {
        BeforeAll {
            Set-VaultKey -Vault $vault -Name 'what-if/kept' -Value 'value'
        }

        It 'removes nothing' {
            Remove-VaultKey -Vault $vault -Name 'what-if/kept' -WhatIf
            (Get-VaultKeyInfo -Vault $vault -Name 'what-if/kept').Name | Should -Be 'what-if/kept'
            Get-VaultKey -Vault $vault -Name 'what-if/kept' -AsPlainText | Should -BeExactly 'value'
        }

        It 'removes nothing for keys piped to it' {
            Get-VaultKeyInfo -Vault $vault -Name 'what-if/*' | Remove-VaultKey -WhatIf
            @(Get-VaultKeyInfo -Vault $vault -Name 'what-if/*').Count | Should -Be 1
        }
    }

    Context 'with -Confirm:$false' {
        It 'removes the key with every version' {
            Set-VaultKey -Vault $vault -Name 'gone/versions' -Value 'one'
            Set-VaultKey -Vault $vault -Name 'gone/versions' -Value 'two'
            Remove-VaultKey -Vault $vault -Name 'gone/versions' -Confirm:$false
            { Get-VaultKey -Vault $vault -Name 'gone/versions' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
            { Get-VaultKey -Vault $vault -Name 'gone/versions' -Version 1 -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }

        It 'finds the key without regard to case' {
            Set-VaultKey -Vault $vault -Name 'gone/Mixed' -Value 'value'
            Remove-VaultKey -Vault $vault -Name 'GONE/MIXED' -Confirm:$false
            Get-VaultKeyInfo -Vault $vault -Name 'gone/*' | Should -BeNullOrEmpty
        }

        It 'writes nothing without -PassThru' {
            Set-VaultKey -Vault $vault -Name 'gone/quiet' -Value 'value'
            $output = Remove-VaultKey -Vault $vault -Name 'gone/quiet' -Confirm:$false
            $output | Should -BeNullOrEmpty
        }

        It 'returns the removed key information with -PassThru' {
            Set-VaultKey -Vault $vault -Name 'gone/pass-thru' -Value 'value' -Tag 'old'
            $removed = Remove-VaultKey -Vault $vault -Name 'gone/pass-thru' -Confirm:$false -PassThru
            $removed.GetType().FullName | Should -Be 'SecureVault.VaultKeyInfo'
            $removed.Name | Should -Be 'gone/pass-thru'
            $removed.Tags -join ',' | Should -Be 'old'
        }

        It 'fails with KeyNotFound for a key that does not exist' {
            { Remove-VaultKey -Vault $vault -Name 'never/written' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }
    }

    Context 'with pipeline input from Get-VaultKeyInfo' {
        BeforeAll {
            foreach ($name in 'batch/one', 'batch/two', 'batch/three', 'stay/here') {
                Set-VaultKey -Vault $vault -Name $name -Value "value of $name"
            }
        }

        It 'removes every key piped to it, in the vault it came from' {
            # No -Vault here: Name and Vault both bind from the piped VaultKeyInfo objects.
            Get-VaultKeyInfo -Vault $vault -Name 'batch/*' | Remove-VaultKey -Confirm:$false
            Get-VaultKeyInfo -Vault $vault -Name 'batch/*' | Should -BeNullOrEmpty
        }

        It 'leaves keys that were not piped' {
            (Get-VaultKeyInfo -Vault $vault -Name 'stay/here').Name | Should -Be 'stay/here'
        }

        It 'writes KeyNotFound for a missing key and goes on with the next one' {
            Set-VaultKey -Vault $vault -Name 'later/key' -Value 'value'
            $items = @(
                [pscustomobject]@{ Name = 'never/written' }
                [pscustomobject]@{ Name = 'later/key' }
            )
            $items | Remove-VaultKey -Vault $vault -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
            @($failures).Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'KeyNotFound,*'
            Get-VaultKeyInfo -Vault $vault -Name 'later/*' | Should -BeNullOrEmpty
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            Set-VaultKey -Vault $vault -Name 'locked/key' -Value 'value'
            Lock-Vault -Vault $vault
        }

        It 'fails with VaultLocked and removes nothing' {
            { Remove-VaultKey -Vault $vault -Name 'locked/key' -Confirm:$false } | Should -Throw -ErrorId 'VaultLocked*'
            Unlock-Vault -Vault $vault -Password $password
            (Get-VaultKeyInfo -Vault $vault -Name 'locked/key').Name | Should -Be 'locked/key'
        }
    }
}
