BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Get-VaultAlert' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $wrongPassword = New-TestPassword -Text 'not the right password'
        $vault = Join-Path -Path $TestDrive -ChildPath 'alert.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'alice'
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'on a new vault' {
        It 'returns nothing' {
            Get-VaultAlert -Vault $vault | Should -BeNullOrEmpty
        }
    }

    Context 'after three failed unlocks' {
        BeforeAll {
            Lock-Vault -Vault $vault
            foreach ($attempt in 1..3) {
                { Unlock-Vault -Vault $vault -Password $wrongPassword } | Should -Throw -ErrorId 'AuthenticationFailed*'
            }
            Unlock-Vault -Vault $vault -Password $password
            $alerts = Get-VaultAlert -Vault $vault
        }

        It 'returns one RepeatedFailedUnlock alert' {
            @($alerts).Count | Should -Be 1
            $alerts.GetType().FullName | Should -Be 'SecureVault.VaultAlert'
            $alerts.Kind | Should -Be 'RepeatedFailedUnlock'
            $alerts.Severity.ToString() | Should -Be 'Warning'
        }

        It 'names the principal, the action and the number of failures' {
            $alerts.Principal | Should -Be 'alice'
            $alerts.Action | Should -Be 'unlock'
            $alerts.Count | Should -Be 3
        }

        It 'points at the audit record of the third failure' {
            $failures = Get-VaultAuditLog -Vault $vault -Outcome 'denied'
            $alerts.Seq | Should -Be $failures[2].Seq
        }

        It 'returns nothing with -Since after the failures' {
            Get-VaultAlert -Vault $vault -Since (Get-Date).AddMinutes(5) | Should -BeNullOrEmpty
        }
    }

    Context 'after a failed verification of the audit chain' {
        BeforeAll {
            $tampered = Join-Path -Path $TestDrive -ChildPath 'tampered-alert.vault'
            $null = New-TestVault -Path $tampered -Password $password
            Set-VaultKey -Vault $tampered -Name 'key' -Value 'value'
            Lock-Vault -Vault $tampered
            Edit-TestAuditRecord -Path $tampered -Seq 2
            Unlock-Vault -Vault $tampered -Password $password
            $null = Test-VaultAuditChain -Vault $tampered -WarningAction SilentlyContinue
        }

        AfterAll {
            Lock-Vault -Vault $tampered
        }

        It 'returns a critical AuditVerificationFailed alert' {
            $alert = Get-VaultAlert -Vault $tampered | Where-Object Kind -EQ 'AuditVerificationFailed'
            @($alert).Count | Should -Be 1
            $alert.Severity.ToString() | Should -Be 'Critical'
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            Lock-Vault -Vault $vault
        }

        AfterAll {
            Unlock-Vault -Vault $vault -Password $password
        }

        It 'fails with VaultLocked' {
            { Get-VaultAlert -Vault $vault } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
