BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Set-VaultPrincipal' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $bobPassword = New-TestPassword -Text 'bob has his own long passphrase'
        $vault = Join-Path -Path $TestDrive -ChildPath 'set-principal.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'bob' -Role User -Password $bobPassword
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with -Role' {
        It 'writes nothing without -PassThru' {
            Set-VaultPrincipal -Vault $vault -Name 'bob' -Role Viewer | Should -BeNullOrEmpty
            (Get-VaultPrincipal -Vault $vault -Name 'bob').Role.ToString() | Should -Be 'Viewer'
        }

        It 'returns the principal with -PassThru' {
            $principal = Set-VaultPrincipal -Vault $vault -Name 'bob' -Role User -PassThru
            $principal.GetType().FullName | Should -Be 'SecureVault.Access.VaultPrincipalInfo'
            $principal.Role.ToString() | Should -Be 'User'
        }

        It 'records the change in the audit log' {
            (Get-VaultAuditLog -Vault $vault -Action 'principal-set' -Last 1).Outcome | Should -Be 'success'
        }
    }

    Context 'with -Disabled' {
        AfterAll {
            Set-VaultPrincipal -Vault $vault -Name 'bob' -Disabled:$false
        }

        It 'keeps the principal from unlocking' {
            Set-VaultPrincipal -Vault $vault -Name 'bob' -Disabled
            Lock-Vault -Vault $vault
            { Unlock-Vault -Vault $vault -Principal 'bob' -Password $bobPassword -ErrorAction Stop } | Should -Throw -ErrorId 'PrincipalDisabled*'
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'enables it again with -Disabled:$false' {
            (Set-VaultPrincipal -Vault $vault -Name 'bob' -Disabled:$false -PassThru).Disabled | Should -BeFalse
            Lock-Vault -Vault $vault
            (Unlock-Vault -Vault $vault -Principal 'bob' -Password $bobPassword -PassThru).Principal | Should -Be 'bob'
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }
    }

    Context 'with -WhatIf' {
        It 'changes nothing' {
            Set-VaultPrincipal -Vault $vault -Name 'bob' -Role Admin -Disabled -WhatIf
            $principal = Get-VaultPrincipal -Vault $vault -Name 'bob'
            $principal.Role.ToString() | Should -Be 'User'
            $principal.Disabled | Should -BeFalse
        }
    }

    Context 'with invalid input' {
        It 'fails with InvalidInput without -Role or -Disabled' {
            { Set-VaultPrincipal -Vault $vault -Name 'bob' } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'refuses to demote the last enabled Admin' {
            { Set-VaultPrincipal -Vault $vault -Name 'owner' -Role User -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            { Set-VaultPrincipal -Vault $vault -Name 'owner' -Disabled -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            (Get-VaultPrincipal -Vault $vault -Name 'owner').Role.ToString() | Should -Be 'Admin'
        }

        It 'fails with PrincipalNotFound for a principal that does not exist' {
            { Set-VaultPrincipal -Vault $vault -Name 'nobody' -Role User -ErrorAction Stop } | Should -Throw -ErrorId 'PrincipalNotFound*'
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
            { Set-VaultPrincipal -Vault $vault -Name 'bob' -Role Viewer } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
