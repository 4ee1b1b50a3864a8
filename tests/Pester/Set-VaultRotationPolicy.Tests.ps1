BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Set-VaultRotationPolicy' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $userPassword = New-TestPassword -Text 'bob has his own long passphrase'
        $vault = Join-Path -Path $TestDrive -ChildPath 'set-rotation-policy.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'bob' -Role User -Password $userPassword
        $null = New-VaultPrincipal -Vault $vault -Name 'vera' -Role Viewer -Password $userPassword
        foreach ($name in 'app/one', 'app/two', 'db/main') {
            Set-VaultKey -Vault $vault -Name $name -Value "value of $name"
        }
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with -Default' {
        It 'writes nothing without -PassThru' {
            Set-VaultRotationPolicy -Vault $vault -Default -MaxAge 60 | Should -BeNullOrEmpty
            (Get-VaultRotationPolicy -Vault $vault).MaxAge | Should -Be ([timespan]::FromDays(60))
        }

        It 'returns the default with -PassThru and leaves the other values as they were' {
            $policy = Set-VaultRotationPolicy -Vault $vault -Default -Grace 3 -PassThru
            $policy.GetType().FullName | Should -Be 'SecureVault.Rotation.VaultRotationPolicyInfo'
            $policy.Scope | Should -Be '(default)'
            $policy.MaxAge | Should -Be ([timespan]::FromDays(60))
            $policy.Warning | Should -Be ([timespan]::FromDays(14))
            $policy.Grace | Should -Be ([timespan]::FromDays(3))
            $policy.VersionsKept | Should -Be 10
        }

        It 'changes the policy of every key without its own values' {
            (Get-VaultRotationPolicy -Vault $vault -Name 'app/one').MaxAge | Should -Be ([timespan]::FromDays(60))
        }
    }

    Context 'with a duration' {
        It 'reads a whole number as days' {
            (Set-VaultRotationPolicy -Vault $vault -Name 'app/one' -MaxAge 45 -PassThru).MaxAge | Should -Be ([timespan]::FromDays(45))
        }

        It 'reads a fraction as part of a day' {
            (Set-VaultRotationPolicy -Vault $vault -Name 'app/one' -Warning 0.5 -PassThru).Warning | Should -Be ([timespan]::FromHours(12))
        }

        It 'takes a TimeSpan as it is, down to seconds' {
            (Set-VaultRotationPolicy -Vault $vault -Name 'app/one' -Grace ([timespan]::FromSeconds(90)) -PassThru).Grace | Should -Be ([timespan]::FromSeconds(90))
        }

        It 'takes a TimeSpan written as text' {
            (Set-VaultRotationPolicy -Vault $vault -Name 'app/one' -Grace '1.12:00:00' -PassThru).Grace | Should -Be ([timespan]::FromHours(36))
        }

        It 'refuses text that is neither a number nor a TimeSpan' {
            { Set-VaultRotationPolicy -Vault $vault -Name 'app/one' -MaxAge 'soon' } | Should -Throw -ErrorId 'CannotConvertArgument*'
        }
    }

    Context 'with -Name' {
        It 'sets a key''s own values and inherits the others from the default' {
            $policy = Set-VaultRotationPolicy -Vault $vault -Name 'db/main' -MaxAge 30 -PassThru
            $policy.Scope | Should -Be 'db/main'
            $policy.MaxAge | Should -Be ([timespan]::FromDays(30))
            $policy.Grace | Should -Be ([timespan]::FromDays(3))
            $policy.Overrides -join ',' | Should -Be 'MaxAge'
        }

        It 'keeps the key''s own values when the default changes, and follows the default for the rest' {
            Set-VaultRotationPolicy -Vault $vault -Default -MaxAge 80 -Grace 5
            $policy = Get-VaultRotationPolicy -Vault $vault -Name 'db/main'
            $policy.MaxAge | Should -Be ([timespan]::FromDays(30))
            $policy.Grace | Should -Be ([timespan]::FromDays(5))
        }

        It 'sets the policy of every key a wildcard matches' {
            $policies = Set-VaultRotationPolicy -Vault $vault -Name 'app/*' -VersionsKept 5 -PassThru
            $policies.Scope -join ',' | Should -Be 'app/one,app/two'
            $policies.VersionsKept | Should -Be @(5, 5)
        }

        It 'sets the policy of every key piped from Get-VaultKeyInfo' {
            Get-VaultKeyInfo -Vault $vault -Name 'app/*' | Set-VaultRotationPolicy -Warning 7
            (Get-VaultRotationPolicy -Vault $vault -Name 'app/two').Warning | Should -Be ([timespan]::FromDays(7))
        }

        It 'drops the key''s own values with -Inherit' {
            $policy = Set-VaultRotationPolicy -Vault $vault -Name 'app/two' -Inherit -PassThru
            $policy.Overrides | Should -BeNullOrEmpty
            $policy.MaxAge | Should -Be ([timespan]::FromDays(80))
            $policy.VersionsKept | Should -Be 10
        }

        It 'keeps the values given together with -Inherit' {
            $policy = Set-VaultRotationPolicy -Vault $vault -Name 'app/one' -Inherit -Grace 1 -PassThru
            $policy.Overrides -join ',' | Should -Be 'Grace'
            $policy.MaxAge | Should -Be ([timespan]::FromDays(80))
        }

        It 'fails with KeyNotFound for a key that does not exist, and for a pattern that matches none' {
            { Set-VaultRotationPolicy -Vault $vault -Name 'db/missing' -MaxAge 3 -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
            { Set-VaultRotationPolicy -Vault $vault -Name 'none/*' -MaxAge 3 -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }

        It 'refuses -Inherit for the default' {
            { Set-VaultRotationPolicy -Vault $vault -Default -Inherit } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
        }
    }

    Context 'with -VersionsKept lower than the versions a key has' {
        BeforeAll {
            foreach ($value in 'one', 'two', 'three', 'four') {
                Set-VaultKey -Vault $vault -Name 'pruned' -Value $value
            }
            Set-VaultRotationPolicy -Vault $vault -Name 'pruned' -VersionsKept 2
        }

        It 'removes the oldest versions at once' {
            (Get-VaultKeyInfo -Vault $vault -Name 'pruned').Versions -join ',' | Should -Be '3,4'
            (Get-VaultKeyHistory -Vault $vault -Name 'pruned').Version -join ',' | Should -Be '4,3'
            { Get-VaultKey -Vault $vault -Name 'pruned' -Version 1 -ErrorAction Stop } | Should -Throw -ErrorId 'KeyVersionNotFound*'
        }

        It 'keeps the current value' {
            Get-VaultKey -Vault $vault -Name 'pruned' -AsPlainText | Should -BeExactly 'four'
        }
    }

    Context 'with invalid input' {
        It 'fails with InvalidInput without a setting' {
            { Set-VaultRotationPolicy -Vault $vault -Name 'db/main' } | Should -Throw -ErrorId 'InvalidInput*'
            { Set-VaultRotationPolicy -Vault $vault -Default } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'refuses a MaxAge shorter than 1 second or longer than 3650 days' {
            { Set-VaultRotationPolicy -Vault $vault -Default -MaxAge 0 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            { Set-VaultRotationPolicy -Vault $vault -Name 'db/main' -MaxAge ([timespan]::FromMilliseconds(500)) -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            { Set-VaultRotationPolicy -Vault $vault -Default -MaxAge 3651 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'refuses a Warning longer than the MaxAge, or negative' {
            { Set-VaultRotationPolicy -Vault $vault -Name 'db/main' -Warning 31 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            { Set-VaultRotationPolicy -Vault $vault -Default -Warning -1 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'refuses a Grace longer than 365 days' {
            { Set-VaultRotationPolicy -Vault $vault -Default -Grace 366 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'refuses to keep fewer than 1 or more than 100 versions' {
            { Set-VaultRotationPolicy -Vault $vault -Default -VersionsKept 0 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            { Set-VaultRotationPolicy -Vault $vault -Name 'db/main' -VersionsKept 101 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'changes nothing when a value is refused' {
            $policy = Get-VaultRotationPolicy -Vault $vault -Name 'db/main'
            $policy.MaxAge | Should -Be ([timespan]::FromDays(30))
            $policy.Warning | Should -Be ([timespan]::FromDays(14))
            $policy.VersionsKept | Should -Be 10
            (Get-VaultRotationPolicy -Vault $vault).MaxAge | Should -Be ([timespan]::FromDays(80))
        }
    }

    Context 'with -WhatIf' {
        It 'changes nothing' {
            Set-VaultRotationPolicy -Vault $vault -Default -MaxAge 5 -WhatIf
            Set-VaultRotationPolicy -Vault $vault -Name 'db/main' -MaxAge 5 -WhatIf
            (Get-VaultRotationPolicy -Vault $vault).MaxAge | Should -Be ([timespan]::FromDays(80))
            (Get-VaultRotationPolicy -Vault $vault -Name 'db/main').MaxAge | Should -Be ([timespan]::FromDays(30))
        }
    }

    Context 'in the audit log' {
        It 'records each change as rotation-policy' {
            $before = @(Get-VaultAuditLog -Vault $vault -Action 'rotation-policy' -Outcome success).Count
            Set-VaultRotationPolicy -Vault $vault -Name 'db/main' -Grace 2
            $records = @(Get-VaultAuditLog -Vault $vault -Action 'rotation-policy' -Outcome success)
            $records.Count | Should -Be ($before + 1)
            $records[-1].Name | Should -Be 'db/main'
            $records[-1].Principal | Should -Be 'owner'
        }
    }

    Context 'as a <Role>' -ForEach @(
        @{ Role = 'User'; Principal = 'bob' }
        @{ Role = 'Viewer'; Principal = 'vera' }
    ) {
        BeforeAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal $Principal -Password $userPassword
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'fails with AccessDenied, for the default and for a key' {
            { Set-VaultRotationPolicy -Vault $vault -Default -MaxAge 365 -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
            { Set-VaultRotationPolicy -Vault $vault -Name 'db/main' -MaxAge 365 -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
            (Get-VaultRotationPolicy -Vault $vault).MaxAge | Should -Be ([timespan]::FromDays(80))
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
            { Set-VaultRotationPolicy -Vault $vault -Default -MaxAge 5 } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
