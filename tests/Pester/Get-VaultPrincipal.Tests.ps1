BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Get-VaultPrincipal' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $otherPassword = New-TestPassword -Text 'another long passphrase here'
        $vault = Join-Path -Path $TestDrive -ChildPath 'get-principal.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'bob' -Role User -Password $otherPassword
        $null = New-VaultPrincipal -Vault $vault -Name 'vera' -Role Viewer -Password $otherPassword
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'without -Name' {
        It 'lists every principal in the order they were added' {
            (Get-VaultPrincipal -Vault $vault).Name -join ',' | Should -Be 'owner,bob,vera'
        }

        It 'shows each role' {
            (Get-VaultPrincipal -Vault $vault).Role -join ',' | Should -Be 'Admin,User,Viewer'
        }

        It 'records the listing in the audit log' {
            (Get-VaultAuditLog -Vault $vault -Action 'principal-list' -Last 1).Outcome | Should -Be 'success'
        }
    }

    Context 'with -Name' {
        It 'finds a principal without regard to case' {
            (Get-VaultPrincipal -Vault $vault -Name 'BOB').Name | Should -Be 'bob'
        }

        It 'matches a wildcard pattern' {
            (Get-VaultPrincipal -Vault $vault -Name 'v*').Name | Should -Be 'vera'
        }

        It 'writes nothing for a pattern that matches nothing' {
            Get-VaultPrincipal -Vault $vault -Name 'z*' | Should -BeNullOrEmpty
        }

        It 'fails with PrincipalNotFound for a name that does not exist' {
            { Get-VaultPrincipal -Vault $vault -Name 'nobody' -ErrorAction Stop } | Should -Throw -ErrorId 'PrincipalNotFound*'
        }
    }

    Context 'as a Viewer' {
        BeforeAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'vera' -Password $otherPassword
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'may list principals too' {
            @(Get-VaultPrincipal -Vault $vault).Count | Should -Be 3
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
            { Get-VaultPrincipal -Vault $vault } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
