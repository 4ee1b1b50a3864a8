BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Remove-VaultPrincipal' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $otherPassword = New-TestPassword -Text 'another long passphrase here'
        $vault = Join-Path -Path $TestDrive -ChildPath 'remove-principal.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        foreach ($name in 'bob', 'carol', 'dave') {
            $null = New-VaultPrincipal -Vault $vault -Name $name -Role User -Password $otherPassword
        }
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with -WhatIf' {
        It 'removes nothing' {
            Remove-VaultPrincipal -Vault $vault -Name 'bob' -WhatIf
            (Get-VaultPrincipal -Vault $vault -Name 'bob').Name | Should -Be 'bob'
        }
    }

    Context 'with -Confirm:$false' {
        It 'removes the principal so that it can no longer unlock' {
            Remove-VaultPrincipal -Vault $vault -Name 'bob' -Confirm:$false | Should -BeNullOrEmpty
            { Get-VaultPrincipal -Vault $vault -Name 'bob' -ErrorAction Stop } | Should -Throw -ErrorId 'PrincipalNotFound*'
            Lock-Vault -Vault $vault
            { Unlock-Vault -Vault $vault -Principal 'bob' -Password $otherPassword } | Should -Throw -ErrorId 'AuthenticationFailed*'
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'returns the removed principal with -PassThru' {
            $removed = Remove-VaultPrincipal -Vault $vault -Name 'carol' -Confirm:$false -PassThru
            $removed.GetType().FullName | Should -Be 'SecureVault.Access.VaultPrincipalInfo'
            $removed.Name | Should -Be 'carol'
        }

        It 'rotates the keys it could read, which stay readable to the others' {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'dave' -Password $otherPassword
            Set-VaultKey -Vault $vault -Name 'dave/key' -Value 'kept'
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
            Remove-VaultPrincipal -Vault $vault -Name 'dave' -Confirm:$false
            # The record counts the data keys rotated: dave held a copy of one.
            (Get-VaultAuditLog -Vault $vault -Action 'principal-remove' -Last 1).Count | Should -Be 1
            Get-VaultKey -Vault $vault -Name 'dave/key' -AsPlainText | Should -BeExactly 'kept'
        }

        It 'records each removal in the audit log' {
            @(Get-VaultAuditLog -Vault $vault -Action 'principal-remove' -Outcome success).Count | Should -Be 3
        }
    }

    Context 'for the last enabled Admin' {
        It 'fails with InvalidInput and keeps it' {
            { Remove-VaultPrincipal -Vault $vault -Name 'owner' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            (Get-VaultPrincipal -Vault $vault -Name 'owner').Role.ToString() | Should -Be 'Admin'
        }
    }

    Context 'for a principal that does not exist' {
        It 'fails with PrincipalNotFound, even with -WhatIf' {
            { Remove-VaultPrincipal -Vault $vault -Name 'nobody' -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'PrincipalNotFound*'
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
            { Remove-VaultPrincipal -Vault $vault -Name 'owner' -Confirm:$false } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
