BeforeDiscovery {
    # The terminal tests drive a real pwsh in a tmux pseudo-terminal.
    # In CI (.ci/run installs tmux) these tests never skip: a missing tmux fails them.
    $hasTmux = [bool](Get-Command -Name tmux -CommandType Application -ErrorAction Ignore) -or $env:CI -eq 'true'
}

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
            # -NoQrCode keeps the QR code off the test console; 'in a terminal' below looks at the drawing.
            # *>&1 joins every stream to the output: only the enrolment may come out.
            $everything = @(Enable-VaultMfa -Vault $vault -NoQrCode -InformationVariable shown *>&1)
            $enrolment = $everything[0]
            $uri = ConvertTo-PlainText -SecureString $enrolment.OtpAuthUri
            $base32Secret = ($uri -split 'secret=')[1].Split('&')[0]

            function Get-StringsInObject {
                <# Every string an object carries, in its properties and theirs (and in collections), a few levels deep. #>
                param($InputObject, [int] $Depth = 0)
                if ($null -eq $InputObject -or $Depth -gt 4 -or $InputObject -is [securestring]) { return }
                if ($InputObject -is [string]) { return $InputObject }
                if ($InputObject -is [ValueType]) { return }
                if ($InputObject -is [System.Collections.IEnumerable]) {
                    foreach ($item in $InputObject) { Get-StringsInObject -InputObject $item -Depth ($Depth + 1) }
                    return
                }
                foreach ($property in $InputObject.PSObject.Properties) {
                    Get-StringsInObject -InputObject $property.Value -Depth ($Depth + 1)
                }
            }
        }

        AfterAll {
            Lock-Vault -Vault $vault
        }

        It 'returns the pending enrolment with the otpauth URI as a SecureString' {
            $enrolment.GetType().FullName | Should -Be 'SecureVault.PowerShell.VaultMfaEnrolment'
            $enrolment.Principal | Should -Be 'owner'
            $enrolment.OtpAuthUri | Should -BeOfType [securestring]
            $uri | Should -BeLike 'otpauth://totp/SecureVault:owner?secret=*'
        }

        It 'says what to do next' {
            $enrolment.Instructions | Should -BeLike '*OtpAuthUri*Enable-VaultMfa*-Code*'
        }

        It 'writes nothing but the enrolment to any stream' {
            $everything.Count | Should -Be 1
            @($shown).Count | Should -Be 0
        }

        It 'carries no QrCode property and no plain copy of the secret in any property' {
            $enrolment.PSObject.Properties['QrCode'] | Should -BeNullOrEmpty
            $strings = @(Get-StringsInObject -InputObject $enrolment)
            $strings.Count | Should -BeGreaterThan 0
            foreach ($text in $strings) {
                $text | Should -Not -BeLike "*$base32Secret*"
                $text | Should -Not -BeLike '*otpauth://totp*'
            }
            $enrolment | ConvertTo-Json -Depth 4 | Should -Not -BeLike "*$base32Secret*"
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

    Context 'in a terminal' -Skip:(-not $hasTmux) {
        # A real pwsh in a pseudo-terminal: the QR code is on the screen, and only there.
        BeforeAll {
            $terminalScript = Join-Path -Path $TestDrive -ChildPath 'terminal-mfa.ps1'
            $drawnPath = Join-Path -Path $TestDrive -ChildPath 'terminal-mfa.vault'
            $plainPath = Join-Path -Path $TestDrive -ChildPath 'terminal-mfa-plain.vault'
            Set-Content -LiteralPath $terminalScript -Value @"
Import-Module -Name '$((Get-Module -Name SecureVault).Path -replace "'", "''")'
`$env:SECUREVAULT_HOME = '$($TestDrive -replace "'", "''")'
`$password = ConvertTo-SecureString -String 'correct horse battery staple' -AsPlainText -Force
foreach (`$path in '$drawnPath', '$plainPath') {
    `$null = New-Vault -Vault `$path -Password `$password -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1
}
'--- drawn'
`$captured = Enable-VaultMfa -Vault '$drawnPath' *>&1
'--- captured ' + @(`$captured).Count
'--- no qr code'
`$null = Enable-VaultMfa -Vault '$plainPath' -NoQrCode
'--- end'
`$null = Read-Host 'finished'
"@
            $socket = Start-TestTerminal -ScriptPath $terminalScript
            try {
                $screen = Wait-TestTerminalText -Socket $socket -Text 'finished'
            }
            finally {
                Stop-TestTerminal -Socket $socket
            }
            $blocks = '[\u2580\u2584\u2588]'
            $drawn = ($screen -split '--- drawn')[1] -split '--- captured' | Select-Object -First 1
            $notDrawn = ($screen -split '--- no qr code')[1] -split '--- end' | Select-Object -First 1
        }

        It 'draws the QR code on the screen, with the next step' {
            @($drawn -split "`n" | Where-Object { $_ -match $blocks }).Count | Should -BeGreaterThan 10
            $drawn | Should -Match 'Enable-VaultMfa'
        }

        It 'keeps it out of every stream: *>&1 captures the enrolment alone' {
            $screen | Should -Match '--- captured 1'
        }

        It 'draws nothing with -NoQrCode' {
            $notDrawn | Should -Not -Match $blocks
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
