BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Test-VaultAuditChain' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $vault = Join-Path -Path $TestDrive -ChildPath 'chain.vault'
        $null = New-TestVault -Path $vault -Password $password
        Set-VaultKey -Vault $vault -Name 'first' -Value 'one'
        Set-VaultKey -Vault $vault -Name 'second' -Value 'two'
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'on an untouched vault' {
        It 'returns $true as a Boolean' {
            $result = Test-VaultAuditChain -Vault $vault
            $result | Should -BeOfType ([bool])
            $result | Should -BeTrue
        }

        It 'works as the condition of an if statement' {
            $answer = if (Test-VaultAuditChain -Vault $vault) { 'intact' } else { 'broken' }
            $answer | Should -Be 'intact'
        }

        It 'returns the report with -Detailed' {
            $report = Test-VaultAuditChain -Vault $vault -Detailed
            $report.GetType().FullName | Should -Be 'SecureVault.AuditVerification'
            $report.IsValid | Should -BeTrue
            $report.Reason.ToString() | Should -Be 'None'
            $report.FirstBadSeq | Should -BeNullOrEmpty
            $report.FirstSeq | Should -Be 1
            $report.HeadSeq | Should -Be $report.RecordCount
            $report.AnchorChecked | Should -BeNullOrEmpty
            $report.Vault | Should -Be $vault
        }

        It 'records every verification in the audit log' {
            $before = @(Get-VaultAuditLog -Vault $vault -Action verify).Count
            $null = Test-VaultAuditChain -Vault $vault
            @(Get-VaultAuditLog -Vault $vault -Action verify).Count | Should -Be ($before + 1)
        }
    }

    Context 'with an anchor' {
        BeforeAll {
            $anchor = Join-Path -Path $TestDrive -ChildPath 'chain-head.json'
            Export-VaultAuditHead -Vault $vault -Path $anchor
        }

        It 'checks that the log still holds the anchored record' {
            $report = Test-VaultAuditChain -Vault $vault -Anchor $anchor -Detailed
            $report.IsValid | Should -BeTrue
            $report.AnchorChecked | Should -BeTrue
        }

        It 'fails with InvalidInput for a file that is not an anchor' {
            $notAnAnchor = Join-Path -Path $TestDrive -ChildPath 'not-an-anchor.json'
            Set-Content -LiteralPath $notAnAnchor -Value '{"format":"something else"}'
            { Test-VaultAuditChain -Vault $vault -Anchor $notAnAnchor -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'fails with InvalidInput for an anchor file that does not exist' {
            $missing = Join-Path -Path $TestDrive -ChildPath 'missing-head.json'
            { Test-VaultAuditChain -Vault $vault -Anchor $missing -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }

        It 'fails with InvalidInput for the anchor of another vault' {
            $other = Join-Path -Path $TestDrive -ChildPath 'other.vault'
            $null = New-TestVault -Path $other -Password $password
            $otherAnchor = Join-Path -Path $TestDrive -ChildPath 'other-head.json'
            Export-VaultAuditHead -Vault $other -Path $otherAnchor
            Lock-Vault -Vault $other
            { Test-VaultAuditChain -Vault $vault -Anchor $otherAnchor -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput*'
        }
    }

    Context 'when a record in the vault file was changed' {
        BeforeAll {
            # Records: 1 create, 2 set 'a', 3 set 'b', 4 lock.
            $tampered = Join-Path -Path $TestDrive -ChildPath 'tampered.vault'
            $null = New-TestVault -Path $tampered -Password $password
            Set-VaultKey -Vault $tampered -Name 'a' -Value 'x'
            Set-VaultKey -Vault $tampered -Name 'b' -Value 'y'
            Lock-Vault -Vault $tampered
            Edit-TestAuditRecord -Path $tampered -Seq 2
            Unlock-Vault -Vault $tampered -Password $password
        }

        AfterAll {
            Lock-Vault -Vault $tampered
        }

        It 'returns $false with one warning and no error' {
            $result = Test-VaultAuditChain -Vault $tampered -WarningVariable chainWarnings -WarningAction SilentlyContinue -ErrorVariable chainErrors
            $result | Should -BeOfType ([bool])
            $result | Should -BeFalse
            @($chainWarnings).Count | Should -Be 1
            @($chainErrors).Count | Should -Be 0
        }

        It 'names the changed record and the reason with -Detailed' {
            $report = Test-VaultAuditChain -Vault $tampered -Detailed
            $report.IsValid | Should -BeFalse
            $report.FirstBadSeq | Should -Be 2
            $report.Reason.ToString() | Should -Be 'HashMismatch'
        }
    }

    Context 'when the vault file was replaced by an older copy' {
        BeforeAll {
            # The older copy ends at record 3; the anchor vouches for record 9, after four more writes.
            $rolledBack = Join-Path -Path $TestDrive -ChildPath 'rollback.vault'
            $older = Join-Path -Path $TestDrive -ChildPath 'rollback.older'
            $rollbackAnchor = Join-Path -Path $TestDrive -ChildPath 'rollback-head.json'
            $null = New-TestVault -Path $rolledBack -Password $password
            Set-VaultKey -Vault $rolledBack -Name 'early' -Value 'x'
            Lock-Vault -Vault $rolledBack
            Copy-TestVaultFile -Path $rolledBack -Destination $older
            Unlock-Vault -Vault $rolledBack -Password $password
            foreach ($name in 'later/1', 'later/2', 'later/3', 'later/4') {
                Set-VaultKey -Vault $rolledBack -Name $name -Value 'y'
            }
            Export-VaultAuditHead -Vault $rolledBack -Path $rollbackAnchor
            Lock-Vault -Vault $rolledBack
            Copy-TestVaultFile -Path $older -Destination $rolledBack
            Unlock-Vault -Vault $rolledBack -Password $password -WarningAction SilentlyContinue
        }

        AfterAll {
            Lock-Vault -Vault $rolledBack
        }

        It 'still verifies without the anchor' {
            Test-VaultAuditChain -Vault $rolledBack | Should -BeTrue
        }

        It 'reports TruncatedBelowAnchor against the anchor' {
            $report = Test-VaultAuditChain -Vault $rolledBack -Anchor $rollbackAnchor -Detailed
            $report.IsValid | Should -BeFalse
            $report.Reason.ToString() | Should -Be 'TruncatedBelowAnchor'
            $report.AnchorChecked | Should -BeFalse
        }

        It 'returns $false with a warning against the anchor' {
            $result = Test-VaultAuditChain -Vault $rolledBack -Anchor $rollbackAnchor -WarningVariable chainWarnings -WarningAction SilentlyContinue
            $result | Should -BeFalse
            @($chainWarnings).Count | Should -Be 1
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
            { Test-VaultAuditChain -Vault $vault } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
