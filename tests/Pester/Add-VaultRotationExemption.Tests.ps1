BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Add-VaultRotationExemption' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $userPassword = New-TestPassword -Text 'bob has his own long passphrase'
        $vault = Join-Path -Path $TestDrive -ChildPath 'add-exemption.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'bob' -Role User -Password $userPassword
        $null = New-VaultPrincipal -Vault $vault -Name 'vera' -Role Viewer -Password $userPassword
        Set-VaultKey -Vault $vault -Name 'legacy/db' -Value 'db value' -Service 'Legacy-DB'
        Set-VaultKey -Vault $vault -Name 'legacy/cache' -Value 'cache value' -Service 'legacy-cache'
        Set-VaultKey -Vault $vault -Name 'other/service' -Value 'other value' -Service 'billing'
        foreach ($name in 'app/key', 'app/piped', 'app/what-if') {
            Set-VaultKey -Vault $vault -Name $name -Value "value of $name"
        }
        # Due after 1 second, blocked 1 second later: every key here is Blocked once the sleep is over.
        Set-VaultRotationPolicy -Vault $vault -Name '*' -MaxAge ([timespan]::FromSeconds(1)) -Warning 0 -Grace ([timespan]::FromSeconds(1))
        Start-Sleep -Seconds 2.5
        # Whole seconds, local time: what the vault keeps (milliseconds) compares exactly.
        $until = [datetime]::Today.AddDays(30).AddHours(12)
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with -Key' {
        BeforeAll {
            $before = [datetime]::UtcNow.AddSeconds(-1)
            $exemption = Add-VaultRotationExemption -Vault $vault -Key 'app/key' -Reason 'vendor cannot take a new key before the release' -Until $until
        }

        It 'returns the exemption' {
            @($exemption).Count | Should -Be 1
            $exemption.GetType().FullName | Should -Be 'SecureVault.Rotation.VaultRotationExemption'
            $exemption.Id | Should -Not -Be ([guid]::Empty)
            $exemption.Key | Should -Be 'app/key'
            $exemption.Service | Should -BeNullOrEmpty
            $exemption.Reason | Should -Be 'vendor cannot take a new key before the release'
            $exemption.CreatedBy | Should -Be 'owner'
            $exemption.Created | Should -BeGreaterOrEqual $before
            $exemption.IsActive | Should -BeTrue
            $exemption.Vault | Should -Be $vault
        }

        It 'reads -Until as local time' {
            $exemption.Until | Should -Be $until.ToUniversalTime()
        }

        It 'makes the blocked key Exempt, with the end and the reason' {
            $status = Get-VaultRotationStatus -Vault $vault -Name 'app/key'
            $status.State.ToString() | Should -Be 'Exempt'
            $status.ExemptUntil | Should -Be $until.ToUniversalTime()
            $status.ExemptReason | Should -Be 'vendor cannot take a new key before the release'
        }

        It 'lets the key be read again, without a warning' {
            Get-VaultKey -Vault $vault -Name 'app/key' -AsPlainText -WarningVariable readWarnings -WarningAction SilentlyContinue | Should -BeExactly 'value of app/key'
            @($readWarnings).Count | Should -Be 0
        }

        It 'takes a UTC -Until as UTC' {
            $utc = [datetime]::SpecifyKind([datetime]::UtcNow.Date.AddDays(10), 'Utc')
            (Add-VaultRotationExemption -Vault $vault -Key 'app/key' -Reason 'second exemption' -Until $utc).Until | Should -Be $utc
        }

        It 'binds the key and the vault from a piped rotation status, finding the key without regard to case' {
            $piped = Get-VaultRotationStatus -Vault $vault -Name 'APP/PIPED' | Add-VaultRotationExemption -Reason 'piped' -Until $until
            $piped.Key | Should -Be 'app/piped'
            (Get-VaultRotationStatus -Vault $vault -Name 'app/piped').State.ToString() | Should -Be 'Exempt'
        }
    }

    Context 'with -Service' {
        BeforeAll {
            $exemption = Add-VaultRotationExemption -Vault $vault -Service 'LEGACY-*' -Reason 'legacy stack is frozen' -Until $until
        }

        It 'returns an exemption for the service pattern' {
            $exemption.Service | Should -Be 'LEGACY-*'
            $exemption.Key | Should -BeNullOrEmpty
        }

        It 'makes every key whose service matches Exempt, without regard to case' {
            $states = Get-VaultRotationStatus -Vault $vault -Name 'legacy/*'
            $states.Name -join ',' | Should -Be 'legacy/cache,legacy/db'
            $states.State | ForEach-Object { $_.ToString() } | Should -Be @('Exempt', 'Exempt')
            Get-VaultKey -Vault $vault -Name 'legacy/db' -AsPlainText | Should -BeExactly 'db value'
        }

        It 'leaves keys of other services as they were' {
            (Get-VaultRotationStatus -Vault $vault -Name 'other/service').State.ToString() | Should -Be 'Blocked'
            { Get-VaultKey -Vault $vault -Name 'other/service' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyExpired*'
        }

        It 'covers a key of the service added later' {
            Set-VaultKey -Vault $vault -Name 'legacy/new' -Value 'new value' -Service 'legacy-queue'
            (Get-VaultRotationStatus -Vault $vault -Name 'legacy/new').State.ToString() | Should -Be 'Exempt'
        }
    }

    Context 'with invalid input' {
        BeforeAll {
            $countBefore = @(Get-VaultRotationExemption -Vault $vault).Count
        }

        It 'refuses an empty reason' {
            { Add-VaultRotationExemption -Vault $vault -Key 'app/what-if' -Reason '' -Until $until } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It 'refuses a reason of only spaces, or longer than 500 characters, with InvalidInput' {
            { Add-VaultRotationExemption -Vault $vault -Key 'app/what-if' -Reason '   ' -Until $until -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            { Add-VaultRotationExemption -Vault $vault -Key 'app/what-if' -Reason ('x' * 501) -Until $until -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'makes -Until mandatory, so an exemption without an end cannot be asked for' {
            $parameter = (Get-Command -Name Add-VaultRotationExemption).Parameters['Until']
            $parameter.ParameterType | Should -Be ([datetime])
            @($parameter.ParameterSets.Values.IsMandatory) | Should -Not -Contain $false
        }

        It 'refuses an end in the past with InvalidInput' {
            { Add-VaultRotationExemption -Vault $vault -Key 'app/what-if' -Reason 'late' -Until (Get-Date).AddMinutes(-1) -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'refuses an end more than 366 days ahead with InvalidInput' {
            { Add-VaultRotationExemption -Vault $vault -Key 'app/what-if' -Reason 'long' -Until (Get-Date).AddDays(367) -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'refuses -Service together with -Key' {
            { Add-VaultRotationExemption -Vault $vault -Key 'app/what-if' -Service 'billing' -Reason 'both' -Until $until } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
        }

        It 'fails with KeyNotFound for a key that does not exist' {
            { Add-VaultRotationExemption -Vault $vault -Key 'app/missing' -Reason 'missing' -Until $until -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }

        It 'adds no exemption for any of them' {
            @(Get-VaultRotationExemption -Vault $vault -IncludeExpired).Count | Should -Be $countBefore
            (Get-VaultRotationStatus -Vault $vault -Name 'app/what-if').State.ToString() | Should -Be 'Blocked'
        }
    }

    Context 'with -WhatIf' {
        It 'adds nothing' {
            $countBefore = @(Get-VaultRotationExemption -Vault $vault).Count
            Add-VaultRotationExemption -Vault $vault -Key 'app/what-if' -Reason 'what if' -Until $until -WhatIf | Should -BeNullOrEmpty
            @(Get-VaultRotationExemption -Vault $vault).Count | Should -Be $countBefore
            (Get-VaultRotationStatus -Vault $vault -Name 'app/what-if').State.ToString() | Should -Be 'Blocked'
        }
    }

    Context 'in the audit log' {
        It 'records each exemption as exemption-add, with the key it covers' {
            $records = @(Get-VaultAuditLog -Vault $vault -Action 'exemption-add' -Outcome success)
            # app/key twice, app/piped, and the service.
            $records.Count | Should -Be 4
            $records[0].Name | Should -Be 'app/key'
            $records[0].Principal | Should -Be 'owner'
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

        It 'fails with AccessDenied and adds nothing' {
            { Add-VaultRotationExemption -Vault $vault -Service 'billing' -Reason 'not mine to give' -Until $until -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
            (Get-VaultRotationStatus -Vault $vault -Name 'other/service').State.ToString() | Should -Be 'Blocked'
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
            { Add-VaultRotationExemption -Vault $vault -Key 'app/what-if' -Reason 'locked' -Until $until } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
