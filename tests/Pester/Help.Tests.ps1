# Help drift test: every exported cmdlet has MAML help with a synopsis, a description, examples
# with remarks, and a description for every parameter, and the help agrees with the cmdlet's
# real parameter metadata (type, mandatory, position, pipeline input, wildcards).

BeforeDiscovery {
    . $PSScriptRoot/TestHelpers.ps1
    $commonParameters = [System.Management.Automation.Cmdlet]::CommonParameters
    $commands = @()
    $parameterCases = @()
    foreach ($command in Get-Command -Module SecureVault -CommandType Cmdlet) {
        $names = @($command.Parameters.Keys | Where-Object { -not $commonParameters.Contains($_) })
        $commands += @{ Command = $command.Name; Parameters = $names }
        foreach ($name in $names) {
            $parameterCases += @{ Command = $command.Name; Parameter = $name }
        }
    }
    $errorIds = @(
        'VaultLocked', 'VaultNotFound', 'VaultExists', 'KeyNotFound', 'KeyVersionNotFound', 'KeyExpired', 'KeyVersionRetired', 'RotationFailed',
        'AccessDenied', 'AuthenticationFailed', 'PrincipalLockedOut', 'IntegrityViolation',
        'PrincipalNotFound', 'PrincipalExists', 'PrincipalDisabled', 'MfaRequired',
        'ConcurrencyConflict', 'StorageError', 'InvalidInput'
    )
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Help' {
    It 'covers the cmdlets the module exports' {
        $names = (Get-Command -Module SecureVault -CommandType Cmdlet).Name | Sort-Object
        $names -join ',' | Should -Be ('Add-VaultKeyslot,Add-VaultRotationExemption,Backup-Vault,Disable-VaultMfa,Enable-VaultMfa,Export-VaultAuditHead,Export-VaultAuditLog,' +
            'Get-VaultAccess,Get-VaultAlert,Get-VaultAuditLog,Get-VaultAuditPolicy,Get-VaultKey,Get-VaultKeyHistory,Get-VaultKeyInfo,Get-VaultLockoutPolicy,' +
            'Get-VaultPrincipal,Get-VaultRole,Get-VaultRotationExemption,Get-VaultRotationPolicy,Get-VaultRotationStatus,Get-VaultStatus,Grant-VaultAccess,' +
            'Import-VaultSecret,Invoke-VaultRotation,Lock-Vault,New-Vault,New-VaultPrincipal,Remove-VaultAuditRecord,Remove-VaultKey,Remove-VaultKeyslot,' +
            'Remove-VaultPrincipal,Remove-VaultRotationExemption,Restore-Vault,Restore-VaultKey,Revoke-VaultAccess,Set-VaultAuditPolicy,Set-VaultKey,Set-VaultLockoutPolicy,' +
            'Set-VaultPassword,Set-VaultPrincipal,Set-VaultRotationPolicy,Test-Vault,Test-VaultAuditChain,Unlock-Vault,Unlock-VaultPrincipal,' +
            'Update-VaultEncryptionKey,Update-VaultKey')
    }

    Context '<Command>' -ForEach $commands {
        BeforeAll {
            $help = Get-Help -Name $Command -Full
        }

        It 'has a synopsis written for it' {
            $help.Synopsis | Should -Not -BeNullOrEmpty
            # Without MAML help, Get-Help makes the synopsis from the syntax, which starts with the name.
            $help.Synopsis.Trim() | Should -Not -BeLike "$Command *"
        }

        It 'has a description' {
            ($help.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
        }

        It 'has at least two examples, each with code and remarks' {
            $examples = @($help.examples.example)
            $examples.Count | Should -BeGreaterOrEqual 2
            foreach ($example in $examples) {
                $example.code | Should -Not -BeNullOrEmpty
                ($example.remarks.Text -join '').Trim() | Should -Not -BeNullOrEmpty
            }
        }

        It 'documents no parameter the cmdlet does not have' {
            foreach ($parameterHelp in @($help.parameters.parameter)) {
                $Parameters | Should -Contain $parameterHelp.name
            }
        }

        It 'lists at least one output type' {
            @($help.returnValues.returnValue).Count | Should -BeGreaterOrEqual 1
        }
    }

    Context 'parameters' {
        It '<Command> describes -<Parameter>' -ForEach $parameterCases {
            $parameterHelp = @((Get-Help -Name $Command -Full).parameters.parameter) | Where-Object { $_.name -eq $Parameter }
            $parameterHelp | Should -Not -BeNullOrEmpty -Because "-$Parameter of $Command needs help"
            ($parameterHelp.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
        }

        It '<Command> states the type, mandatory, position, pipeline input and wildcards of -<Parameter> as declared' -ForEach $parameterCases {
            $parameterHelp = @((Get-Help -Name $Command -Full).parameters.parameter) | Where-Object { $_.name -eq $Parameter }
            $declared = (Get-Command -Name $Command).Parameters[$Parameter]
            $sets = @($declared.ParameterSets.Values)

            $type = [Nullable]::GetUnderlyingType($declared.ParameterType)
            if (-not $type) {
                $type = $declared.ParameterType
            }
            $parameterHelp.type.name | Should -Be $type.FullName

            $mandatory = @($sets | Where-Object IsMandatory).Count -gt 0
            $parameterHelp.required | Should -Be $mandatory.ToString().ToLowerInvariant()

            $position = $sets[0].Position
            $expectedPosition = if ($position -lt 0) { 'named' } else { [string] $position }
            $parameterHelp.position | Should -Be $expectedPosition

            $byPropertyName = @($sets | Where-Object ValueFromPipelineByPropertyName).Count -gt 0
            $parameterHelp.pipelineInput -like '*ByPropertyName*' | Should -Be $byPropertyName

            $wildcards = @($declared.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
            $parameterHelp.globbing | Should -Be $wildcards.ToString().ToLowerInvariant()
        }
    }

    Context 'about_SecureVault' {
        BeforeAll {
            $about = (Get-Help -Name about_SecureVault) -join [Environment]::NewLine
        }

        It 'is found by Get-Help' {
            $about | Should -BeLike '*about_SecureVault*'
        }

        It 'explains <_>' -ForEach @('SECUREVAULT_VAULT', 'SECUREVAULT_HOME', 'idle timeout', 'Versions', '-AsPlainText', 'Hashtable', 'PSCredential',
            'AUDIT TRAIL', 'Test-VaultAuditChain', 'Export-VaultAuditHead', 'TruncatedBelowAnchor', 'RetentionDays', 'Get-VaultAlert') {
            $about | Should -BeLike "*$_*"
        }

        It 'lists the error id <_>' -ForEach $errorIds {
            $about | Should -BeLike "*$_*"
        }
    }
}
