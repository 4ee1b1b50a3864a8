BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Enable-VaultMfa' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
    }

    AfterAll {
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'without -Code' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'start.vault'
            $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
            # -InformationAction Ignore keeps the QR code off the test console; -InformationVariable still gets it.
            $enrolment = Enable-VaultMfa -Vault $vault -InformationVariable shown -InformationAction Ignore
        }

        AfterAll {
            Lock-Vault -Vault $vault
        }

        It 'returns the pending enrolment with the otpauth URI as a SecureString' {
            $enrolment.GetType().FullName | Should -Be 'SecureVault.Access.MfaEnrolment'
            $enrolment.Principal | Should -Be 'owner'
            $enrolment.OtpAuthUri | Should -BeOfType [securestring]
            ConvertTo-PlainText -SecureString $enrolment.OtpAuthUri | Should -BeLike 'otpauth://totp/SecureVault:owner?secret=*'
        }

        It 'says what to do next' {
            $enrolment.Instructions | Should -BeLike '*Enable-VaultMfa*-Code*'
        }

        It 'draws the QR code on the host like Write-Host, never in the output' {
            @($shown).Count | Should -Be 1
            $shown[0].Tags | Should -Contain 'PSHOST'
            $shown[0].MessageData.Message.Contains($enrolment.QrCode) | Should -BeTrue
            @($enrolment).Count | Should -Be 1
        }

        It 'leaves MFA off until the enrolment is confirmed' {
            (Get-VaultPrincipal -Vault $vault -Name 'owner').MfaEnabled | Should -BeFalse
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Password $password
            (Get-VaultStatus -Vault $vault).IsLocked | Should -BeFalse
        }

        It 'records the start in the audit log' {
            (Get-VaultAuditLog -Vault $vault -Action 'mfa-enable' -Last 1).Outcome | Should -Be 'success'
        }
    }

    Context 'with -AsPlainText and -NoQrCode' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'plain.vault'
            $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
            $uri = Enable-VaultMfa -Vault $vault -AsPlainText -NoQrCode -InformationVariable shown
        }

        AfterAll {
            Lock-Vault -Vault $vault
        }

        It 'returns the otpauth URI as a string' {
            $uri | Should -BeOfType [string]
            $uri | Should -BeLike 'otpauth://totp/SecureVault:owner?secret=*&issuer=SecureVault*'
        }

        It 'draws nothing on the host' {
            @($shown).Count | Should -Be 0
        }
    }

    Context 'with -Code' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'confirm.vault'
            $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
            $authenticator = New-TestAuthenticator -Uri (Enable-VaultMfa -Vault $vault -AsPlainText -NoQrCode)
        }

        AfterAll {
            Lock-Vault -Vault $vault
        }

        It 'refuses a code that does not match the new secret with InvalidInput' {
            $wrong = Get-TestTotpWrongCode -Authenticator $authenticator
            { Enable-VaultMfa -Vault $vault -Code $wrong -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            (Get-VaultPrincipal -Vault $vault -Name 'owner').MfaEnabled | Should -BeFalse
        }

        It 'changes nothing with -WhatIf' {
            Enable-VaultMfa -Vault $vault -Code (Get-TestTotpNextCode -Authenticator $authenticator) -WhatIf | Should -BeNullOrEmpty
            (Get-VaultPrincipal -Vault $vault -Name 'owner').MfaEnabled | Should -BeFalse
        }

        It 'turns MFA on with a right code and returns the principal' {
            # -WhatIf above never checked its code, so the vault has not used it yet.
            $principal = Enable-VaultMfa -Vault $vault -Code $authenticator.Last
            $principal.GetType().FullName | Should -Be 'SecureVault.Access.VaultPrincipalInfo'
            $principal.MfaEnabled | Should -BeTrue
            (Get-VaultAuditLog -Vault $vault -Action 'mfa-confirm' -Last 1).Outcome | Should -Be 'success'
        }

        It 'refuses to enrol again while MFA is on with InvalidInput' {
            { Enable-VaultMfa -Vault $vault -NoQrCode -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'makes Unlock-Vault ask for a code' {
            Lock-Vault -Vault $vault
            { Unlock-Vault -Vault $vault -Password $password } | Should -Throw -ErrorId 'MfaRequired*'
            Unlock-Vault -Vault $vault -Password $password -Totp (Get-TestTotpNextCode -Authenticator $authenticator)
            (Get-VaultStatus -Vault $vault).IsLocked | Should -BeFalse
        }
    }

    Context 'with -WhatIf' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'whatif.vault'
            $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        }

        AfterAll {
            Lock-Vault -Vault $vault
        }

        It 'starts no enrolment' {
            Enable-VaultMfa -Vault $vault -WhatIf -InformationVariable shown | Should -BeNullOrEmpty
            @($shown).Count | Should -Be 0
            { Enable-VaultMfa -Vault $vault -Code '123456' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            Get-VaultAuditLog -Vault $vault -Action 'mfa-enable' | Should -BeNullOrEmpty
        }
    }

    Context 'when the vault is locked' {
        BeforeAll {
            $vault = Join-Path -Path $TestDrive -ChildPath 'locked.vault'
            $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
            Lock-Vault -Vault $vault
        }

        AfterAll {
            Lock-Vault -Vault $vault
        }

        It 'fails with VaultLocked' {
            { Enable-VaultMfa -Vault $vault } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
