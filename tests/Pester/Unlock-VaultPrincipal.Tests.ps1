BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Unlock-VaultPrincipal' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $bobPassword = New-TestPassword -Text 'bob has his own long passphrase'
        $wrongPassword = New-TestPassword -Text 'this is not the right password'
        $vault = Join-Path -Path $TestDrive -ChildPath 'unlock-principal.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'bob' -Role User -Password $bobPassword
        Set-VaultLockoutPolicy -Vault $vault -MaxFailures 2
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'for a principal that is locked out' {
        BeforeAll {
            Lock-Vault -Vault $vault
            foreach ($attempt in 1..2) {
                { Unlock-Vault -Vault $vault -Principal 'bob' -Password $wrongPassword } | Should -Throw -ErrorId 'AuthenticationFailed*'
            }
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'shows the lockout in Get-VaultPrincipal' {
            (Get-VaultPrincipal -Vault $vault -Name 'bob').LockedUntil | Should -BeOfType [datetime]
        }

        It 'clears nothing with -WhatIf' {
            Unlock-VaultPrincipal -Vault $vault -Name 'bob' -WhatIf
            (Get-VaultPrincipal -Vault $vault -Name 'bob').LockedUntil | Should -Not -BeNullOrEmpty
        }

        It 'clears the lockout and the failure count' {
            $principal = Unlock-VaultPrincipal -Vault $vault -Name 'bob' -PassThru
            $principal.LockedUntil | Should -BeNullOrEmpty
            $principal.FailedAttempts | Should -Be 0
            (Get-VaultAuditLog -Vault $vault -Action 'lockout-clear' -Last 1).Outcome | Should -Be 'success'
        }

        It 'lets the principal unlock again' {
            Lock-Vault -Vault $vault
            (Unlock-Vault -Vault $vault -Principal 'bob' -Password $bobPassword -PassThru).Principal | Should -Be 'bob'
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }
    }

    Context 'as a principal that is not an Admin' {
        BeforeAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'bob' -Password $bobPassword
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'fails with AccessDenied' {
            { Unlock-VaultPrincipal -Vault $vault -Name 'owner' -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
        }
    }

    Context 'for a principal that does not exist' {
        It 'fails with PrincipalNotFound' {
            { Unlock-VaultPrincipal -Vault $vault -Name 'nobody' -ErrorAction Stop } | Should -Throw -ErrorId 'PrincipalNotFound*'
        }
    }
}
