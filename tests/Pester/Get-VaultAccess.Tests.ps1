BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Get-VaultAccess' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $otherPassword = New-TestPassword -Text 'another long passphrase here'
        $vault = Join-Path -Path $TestDrive -ChildPath 'get-access.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'bob' -Role User -Password $otherPassword
        $null = New-VaultPrincipal -Vault $vault -Name 'vera' -Role Viewer -Password $otherPassword
        foreach ($name in 'app/one', 'db/main') {
            Set-VaultKey -Vault $vault -Name $name -Value "value of $name"
        }
        $null = Grant-VaultAccess -Vault $vault -Name 'db/main' -Principal 'vera' -Permission Read
        $null = Grant-VaultAccess -Vault $vault -Name '*' -Principal 'bob' -Permission Read -Duration '01:00:00'
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'without filters' {
        It 'lists every grant, sorted by key and principal' {
            $grants = Get-VaultAccess -Vault $vault
            ($grants | ForEach-Object { "$($_.Key):$($_.Principal)" }) -join ',' | Should -Be 'app/one:bob,db/main:bob,db/main:vera'
            $grants[0].GetType().FullName | Should -Be 'SecureVault.Access.VaultAccessInfo'
        }

        It 'shows when each grant expires' {
            (Get-VaultAccess -Vault $vault -Name 'db/main' -Principal 'vera').Expires | Should -BeNullOrEmpty
            (Get-VaultAccess -Vault $vault -Name 'db/main' -Principal 'bob').Expires | Should -BeGreaterThan ([datetime]::UtcNow)
        }

        It 'records the listing in the audit log' {
            (Get-VaultAuditLog -Vault $vault -Action 'access-list' -Last 1).Outcome | Should -Be 'success'
        }
    }

    Context 'with -Name and -Principal' {
        It 'keeps the grants on keys matching a pattern' {
            (Get-VaultAccess -Vault $vault -Name 'APP/*').Key | Should -Be 'app/one'
        }

        It 'keeps the grants to one principal' {
            (Get-VaultAccess -Vault $vault -Principal 'vera').Key | Should -Be 'db/main'
        }

        It 'fails with PrincipalNotFound for a principal that does not exist' {
            { Get-VaultAccess -Vault $vault -Principal 'nobody' -ErrorAction Stop } | Should -Throw -ErrorId 'PrincipalNotFound*'
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

        It 'may list grants too' {
            @(Get-VaultAccess -Vault $vault).Count | Should -Be 3
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
            { Get-VaultAccess -Vault $vault } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
