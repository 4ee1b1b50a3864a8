BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Remove-VaultRotationExemption' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $userPassword = New-TestPassword -Text 'bob has his own long passphrase'
        $vault = Join-Path -Path $TestDrive -ChildPath 'remove-exemption.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'bob' -Role User -Password $userPassword
        $null = New-VaultPrincipal -Vault $vault -Name 'vera' -Role Viewer -Password $userPassword
        foreach ($name in 'app/quiet', 'app/pass-thru', 'app/what-if', 'app/kept') {
            Set-VaultKey -Vault $vault -Name $name -Value "value of $name"
        }
        Set-VaultKey -Vault $vault -Name 'svc/one' -Value 'one' -Service 'batch'
        Set-VaultKey -Vault $vault -Name 'svc/two' -Value 'two' -Service 'batch'
        # Due after 1 second, blocked 1 second later: every key here is Blocked once the sleep is over.
        Set-VaultRotationPolicy -Vault $vault -Name '*' -MaxAge ([timespan]::FromSeconds(1)) -Warning 0 -Grace ([timespan]::FromSeconds(1))
        Start-Sleep -Seconds 2.5
        $until = (Get-Date).AddDays(30)
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with -Confirm:$false' {
        It 'writes nothing without -PassThru, and the key is enforced again at once' {
            $exemption = Add-VaultRotationExemption -Vault $vault -Key 'app/quiet' -Reason 'quiet' -Until $until
            Get-VaultKey -Vault $vault -Name 'app/quiet' -AsPlainText | Should -BeExactly 'value of app/quiet'
            Remove-VaultRotationExemption -Vault $vault -Id $exemption.Id -Confirm:$false | Should -BeNullOrEmpty
            (Get-VaultRotationStatus -Vault $vault -Name 'app/quiet').State.ToString() | Should -Be 'Blocked'
            { Get-VaultKey -Vault $vault -Name 'app/quiet' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyExpired*'
        }

        It 'returns the removed exemption with -PassThru' {
            $exemption = Add-VaultRotationExemption -Vault $vault -Key 'app/pass-thru' -Reason 'pass it through' -Until $until
            $removed = Remove-VaultRotationExemption -Vault $vault -Id $exemption.Id -Confirm:$false -PassThru
            $removed.GetType().FullName | Should -Be 'SecureVault.Rotation.VaultRotationExemption'
            $removed.Id | Should -Be $exemption.Id
            $removed.Key | Should -Be 'app/pass-thru'
            $removed.Reason | Should -Be 'pass it through'
            Get-VaultRotationExemption -Vault $vault -IncludeExpired | Where-Object Id -EQ $exemption.Id | Should -BeNullOrEmpty
        }

        It 'takes the id as the first positional argument' {
            $exemption = Add-VaultRotationExemption -Vault $vault -Key 'app/pass-thru' -Reason 'positional' -Until $until
            Remove-VaultRotationExemption $exemption.Id -Vault $vault -Confirm:$false
            Get-VaultRotationExemption -Vault $vault | Where-Object Id -EQ $exemption.Id | Should -BeNullOrEmpty
        }

        It 'removes every exemption piped from Get-VaultRotationExemption, in the vault it came from' {
            $null = Add-VaultRotationExemption -Vault $vault -Service 'batch' -Reason 'batch one' -Until $until
            $null = Add-VaultRotationExemption -Vault $vault -Key 'svc/two' -Reason 'batch two' -Until $until
            (Get-VaultRotationStatus -Vault $vault -Name 'svc/*').State | ForEach-Object { $_.ToString() } | Should -Be @('Exempt', 'Exempt')
            # No -Vault here: Id and Vault both bind from the piped exemptions.
            Get-VaultRotationExemption -Vault $vault | Where-Object Reason -Like 'batch*' | Remove-VaultRotationExemption -Confirm:$false
            Get-VaultRotationExemption -Vault $vault | Should -BeNullOrEmpty
            (Get-VaultRotationStatus -Vault $vault -Name 'svc/*').State | ForEach-Object { $_.ToString() } | Should -Be @('Blocked', 'Blocked')
        }

        It 'fails with InvalidInput for an id that is no exemption' {
            { Remove-VaultRotationExemption -Vault $vault -Id ([guid]::NewGuid()) -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }
    }

    Context 'with -WhatIf' {
        BeforeAll {
            $exemption = Add-VaultRotationExemption -Vault $vault -Key 'app/what-if' -Reason 'what if' -Until $until
        }

        It 'removes nothing' {
            Remove-VaultRotationExemption -Vault $vault -Id $exemption.Id -WhatIf
            (Get-VaultRotationExemption -Vault $vault).Id | Should -Contain $exemption.Id
            (Get-VaultRotationStatus -Vault $vault -Name 'app/what-if').State.ToString() | Should -Be 'Exempt'
        }
    }

    Context 'in the audit log' {
        It 'records each removal as exemption-remove, with the key it covered' {
            $records = @(Get-VaultAuditLog -Vault $vault -Action 'exemption-remove')
            # app/quiet, app/pass-thru twice, the batch service and svc/two; the unknown id was refused.
            @($records | Where-Object Outcome -EQ 'success').Count | Should -Be 5
            @($records | Where-Object Outcome -EQ 'error').Count | Should -Be 1
            $records[0].Name | Should -Be 'app/quiet'
        }
    }

    Context 'as a <Role>' -ForEach @(
        @{ Role = 'User'; Principal = 'bob' }
        @{ Role = 'Viewer'; Principal = 'vera' }
    ) {
        BeforeAll {
            $kept = Add-VaultRotationExemption -Vault $vault -Key 'app/kept' -Reason "kept from $Principal" -Until $until
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal $Principal -Password $userPassword
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'fails with AccessDenied and removes nothing' {
            { Remove-VaultRotationExemption -Vault $vault -Id $kept.Id -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
            (Get-VaultRotationExemption -Vault $vault).Id | Should -Contain $kept.Id
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            $exemption = Get-VaultRotationExemption -Vault $vault | Select-Object -First 1
            Lock-Vault -Vault $vault
        }

        AfterAll {
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'fails with VaultLocked' {
            { Remove-VaultRotationExemption -Vault $vault -Id $exemption.Id -Confirm:$false } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
