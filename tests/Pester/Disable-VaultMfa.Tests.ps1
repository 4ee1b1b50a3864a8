BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    function Enable-TestMfa {
        <# Enrols the unlocked principal of a vault and returns its authenticator. #>
        param(
            [Parameter(Mandatory)]
            [string] $Vault
        )
        $authenticator = New-TestAuthenticator -Uri (Enable-VaultMfa -Vault $Vault -AsPlainText -NoQrCode)
        $null = Enable-VaultMfa -Vault $Vault -Code (Get-TestTotpNextCode -Authenticator $authenticator)
        $authenticator
    }
}

Describe 'Disable-VaultMfa' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $bobPassword = New-TestPassword -Text 'bob has his own long passphrase'
        $vault = Join-Path -Path $TestDrive -ChildPath 'disable-mfa.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'bob' -Role User -Password $bobPassword
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'for the principal''s own MFA' {
        BeforeAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'bob' -Password $bobPassword
            $authenticator = Enable-TestMfa -Vault $vault
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'refuses a principal that is not an Admin without -Code, with AccessDenied' {
            { Disable-VaultMfa -Vault $vault -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
            (Get-VaultPrincipal -Vault $vault -Name 'bob').MfaEnabled | Should -BeTrue
        }

        It 'refuses a wrong code with AuthenticationFailed' {
            $wrong = Get-TestTotpWrongCode -Authenticator $authenticator
            { Disable-VaultMfa -Vault $vault -Code $wrong -Confirm:$false } | Should -Throw -ErrorId 'AuthenticationFailed*'
            (Get-VaultPrincipal -Vault $vault -Name 'bob').MfaEnabled | Should -BeTrue
        }

        It 'changes nothing with -WhatIf' {
            Disable-VaultMfa -Vault $vault -Code $authenticator.Last -WhatIf | Should -BeNullOrEmpty
            (Get-VaultPrincipal -Vault $vault -Name 'bob').MfaEnabled | Should -BeTrue
        }

        It 'turns MFA off with a current code' {
            $principal = Disable-VaultMfa -Vault $vault -Code (Get-TestTotpNextCode -Authenticator $authenticator) -Confirm:$false -PassThru
            $principal.GetType().FullName | Should -Be 'SecureVault.Access.VaultPrincipalInfo'
            $principal.MfaEnabled | Should -BeFalse
        }

        It 'lets the principal unlock with its password alone again' {
            Lock-Vault -Vault $vault
            (Unlock-Vault -Vault $vault -Principal 'bob' -Password $bobPassword -PassThru).Principal | Should -Be 'bob'
        }
    }

    Context 'for another principal' {
        BeforeAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
            $ownerAuthenticator = Enable-TestMfa -Vault $vault
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'bob' -Password $bobPassword
            $null = Enable-TestMfa -Vault $vault
        }

        It 'refuses a principal that is not an Admin with AccessDenied' {
            { Disable-VaultMfa -Vault $vault -Principal 'owner' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
            (Get-VaultPrincipal -Vault $vault -Name 'owner').MfaEnabled | Should -BeTrue
        }

        It 'lets an Admin turn it off without a code' {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password -Totp (Get-TestTotpNextCode -Authenticator $ownerAuthenticator)
            Disable-VaultMfa -Vault $vault -Principal 'bob' -Confirm:$false | Should -BeNullOrEmpty
            (Get-VaultPrincipal -Vault $vault -Name 'bob').MfaEnabled | Should -BeFalse
        }

        It 'records who turned MFA off in the audit log' {
            # bob turned his own off in the context above; the owner turned bob's off here.
            @((Get-VaultAuditLog -Vault $vault -Action 'mfa-disable' -Outcome 'success').Principal) | Should -Be @('bob', 'owner')
        }

        It 'takes the principals piped from Get-VaultPrincipal' {
            Get-VaultPrincipal -Vault $vault | Where-Object MfaEnabled | Disable-VaultMfa -Confirm:$false
            (Get-VaultPrincipal -Vault $vault -Name 'owner').MfaEnabled | Should -BeFalse
        }

        It 'fails with InvalidInput when MFA is not on' {
            { Disable-VaultMfa -Vault $vault -Principal 'bob' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'fails with PrincipalNotFound for a principal that does not exist' {
            { Disable-VaultMfa -Vault $vault -Principal 'nobody' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'PrincipalNotFound*'
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
            { Disable-VaultMfa -Vault $vault -Confirm:$false } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
