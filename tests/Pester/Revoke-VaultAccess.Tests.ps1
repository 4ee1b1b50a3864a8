BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Revoke-VaultAccess' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $bobPassword = New-TestPassword -Text 'bob has his own long passphrase'
        $vault = Join-Path -Path $TestDrive -ChildPath 'revoke.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'bob' -Role User -Password $bobPassword
        foreach ($name in 'app/one', 'app/two', 'db/main') {
            Set-VaultKey -Vault $vault -Name $name -Value "value of $name"
        }
        $null = Grant-VaultAccess -Vault $vault -Name '*' -Principal 'bob' -Permission Read, Write
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with -WhatIf' {
        It 'revokes nothing' {
            Revoke-VaultAccess -Vault $vault -Name 'db/main' -Principal 'bob' -WhatIf
            (Get-VaultAccess -Vault $vault -Name 'db/main').Permissions.ToString() | Should -Be 'Read, Write'
        }
    }

    Context 'with -Permission' {
        It 'takes only those permissions away' {
            Revoke-VaultAccess -Vault $vault -Name 'db/main' -Principal 'bob' -Permission Write -Confirm:$false | Should -BeNullOrEmpty
            (Get-VaultAccess -Vault $vault -Name 'db/main').Permissions.ToString() | Should -Be 'Read'
        }
    }

    Context 'without -Permission' {
        It 'removes the grant, so the principal can no longer read the key' {
            $after = Revoke-VaultAccess -Vault $vault -Name 'db/main' -Principal 'bob' -Confirm:$false -PassThru
            $after.Permissions.ToString() | Should -Be 'None'
            Get-VaultAccess -Vault $vault -Name 'db/main' | Should -BeNullOrEmpty
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'bob' -Password $bobPassword
            { Get-VaultKey -Vault $vault -Name 'db/main' -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }
    }

    Context 'with grants piped from Get-VaultAccess and -RotateNow' {
        It 'revokes every grant and rotates the data keys now' {
            Get-VaultAccess -Vault $vault -Principal 'bob' | Revoke-VaultAccess -RotateNow -Confirm:$false
            Get-VaultAccess -Vault $vault -Principal 'bob' | Should -BeNullOrEmpty
            (Get-VaultAuditLog -Vault $vault -Action 'revoke' -Outcome success -Last 1).Detail | Should -BeLike '*rotate-now*'
            Get-VaultKey -Vault $vault -Name 'app/one' -AsPlainText | Should -BeExactly 'value of app/one'
        }
    }

    Context 'when the principal has no grant on the key' {
        It 'fails with InvalidInput' {
            { Revoke-VaultAccess -Vault $vault -Name 'app/*' -Principal 'bob' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
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
            { Revoke-VaultAccess -Vault $vault -Name 'app/one' -Principal 'bob' -Confirm:$false } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
