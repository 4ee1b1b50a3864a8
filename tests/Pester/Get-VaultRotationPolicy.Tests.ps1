BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Get-VaultRotationPolicy' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $viewerPassword = New-TestPassword -Text 'vera reads but never writes'
        $vault = Join-Path -Path $TestDrive -ChildPath 'get-rotation-policy.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'vera' -Role Viewer -Password $viewerPassword
        foreach ($name in 'app/one', 'app/two', 'db/main') {
            Set-VaultKey -Vault $vault -Name $name -Value "value of $name"
        }
        Set-VaultRotationPolicy -Vault $vault -Name 'db/main' -MaxAge 30 -VersionsKept 3
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'without -Name' {
        It 'returns the built-in default of a new vault: 90 days, warning 14 days before, grace 7 days, 10 versions' {
            $policy = Get-VaultRotationPolicy -Vault $vault
            @($policy).Count | Should -Be 1
            $policy.GetType().FullName | Should -Be 'SecureVault.Rotation.VaultRotationPolicyInfo'
            $policy.Scope | Should -Be '(default)'
            $policy.MaxAge | Should -Be ([timespan]::FromDays(90))
            $policy.Warning | Should -Be ([timespan]::FromDays(14))
            $policy.Grace | Should -Be ([timespan]::FromDays(7))
            $policy.VersionsKept | Should -Be 10
            $policy.Overrides | Should -BeNullOrEmpty
            $policy.Vault | Should -Be $vault
        }
    }

    Context 'with -Name' {
        It 'returns the effective policy of a key without its own values: the default' {
            $policy = Get-VaultRotationPolicy -Vault $vault -Name 'app/one'
            $policy.Scope | Should -Be 'app/one'
            $policy.MaxAge | Should -Be ([timespan]::FromDays(90))
            $policy.VersionsKept | Should -Be 10
            $policy.Overrides | Should -BeNullOrEmpty
        }

        It 'returns a key''s own values, the rest inherited, and names the values it sets itself' {
            $policy = Get-VaultRotationPolicy -Vault $vault -Name 'db/main'
            $policy.MaxAge | Should -Be ([timespan]::FromDays(30))
            $policy.Warning | Should -Be ([timespan]::FromDays(14))
            $policy.Grace | Should -Be ([timespan]::FromDays(7))
            $policy.VersionsKept | Should -Be 3
            ($policy.Overrides | Sort-Object) -join ',' | Should -Be 'MaxAge,VersionsKept'
        }

        It 'takes the key name as the first positional argument and finds it without regard to case' {
            (Get-VaultRotationPolicy 'DB/MAIN' -Vault $vault).Scope | Should -Be 'db/main'
        }

        It 'returns one policy per key a wildcard matches, sorted by name' {
            (Get-VaultRotationPolicy -Vault $vault -Name '*').Scope -join ',' | Should -Be 'app/one,app/two,db/main'
        }

        It 'returns the policy of every key piped from Get-VaultKeyInfo' {
            $policies = Get-VaultKeyInfo -Vault $vault -Name 'app/*' | Get-VaultRotationPolicy
            $policies.Scope -join ',' | Should -Be 'app/one,app/two'
        }

        It 'fails with KeyNotFound for a key that does not exist' {
            { Get-VaultRotationPolicy -Vault $vault -Name 'db/missing' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }
    }

    Context 'after the default changes' {
        BeforeAll {
            Set-VaultRotationPolicy -Vault $vault -Default -MaxAge 60 -Grace 2
        }

        AfterAll {
            Set-VaultRotationPolicy -Vault $vault -Default -MaxAge 90 -Grace 7
        }

        It 'returns the new default' {
            $policy = Get-VaultRotationPolicy -Vault $vault
            $policy.MaxAge | Should -Be ([timespan]::FromDays(60))
            $policy.Grace | Should -Be ([timespan]::FromDays(2))
            $policy.Warning | Should -Be ([timespan]::FromDays(14))
        }

        It 'shows keys inheriting the values they do not set themselves' {
            (Get-VaultRotationPolicy -Vault $vault -Name 'app/one').MaxAge | Should -Be ([timespan]::FromDays(60))
            $own = Get-VaultRotationPolicy -Vault $vault -Name 'db/main'
            $own.MaxAge | Should -Be ([timespan]::FromDays(30))
            $own.Grace | Should -Be ([timespan]::FromDays(2))
        }
    }

    Context 'in the audit log' {
        It 'records every reading as rotation-read' {
            $before = @(Get-VaultAuditLog -Vault $vault -Action 'rotation-read' -Outcome success).Count
            $null = Get-VaultRotationPolicy -Vault $vault
            $null = Get-VaultRotationPolicy -Vault $vault -Name 'app/*'
            @(Get-VaultAuditLog -Vault $vault -Action 'rotation-read' -Outcome success).Count | Should -Be ($before + 2)
        }
    }

    Context 'as a Viewer' {
        BeforeAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'vera' -Password $viewerPassword
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'reads the policies, which any principal may list' {
            (Get-VaultRotationPolicy -Vault $vault).Scope | Should -Be '(default)'
            (Get-VaultRotationPolicy -Vault $vault -Name 'db/main').MaxAge | Should -Be ([timespan]::FromDays(30))
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
            { Get-VaultRotationPolicy -Vault $vault } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
