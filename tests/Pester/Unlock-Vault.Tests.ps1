BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Unlock-Vault' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $wrongPassword = New-TestPassword -Text 'not the right password'
        $vault = Join-Path -Path $TestDrive -ChildPath 'unlock.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'alice'
        Set-VaultKey -Vault $vault -Name 'greeting' -Value 'hello'
        Lock-Vault -Vault $vault
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with the right password' {
        BeforeEach {
            Lock-Vault -Vault $vault
        }

        It 'unlocks the vault so that keys can be read' {
            Unlock-Vault -Vault $vault -Password $password
            (Get-VaultStatus -Vault $vault).IsLocked | Should -BeFalse
            Get-VaultKey -Vault $vault -Name 'greeting' -AsPlainText | Should -BeExactly 'hello'
        }

        It 'writes nothing without -PassThru' {
            $output = Unlock-Vault -Vault $vault -Password $password
            $output | Should -BeNullOrEmpty
        }

        It 'returns the unlocked status with -PassThru' {
            $status = Unlock-Vault -Vault $vault -Password $password -PassThru
            $status.GetType().FullName | Should -Be 'SecureVault.VaultStatus'
            $status.IsLocked | Should -BeFalse
            $status.Principal | Should -Be 'alice'
            $status.Role | Should -Be 'Admin'
        }

        It 'finds the principal named by -Principal without regard to case' {
            $status = Unlock-Vault -Vault $vault -Password $password -Principal 'ALICE' -PassThru
            $status.Principal | Should -Be 'alice'
        }

        It 'uses a 15-minute idle timeout by default' {
            $status = Unlock-Vault -Vault $vault -Password $password -PassThru
            $status.IdleTimeout | Should -Be ([timespan]::FromMinutes(15))
        }

        It 'uses the idle timeout given by -Timeout' {
            $timeout = New-TimeSpan -Minutes 5
            $status = Unlock-Vault -Vault $vault -Password $password -Timeout $timeout -PassThru
            $status.IdleTimeout | Should -Be $timeout
            $status.TimeLeft | Should -BeGreaterThan ([timespan]::Zero)
            $status.TimeLeft | Should -BeLessOrEqual $timeout
        }

        It 'accepts a timeout written as a string' {
            $status = Unlock-Vault -Vault $vault -Password $password -Timeout '00:30:00' -PassThru
            $status.IdleTimeout | Should -Be ([timespan]::FromMinutes(30))
        }
    }

    Context 'with a wrong password' {
        BeforeAll {
            Lock-Vault -Vault $vault
        }

        It 'fails with AuthenticationFailed' {
            { Unlock-Vault -Vault $vault -Password $wrongPassword } | Should -Throw -ErrorId 'AuthenticationFailed*'
        }

        It 'leaves the vault locked' {
            { Unlock-Vault -Vault $vault -Password $wrongPassword } | Should -Throw
            (Get-VaultStatus -Vault $vault).IsLocked | Should -BeTrue
        }

        It 'fails the same way for a principal that does not exist' {
            { Unlock-Vault -Vault $vault -Password $password -Principal 'mallory' } | Should -Throw -ErrorId 'AuthenticationFailed*'
        }
    }

    Context 'with a password that is not well-formed text' {
        It 'refuses a password ending in U+<_> with InvalidInput' -ForEach @('D800', 'DBFF', 'DC00', 'FFFD') {
            # A lone surrogate used to become U+FFFD, so all four were one password.
            $ill = New-TestPassword -Text ('correct horse battery staple ' + [char][Convert]::ToInt32($_, 16))
            { Unlock-Vault -Vault $vault -Password $ill -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
            (Get-VaultStatus -Vault $vault).IsLocked | Should -BeTrue
        }
    }

    Context 'with an invalid idle timeout' {
        It 'refuses a timeout of zero with InvalidInput' {
            { Unlock-Vault -Vault $vault -Password $password -Timeout ([timespan]::Zero) -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'refuses a timeout longer than 7 days with InvalidInput' {
            { Unlock-Vault -Vault $vault -Password $password -Timeout ([timespan]::FromDays(8)) -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidInput*'
        }
    }

    Context 'when the vault file was replaced by an older copy' {
        BeforeAll {
            $rolledBack = Join-Path -Path $TestDrive -ChildPath 'rolled-back.vault'
            $older = Join-Path -Path $TestDrive -ChildPath 'rolled-back.older'
            $null = New-TestVault -Path $rolledBack -Password $password
            Lock-Vault -Vault $rolledBack
            Copy-TestVaultFile -Path $rolledBack -Destination $older
            Unlock-Vault -Vault $rolledBack -Password $password
            Set-VaultKey -Vault $rolledBack -Name 'written/later' -Value 'value'
            Lock-Vault -Vault $rolledBack
            Copy-TestVaultFile -Path $older -Destination $rolledBack
        }

        AfterAll {
            Lock-Vault -Vault $rolledBack
        }

        It 'unlocks it with one warning, records why and raises a VaultRolledBack alert' {
            Unlock-Vault -Vault $rolledBack -Password $password -WarningVariable unlockWarnings -WarningAction SilentlyContinue
            @($unlockWarnings).Count | Should -Be 1
            (Get-VaultStatus -Vault $rolledBack).IsLocked | Should -BeFalse
            (Get-VaultAuditLog -Vault $rolledBack -Action 'unlock' -Last 1).Reason | Should -Be 'VaultRolledBack'
            (Get-VaultAlert -Vault $rolledBack).Kind | Should -Contain 'VaultRolledBack'
        }

        It 'does not warn again at the next unlock' {
            Lock-Vault -Vault $rolledBack
            Unlock-Vault -Vault $rolledBack -Password $password -WarningVariable unlockWarnings -WarningAction SilentlyContinue
            @($unlockWarnings).Count | Should -Be 0
        }
    }

    Context 'with MFA on' {
        BeforeAll {
            $mfaVault = Join-Path -Path $TestDrive -ChildPath 'mfa.vault'
            $null = New-TestVault -Path $mfaVault -Password $password -Principal 'carol'
            $authenticator = New-TestAuthenticator -Uri (Enable-VaultMfa -Vault $mfaVault -AsPlainText -NoQrCode)
            $null = Enable-VaultMfa -Vault $mfaVault -Code (Get-TestTotpNextCode -Authenticator $authenticator)
            Lock-Vault -Vault $mfaVault
        }

        AfterAll {
            Lock-Vault -Vault $mfaVault
        }

        It 'fails with MfaRequired without -Totp and leaves the vault locked' {
            { Unlock-Vault -Vault $mfaVault -Password $password } | Should -Throw -ErrorId 'MfaRequired*'
            (Get-VaultStatus -Vault $mfaVault).IsLocked | Should -BeTrue
        }

        It 'fails with AuthenticationFailed for a wrong code' {
            $wrong = Get-TestTotpWrongCode -Authenticator $authenticator
            { Unlock-Vault -Vault $mfaVault -Password $password -Totp $wrong } | Should -Throw -ErrorId 'AuthenticationFailed*'
            (Get-VaultStatus -Vault $mfaVault).IsLocked | Should -BeTrue
        }

        It 'unlocks with the password and the current code' {
            $status = Unlock-Vault -Vault $mfaVault -Password $password -Totp (Get-TestTotpNextCode -Authenticator $authenticator) -PassThru
            $status.IsLocked | Should -BeFalse
            $status.Principal | Should -Be 'carol'
        }

        It 'refuses the same code a second time with AuthenticationFailed' {
            Lock-Vault -Vault $mfaVault
            { Unlock-Vault -Vault $mfaVault -Password $password -Totp $authenticator.Last } | Should -Throw -ErrorId 'AuthenticationFailed*'
            (Get-VaultStatus -Vault $mfaVault).IsLocked | Should -BeTrue
        }

        It 'records every refusal in the audit log' {
            Unlock-Vault -Vault $mfaVault -Password $password -Totp (Get-TestTotpNextCode -Authenticator $authenticator)
            @((Get-VaultAuditLog -Vault $mfaVault -Action 'unlock' -Outcome 'denied').Reason) |
                Should -Be @('MfaRequired', 'AuthenticationFailed', 'AuthenticationFailed')
        }
    }

    Context 'with a certificate' {
        BeforeAll {
            $certificateVault = Join-Path -Path $TestDrive -ChildPath 'certificate.vault'
            $null = New-TestVault -Path $certificateVault -Password $password -Principal 'owner'
            $certificate = New-TestCertificate -Subject 'nightly-job'
            $null = New-VaultPrincipal -Vault $certificateVault -Name 'nightly-job' -Role Viewer -Certificate $certificate
            $pfx = Join-Path -Path $TestDrive -ChildPath 'nightly-job.pfx'
            $pfxPassword = New-TestPassword -Text 'pfx password'
            [System.IO.File]::WriteAllBytes($pfx, $certificate.Export([System.Security.Cryptography.X509Certificates.X509ContentType]::Pfx, 'pfx password'))
            $stranger = New-TestCertificate -Subject 'someone else'
        }

        BeforeEach {
            Lock-Vault -Vault $certificateVault
        }

        AfterAll {
            Lock-Vault -Vault $certificateVault
        }

        It 'unlocks as the principal the certificate was enrolled for, without a password' {
            $status = Unlock-Vault -Vault $certificateVault -Certificate $certificate -PassThru
            $status.Principal | Should -Be 'nightly-job'
            $status.Role | Should -Be 'Viewer'
        }

        It 'unlocks with a PFX file and its password' {
            Unlock-Vault -Vault $certificateVault -CertificatePath $pfx -CertificatePassword $pfxPassword
            (Get-VaultStatus -Vault $certificateVault).Principal | Should -Be 'nightly-job'
        }

        It 'takes the certificate from the pipeline' {
            $certificate | Unlock-Vault -Vault $certificateVault
            (Get-VaultStatus -Vault $certificateVault).Principal | Should -Be 'nightly-job'
        }

        It 'fails with AuthenticationFailed for a certificate that is not enrolled' {
            { Unlock-Vault -Vault $certificateVault -Certificate $stranger } | Should -Throw -ErrorId 'AuthenticationFailed*'
            (Get-VaultStatus -Vault $certificateVault).IsLocked | Should -BeTrue
        }

        It 'fails with InvalidInput for a wrong PFX password' {
            $wrongPassword = New-TestPassword -Text 'not the pfx password'
            { Unlock-Vault -Vault $certificateVault -CertificatePath $pfx -CertificatePassword $wrongPassword -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'fails with InvalidInput for -CertificateThumbprint outside Windows, or a thumbprint not in the store' {
            { Unlock-Vault -Vault $certificateVault -CertificateThumbprint ('0' * 40) -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }
    }

    Context 'when the vault does not exist' {
        It 'fails with VaultNotFound' {
            $missing = Join-Path -Path $TestDrive -ChildPath 'missing.vault'
            { Unlock-Vault -Vault $missing -Password $password } | Should -Throw -ErrorId 'VaultNotFound*'
        }
    }
}
