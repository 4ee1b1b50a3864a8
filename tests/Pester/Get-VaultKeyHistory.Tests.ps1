BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Get-VaultKeyHistory' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $viewerPassword = New-TestPassword -Text 'vera reads but never writes'
        $vault = Join-Path -Path $TestDrive -ChildPath 'history.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'vera' -Role Viewer -Password $viewerPassword
        # Unique values, so a listing that showed one could not go unnoticed.
        $valueMarker = 'history-value-' + [guid]::NewGuid().ToString('n')
        foreach ($version in 1..3) {
            Set-VaultKey -Vault $vault -Name 'history/three' -Value "$valueMarker-$version"
        }
        foreach ($value in 1..12) {
            Set-VaultKey -Vault $vault -Name 'history/many' -Value "value $value"
        }
        Set-VaultKey -Vault $vault -Name 'history/kept' -Value 'value 1'
        Set-VaultRotationPolicy -Vault $vault -Name 'history/kept' -VersionsKept 3
        foreach ($value in 2..5) {
            Set-VaultKey -Vault $vault -Name 'history/kept' -Value "value $value"
        }
        $history = Get-VaultKeyHistory -Vault $vault -Name 'history/three'
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'for a key with three versions' {
        It 'returns every version, newest first' {
            $history[0].GetType().FullName | Should -Be 'SecureVault.Rotation.VaultKeyVersionInfo'
            $history.Version | Should -Be @(3, 2, 1)
            $history.Name | Sort-Object -Unique | Should -Be 'history/three'
            $history[0].Vault | Should -Be $vault
        }

        It 'marks only the newest as current' {
            $history.IsCurrent | Should -Be @($true, $false, $false)
        }

        It 'says when and by whom each version was written' {
            $history.CreatedBy | Sort-Object -Unique | Should -Be 'owner'
            $history[0].Created | Should -BeGreaterOrEqual $history[1].Created
            $history[1].Created | Should -BeGreaterOrEqual $history[2].Created
        }

        It 'gives a replaced version the grace after its replacement to be read, and the current version none' {
            $history[0].ReadableUntil | Should -BeNullOrEmpty
            $history[1].ReadableUntil | Should -Be $history[0].Created.AddDays(7)
            $history[2].ReadableUntil | Should -Be $history[1].Created.AddDays(7)
        }

        It 'follows the key''s grace' {
            Set-VaultRotationPolicy -Vault $vault -Name 'history/three' -Grace 2
            $withGrace = Get-VaultKeyHistory -Vault $vault -Name 'history/three'
            $withGrace[1].ReadableUntil | Should -Be $withGrace[0].Created.AddDays(2)
        }

        It 'never returns a value' {
            $history[0].PSObject.Properties.Name | Should -Not -Contain 'Value'
            ($history | Format-List -Property * | Out-String).Contains($valueMarker) | Should -BeFalse
        }
    }

    Context 'with the versions kept' {
        It 'keeps the last 10 versions by default' {
            (Get-VaultKeyHistory -Vault $vault -Name 'history/many').Version | Should -Be @(12..3)
        }

        It 'keeps the number of versions the policy sets' {
            (Get-VaultKeyHistory -Vault $vault -Name 'history/kept').Version | Should -Be @(5, 4, 3)
        }
    }

    Context 'with other input' {
        It 'takes the name as the first positional argument and finds the key without regard to case' {
            (Get-VaultKeyHistory 'HISTORY/THREE' -Vault $vault).Version | Should -Be @(3, 2, 1)
        }

        It 'returns the history of every key piped from Get-VaultKeyInfo' {
            $piped = Get-VaultKeyInfo -Vault $vault -Name 'history/k*' | Get-VaultKeyHistory
            $piped.Version | Should -Be @(5, 4, 3)
        }

        It 'fails with KeyNotFound for a key that does not exist' {
            { Get-VaultKeyHistory -Vault $vault -Name 'history/missing' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyNotFound*'
        }
    }

    Context 'in the audit log' {
        It 'records every listing as history, with the key' {
            $before = @(Get-VaultAuditLog -Vault $vault -Action 'history' -Name 'history/three').Count
            $null = Get-VaultKeyHistory -Vault $vault -Name 'history/three'
            $records = @(Get-VaultAuditLog -Vault $vault -Action 'history' -Name 'history/three')
            $records.Count | Should -Be ($before + 1)
            $records[-1].Outcome | Should -Be 'success'
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

        It 'lists the versions of a key it may not read, which any principal may list' {
            { Get-VaultKey -Vault $vault -Name 'history/three' -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
            (Get-VaultKeyHistory -Vault $vault -Name 'history/three').Version | Should -Be @(3, 2, 1)
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
            { Get-VaultKeyHistory -Vault $vault -Name 'history/three' } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
