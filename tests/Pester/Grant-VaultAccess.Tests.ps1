BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Grant-VaultAccess' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $bobPassword = New-TestPassword -Text 'bob has his own long passphrase'
        $vault = Join-Path -Path $TestDrive -ChildPath 'grant.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'bob' -Role User -Password $bobPassword
        $null = New-VaultPrincipal -Vault $vault -Name 'vera' -Role Viewer -Password $bobPassword
        foreach ($name in 'app/one', 'app/two', 'db/main') {
            Set-VaultKey -Vault $vault -Name $name -Value "value of $name"
        }
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with a name' {
        It 'returns the grant, which lets the principal read the key' {
            $grant = Grant-VaultAccess -Vault $vault -Name 'db/main' -Principal 'bob' -Permission Read
            $grant.GetType().FullName | Should -Be 'SecureVault.Access.VaultAccessInfo'
            $grant.Key | Should -Be 'db/main'
            $grant.Principal | Should -Be 'bob'
            $grant.Permissions.ToString() | Should -Be 'Read'
            $grant.Expires | Should -BeNullOrEmpty
            $grant.GrantedBy | Should -Be 'owner'
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'bob' -Password $bobPassword
            Get-VaultKey -Vault $vault -Name 'db/main' -AsPlainText | Should -BeExactly 'value of db/main'
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'adds to what the principal already holds' {
            (Grant-VaultAccess -Vault $vault -Name 'db/main' -Principal 'bob' -Permission Write).Permissions.ToString() | Should -Be 'Read, Write'
        }
    }

    Context 'with a wildcard pattern or pipeline input' {
        It 'grants every key the pattern matches' {
            (Grant-VaultAccess -Vault $vault -Name 'app/*' -Principal 'vera' -Permission Read).Key -join ',' | Should -Be 'app/one,app/two'
        }

        It 'grants every key piped from Get-VaultKeyInfo' {
            $grants = Get-VaultKeyInfo -Vault $vault -Name 'app/*' | Grant-VaultAccess -Principal 'bob' -Permission Read
            @($grants).Count | Should -Be 2
        }
    }

    Context 'with an expiry' {
        It 'ends the grant at -ExpiresAt, read as local time' {
            $at = [datetime]::new(2099, 1, 2, 3, 4, 5)
            $grant = Grant-VaultAccess -Vault $vault -Name 'db/main' -Principal 'vera' -Permission Read -ExpiresAt $at
            $grant.Expires | Should -Be ([datetime]::SpecifyKind($at, 'Local').ToUniversalTime())
        }

        It 'ends the grant after -Duration' {
            $before = [datetime]::UtcNow
            $grant = Grant-VaultAccess -Vault $vault -Name 'app/one' -Principal 'vera' -Permission Read -Duration '02:00:00'
            $grant.Expires | Should -BeGreaterOrEqual $before.AddHours(2).AddMilliseconds(-1)
            $grant.Expires | Should -BeLessOrEqual ([datetime]::UtcNow.AddHours(2))
        }

        It 'refuses a time in the past with InvalidInput' {
            { Grant-VaultAccess -Vault $vault -Name 'db/main' -Principal 'bob' -Permission Read -ExpiresAt (Get-Date).AddMinutes(-1) -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'refuses a duration that is not positive with InvalidInput' {
            { Grant-VaultAccess -Vault $vault -Name 'db/main' -Principal 'bob' -Permission Read -Duration '-00:10:00' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'refuses -ExpiresAt with -Duration' {
            { Grant-VaultAccess -Vault $vault -Name 'db/main' -Principal 'bob' -Permission Read -ExpiresAt (Get-Date).AddDays(1) -Duration '01:00:00' } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
        }
    }

    Context 'with -WhatIf' {
        It 'grants nothing' {
            Grant-VaultAccess -Vault $vault -Name 'app/two' -Principal 'bob' -Permission Delete -WhatIf
            (Get-VaultAccess -Vault $vault -Name 'app/two' -Principal 'bob').Permissions.ToString() | Should -Be 'Read'
        }
    }

    Context 'with invalid input' {
        It 'refuses more than Read for a Viewer' {
            { Grant-VaultAccess -Vault $vault -Name 'db/main' -Principal 'vera' -Permission Write -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'refuses an unknown permission' {
            { Grant-VaultAccess -Vault $vault -Name 'db/main' -Principal 'bob' -Permission Execute } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It 'fails with KeyNotFound for a key that does not exist' {
            { Grant-VaultAccess -Vault $vault -Name 'db/missing' -Principal 'bob' -Permission Read -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }

        It 'fails with PrincipalNotFound for a principal that does not exist' {
            { Grant-VaultAccess -Vault $vault -Name 'db/main' -Principal 'nobody' -Permission Read -ErrorAction Stop } | Should -Throw -ErrorId 'PrincipalNotFound*'
        }
    }

    Context 'as a User on a key that is not its own' {
        BeforeAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'bob' -Password $bobPassword
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'fails with AccessDenied' {
            { Grant-VaultAccess -Vault $vault -Name 'db/main' -Principal 'vera' -Permission Read -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
        }
    }
}
