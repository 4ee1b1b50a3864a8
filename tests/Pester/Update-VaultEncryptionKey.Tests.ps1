BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Update-VaultEncryptionKey' {
    BeforeAll {
        $savedEnvironment = Enter-TestVaultHome -Path $TestDrive
        $password = New-TestPassword
        $userPassword = New-TestPassword -Text 'bob has his own long passphrase'
        $vault = Join-Path -Path $TestDrive -ChildPath 'rekey.vault'
        $null = New-TestVault -Path $vault -Password $password -Principal 'owner'
        $null = New-VaultPrincipal -Vault $vault -Name 'bob' -Role User -Password $userPassword
        $null = New-VaultPrincipal -Vault $vault -Name 'vera' -Role Viewer -Password $userPassword
        Set-VaultKey -Vault $vault -Name 'app/one' -Value 'value of app/one' -Service 'billing'
        Set-VaultKey -Vault $vault -Name 'app/bytes' -Value ([byte[]](0, 1, 254, 255))
        foreach ($value in 'one', 'two', 'three') {
            Set-VaultKey -Vault $vault -Name 'app/versions' -Value $value
        }
        foreach ($number in 1..12) {
            Set-VaultKey -Vault $vault -Name ('bulk/{0:d2}' -f $number) -Value "bulk value $number"
        }
        Grant-VaultAccess -Vault $vault -Name 'app/one' -Principal 'vera' -Permission Read
        Set-VaultRotationPolicy -Vault $vault -Default -MaxAge 60
        $exemption = Add-VaultRotationExemption -Vault $vault -Service 'billing' -Reason 'billing freeze' -Until (Get-Date).AddDays(5)
        Lock-Vault -Vault $vault
        Unlock-Vault -Vault $vault -Principal 'bob' -Password $userPassword
        Set-VaultKey -Vault $vault -Name 'bob/own' -Value 'value of bob/own'
        Lock-Vault -Vault $vault
        Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        $keyCount = @(Get-VaultKeyInfo -Vault $vault).Count

        function Test-EveryValue {
            <# Reads every value this file wrote, as the principal whose session is open. #>
            Get-VaultKey -Vault $vault -Name 'app/one' -AsPlainText | Should -BeExactly 'value of app/one'
            (Get-VaultKey -Vault $vault -Name 'app/bytes') -join ',' | Should -Be '0,1,254,255'
            foreach ($version in 1..3) {
                Get-VaultKey -Vault $vault -Name 'app/versions' -Version $version -AsPlainText | Should -BeExactly (@('one', 'two', 'three')[$version - 1])
            }
            foreach ($number in 1..12) {
                Get-VaultKey -Vault $vault -Name ('bulk/{0:d2}' -f $number) -AsPlainText | Should -BeExactly "bulk value $number"
            }
        }
    }

    AfterAll {
        Lock-Vault -Vault $vault
        Exit-TestVaultHome -Saved $savedEnvironment
    }

    Context 'with -WhatIf' {
        It 'changes nothing' {
            $before = @(Get-VaultAuditLog -Vault $vault -Action 'rekey').Count
            Update-VaultEncryptionKey -Vault $vault -WhatIf | Should -BeNullOrEmpty
            @(Get-VaultAuditLog -Vault $vault -Action 'rekey').Count | Should -Be $before
        }
    }

    Context 'with -Confirm:$false' {
        BeforeAll {
            $lastSeq = (Get-VaultAuditLog -Vault $vault -Last 1).Seq
            $result = Update-VaultEncryptionKey -Vault $vault -BatchSize 5 -Confirm:$false
            $rekeyRecords = @(Get-VaultAuditLog -Vault $vault -Action 'rekey' | Where-Object Seq -GT $lastSeq)
        }

        It 'returns the result: every data key rotated, the first metadata key generation, not resumed' {
            $result.GetType().FullName | Should -Be 'SecureVault.Rotation.VaultRekeyResult'
            $result.DataKeysRotated | Should -Be $keyCount
            $result.MetadataRecords | Should -BeGreaterThan $keyCount
            $result.Generation | Should -Be 1
            $result.Resumed | Should -BeFalse
            $result.Vault | Should -Be $vault
        }

        It 'rotates the data keys in transactions of -BatchSize keys, then replaces the metadata key, all audited' {
            $rekeyRecords.Outcome | Sort-Object -Unique | Should -Be 'success'
            $rekeyRecords[-1].Count | Should -Be $result.MetadataRecords
            # The first record starts the rekey, the last replaces the metadata key; between them, one per batch.
            $batches = @($rekeyRecords | Select-Object -Skip 1 | Select-Object -SkipLast 1)
            $batches.Count | Should -Be ([math]::Floor($keyCount / 5) + 1)
            ($batches | Measure-Object -Property Count -Maximum).Maximum | Should -Be 5
            ($batches | Measure-Object -Property Count -Sum).Sum | Should -Be $keyCount
        }

        It 'leaves every value and every version readable' {
            Test-EveryValue
        }

        It 'keeps the rotation policy and the exemptions' {
            (Get-VaultRotationPolicy -Vault $vault).MaxAge | Should -Be ([timespan]::FromDays(60))
            (Get-VaultRotationExemption -Vault $vault).Id | Should -Be $exemption.Id
        }

        It 'keeps the audit chain intact' {
            Test-VaultAuditChain -Vault $vault | Should -BeTrue
        }

        It 'lets every principal unlock and read again' {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'bob' -Password $userPassword
            Get-VaultKey -Vault $vault -Name 'bob/own' -AsPlainText | Should -BeExactly 'value of bob/own'
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'vera' -Password $userPassword
            Get-VaultKey -Vault $vault -Name 'app/one' -AsPlainText | Should -BeExactly 'value of app/one'
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
            Test-EveryValue
        }

        It 'moves to the next generation when run again' {
            (Update-VaultEncryptionKey -Vault $vault -Confirm:$false).Generation | Should -Be 2
        }
    }

    Context 'with progress' {
        It 'shows how far it is and completes' {
            $shell = New-TestShell
            try {
                $null = $shell.AddCommand('Update-VaultEncryptionKey').AddParameter('Vault', $vault).AddParameter('BatchSize', 4).AddParameter('Confirm', $false)
                $output = $shell.Invoke()
                $progress = @($shell.Streams.Progress)
            }
            finally {
                $shell.Dispose()
            }
            $output[0].Generation | Should -Be 3
            $processing = @($progress | Where-Object RecordType -EQ 'Processing')
            $processing.Count | Should -BeGreaterOrEqual 2
            $processing[-1].PercentComplete | Should -Be 100
            $progress[-1].RecordType.ToString() | Should -Be 'Completed'
        }
    }

    Context 'when interrupted' {
        BeforeAll {
            if (-not ('SecureVaultTests.ProgressStopper' -as [type])) {
                # Stops a pipeline from its first progress record, as Ctrl+C stops it: right after a
                # batch of data keys has committed. A C# handler, because the progress event runs on
                # the busy pipeline thread, where no script block can run.
                Add-Type -TypeDefinition @'
namespace SecureVaultTests
{
    public static class ProgressStopper
    {
        public static void StopAtFirstProgress(System.Management.Automation.PowerShell shell)
        {
            bool stopping = false;
            shell.Streams.Progress.DataAdded += (sender, e) =>
            {
                if (stopping) return;
                stopping = true;
                shell.BeginStop(null, null);
            };
        }
    }
}
'@
            }
            $shell = New-TestShell
            try {
                $null = $shell.AddCommand('Update-VaultEncryptionKey').AddParameter('Vault', $vault).AddParameter('BatchSize', 1).AddParameter('Confirm', $false)
                [SecureVaultTests.ProgressStopper]::StopAtFirstProgress($shell)
                try {
                    $null = $shell.Invoke()
                }
                catch [System.Management.Automation.PipelineStoppedException] {
                    # What a stopped pipeline may throw; the state below says what happened.
                }
                $interruptedState = $shell.InvocationStateInfo.State
            }
            finally {
                $shell.Dispose()
            }
        }

        It 'stops before it is done' {
            $interruptedState.ToString() | Should -Be 'Stopped'
        }

        It 'leaves the vault readable meanwhile' {
            Test-EveryValue
        }

        It 'finishes the job when run again, saying it resumed' {
            $resumed = Update-VaultEncryptionKey -Vault $vault -BatchSize 1 -Confirm:$false
            $resumed.Resumed | Should -BeTrue
            $resumed.DataKeysRotated | Should -BeLessThan $keyCount
            $resumed.Generation | Should -Be 4
        }

        It 'leaves every value readable, also after unlocking again' {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
            Test-EveryValue
            Test-VaultAuditChain -Vault $vault | Should -BeTrue
        }
    }

    Context 'with invalid input' {
        It 'refuses a batch size below 1 or above 10,000' {
            { Update-VaultEncryptionKey -Vault $vault -BatchSize 0 -Confirm:$false } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            { Update-VaultEncryptionKey -Vault $vault -BatchSize 10001 -Confirm:$false } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }
    }

    Context 'as a <Role>' -ForEach @(
        @{ Role = 'User'; Principal = 'bob' }
        @{ Role = 'Viewer'; Principal = 'vera' }
    ) {
        BeforeAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal $Principal -Password $userPassword
        }

        AfterAll {
            Lock-Vault -Vault $vault
            Unlock-Vault -Vault $vault -Principal 'owner' -Password $password
        }

        It 'fails with AccessDenied' {
            { Update-VaultEncryptionKey -Vault $vault -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied*'
        }
    }

    Context 'in the audit log after refused attempts' {
        It 'holds one denied rekey per refused principal' {
            @(Get-VaultAuditLog -Vault $vault -Action 'rekey' -Outcome denied).Principal -join ',' | Should -Be 'bob,vera'
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
            { Update-VaultEncryptionKey -Vault $vault -Confirm:$false } | Should -Throw -ErrorId 'VaultLocked*'
        }
    }
}
