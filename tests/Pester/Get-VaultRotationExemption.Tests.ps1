BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Get-VaultRotationExemption' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $viewerPassword = New-TestPassword -Text 'vera reads but never writes'
        $vault = Join-Path -Path $TestDrive -ChildPath 'get-exemption.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'vera' -Role Viewer -Password $viewerPassword
        Set-VaultKey -Vault $vault -Name 'app/one' -Value 'one' -Service 'billing'
        Set-VaultKey -Vault $vault -Name 'app/two' -Value 'two'
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'on a vault without exemptions' {
        It 'returns nothing' {
            Get-VaultRotationExemption -Vault $vault | Should -BeNullOrEmpty
            Get-VaultRotationExemption -Vault $vault -IncludeExpired | Should -BeNullOrEmpty
        }
    }

    Context 'with active and expired exemptions' {
        BeforeAll {
            $byKey = Add-VaultRotationExemption -Vault $vault -Key 'app/one' -Reason 'waiting for the vendor' -Until (Get-Date).AddDays(20)
            $byService = Add-VaultRotationExemption -Vault $vault -Service 'billing' -Reason 'billing freeze' -Until (Get-Date).AddDays(10)
            $shortLived = Add-VaultRotationExemption -Vault $vault -Key 'app/two' -Reason 'two seconds only' -Until (Get-Date).AddSeconds(2)
            Start-Sleep -Seconds 2.5
        }

        It 'returns the active exemptions, soonest end first' {
            $exemptions = Get-VaultRotationExemption -Vault $vault
            @($exemptions).Count | Should -Be 2
            $exemptions[0].GetType().FullName | Should -Be 'SecureVault.Rotation.VaultRotationExemption'
            $exemptions.Id | Should -Be @($byService.Id, $byKey.Id)
            $exemptions.IsActive | Should -Be @($true, $true)
        }

        It 'returns each exemption as it was added' {
            $listed = Get-VaultRotationExemption -Vault $vault | Where-Object Id -EQ $byKey.Id
            $listed.Key | Should -Be 'app/one'
            $listed.Service | Should -BeNullOrEmpty
            $listed.Reason | Should -Be 'waiting for the vendor'
            $listed.Until | Should -Be $byKey.Until
            $listed.Created | Should -Be $byKey.Created
            $listed.CreatedBy | Should -Be 'owner'
            $listed.Vault | Should -Be $vault
        }

        It 'also returns the expired ones with -IncludeExpired, marked inactive' {
            $exemptions = Get-VaultRotationExemption -Vault $vault -IncludeExpired
            $exemptions.Id | Should -Be @($shortLived.Id, $byService.Id, $byKey.Id)
            $exemptions[0].IsActive | Should -BeFalse
        }

        It 'no longer exempts the key of an expired exemption' {
            (Get-VaultRotationStatus -Vault $vault -Name 'app/two').State.ToString() | Should -Be 'Ok'
            (Get-VaultRotationStatus -Vault $vault -Name 'app/one').State.ToString() | Should -Be 'Exempt'
        }

        It 'records every listing as rotation-read' {
            $before = @(Get-VaultAuditLog -Vault $vault -Action 'rotation-read' -Outcome success).Count
            $null = Get-VaultRotationExemption -Vault $vault
            @(Get-VaultAuditLog -Vault $vault -Action 'rotation-read' -Outcome success).Count | Should -Be ($before + 1)
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

        It 'lists the exemptions, which any principal may see' {
            @(Get-VaultRotationExemption -Vault $vault).Count | Should -Be 2
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
            { Get-VaultRotationExemption -Vault $vault } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
