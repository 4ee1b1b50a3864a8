BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Restore-VaultKey' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $userPassword = New-TestPassword -Text 'bob has his own long passphrase'
        $vault = Join-Path -Path $TestDrive -ChildPath 'restore.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'bob' -Role User -Password $userPassword
        $null = New-VaultPrincipal -Vault $vault -Name 'vera' -Role Viewer -Password $userPassword
        foreach ($value in 'one', 'two', 'three') {
            Set-VaultKey -Vault $vault -Name 'restore/text' -Value $value
        }
        Set-VaultKey -Vault $vault -Name 'restore/secure' -Value (New-TestPassword -Text 'first secure')
        Set-VaultKey -Vault $vault -Name 'restore/secure' -Value (New-TestPassword -Text 'second secure')
        foreach ($name in 'restore/what-if', 'shared/read') {
            Set-VaultKey -Vault $vault -Name $name -Value 'old'
            Set-VaultKey -Vault $vault -Name $name -Value 'new'
        }
        Grant-VaultAccess -Vault $vault -Name 'shared/read' -Principal 'vera' -Permission Read
        Grant-VaultAccess -Vault $vault -Name 'shared/read' -Principal 'bob' -Permission Read
        # A grace of 1 second: version 1 can no longer be read by -Version once the sleep is over.
        Set-VaultKey -Vault $vault -Name 'restore/retired' -Value 'retired value'
        Set-VaultKey -Vault $vault -Name 'restore/retired' -Value 'current value'
        Set-VaultRotationPolicy -Vault $vault -Name 'restore/retired' -MaxAge 30 -Warning 0 -Grace ([timespan]::FromSeconds(1))
        Start-Sleep -Seconds 2.5
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with a kept version' {
        It 'writes the old value as a new version and nothing to the pipeline' {
            Restore-VaultKey -Vault $vault -Name 'restore/text' -Version 1 | Should -BeNullOrEmpty
            Get-VaultKey -Vault $vault -Name 'restore/text' -AsPlainText | Should -BeExactly 'one'
            $history = Get-VaultKeyHistory -Vault $vault -Name 'restore/text'
            $history.Version | Should -Be @(4, 3, 2, 1)
            $history[0].IsCurrent | Should -BeTrue
        }

        It 'keeps the version that was current in the history' {
            Get-VaultKey -Vault $vault -Name 'restore/text' -Version 3 -AsPlainText | Should -BeExactly 'three'
        }

        It 'returns the key information with -PassThru' {
            $info = Restore-VaultKey -Vault $vault -Name 'restore/text' -Version 2 -PassThru
            $info.GetType().FullName | Should -Be 'SecureVault.VaultKeyInfo'
            $info.Name | Should -Be 'restore/text'
            $info.Version | Should -Be 5
            Get-VaultKey -Vault $vault -Name 'restore/text' -AsPlainText | Should -BeExactly 'two'
        }

        It 'takes the name and the version as positional arguments, and finds the key without regard to case' {
            Restore-VaultKey 'RESTORE/TEXT' 3 -Vault $vault
            Get-VaultKey -Vault $vault -Name 'restore/text' -AsPlainText | Should -BeExactly 'three'
        }

        It 'restores the version piped from Get-VaultKeyHistory, in the vault it came from' {
            # No -Vault here: Name, Version and Vault all bind from the piped version.
            Get-VaultKeyHistory -Vault $vault -Name 'restore/text' | Where-Object Version -EQ 2 | Restore-VaultKey
            Get-VaultKey -Vault $vault -Name 'restore/text' -AsPlainText | Should -BeExactly 'two'
            (Get-VaultKeyInfo -Vault $vault -Name 'restore/text').Version | Should -Be 7
        }

        It 'keeps the type the value was stored as' {
            Restore-VaultKey -Vault $vault -Name 'restore/secure' -Version 1
            (Get-VaultKeyInfo -Vault $vault -Name 'restore/secure').Type.ToString() | Should -Be 'SecureString'
            Get-VaultKey -Vault $vault -Name 'restore/secure' -AsPlainText | Should -BeExactly 'first secure'
        }
    }

    Context 'with a version past its grace' {
        It 'restores a version that -Version can no longer read' {
            { Get-VaultKey -Vault $vault -Name 'restore/retired' -Version 1 -ErrorAction Stop } | Should -Throw -ErrorId 'KeyVersionRetired*'
            Restore-VaultKey -Vault $vault -Name 'restore/retired' -Version 1
            Get-VaultKey -Vault $vault -Name 'restore/retired' -AsPlainText | Should -BeExactly 'retired value'
            (Get-VaultKeyInfo -Vault $vault -Name 'restore/retired').Version | Should -Be 3
        }
    }

    Context 'with invalid input' {
        It 'fails with KeyVersionNotFound for a version that was never written' {
            { Restore-VaultKey -Vault $vault -Name 'restore/what-if' -Version 9 -ErrorAction Stop } | Should -Throw -ErrorId 'KeyVersionNotFound*'
        }

        It 'refuses version 0 before reading anything' {
            { Restore-VaultKey -Vault $vault -Name 'restore/what-if' -Version 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It 'fails with KeyNotFound for a key that does not exist' {
            { Restore-VaultKey -Vault $vault -Name 'restore/missing' -Version 1 -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }

        It 'writes no version for any of them' {
            (Get-VaultKeyInfo -Vault $vault -Name 'restore/what-if').Version | Should -Be 2
        }
    }

    Context 'with -WhatIf' {
        It 'restores nothing' {
            Restore-VaultKey -Vault $vault -Name 'restore/what-if' -Version 1 -WhatIf
            (Get-VaultKeyInfo -Vault $vault -Name 'restore/what-if').Version | Should -Be 2
            Get-VaultKey -Vault $vault -Name 'restore/what-if' -AsPlainText | Should -BeExactly 'new'
        }
    }

    Context 'in the audit log' {
        It 'records each restore as restore, with the key' {
            $records = @(Get-VaultAuditLog -Vault $vault -Action 'restore' -Name 'restore/text' -Outcome success)
            $records.Count | Should -Be 4
            $records[0].Principal | Should -Be 'owner'
        }
    }

    Context 'as a Viewer that may read the key' {
        BeforeAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'vera' -Password $userPassword
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'fails with AccessDenied and restores nothing' {
            { Restore-VaultKey -Vault $vault -Name 'shared/read' -Version 1 -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
            Get-VaultKey -Vault $vault -Name 'shared/read' -AsPlainText | Should -BeExactly 'new'
        }
    }

    Context 'as a User' {
        BeforeAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'bob' -Password $userPassword
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'restores a version of its own key' {
            Set-VaultKey -Vault $vault -Name 'bob/own' -Value 'bob old'
            Set-VaultKey -Vault $vault -Name 'bob/own' -Value 'bob new'
            Restore-VaultKey -Vault $vault -Name 'bob/own' -Version 1
            Get-VaultKey -Vault $vault -Name 'bob/own' -AsPlainText | Should -BeExactly 'bob old'
        }

        It 'fails with AccessDenied on a key it may only read, which also needs Write' {
            { Restore-VaultKey -Vault $vault -Name 'shared/read' -Version 1 -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
            Get-VaultKey -Vault $vault -Name 'shared/read' -AsPlainText | Should -BeExactly 'new'
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
            { Restore-VaultKey -Vault $vault -Name 'restore/text' -Version 1 } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
