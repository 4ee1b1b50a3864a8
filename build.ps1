#Requires -Version 7.4
<#
.SYNOPSIS
    SecureVault build entry point for pwsh (build.sh does the same without pwsh).

.DESCRIPTION
    Build   builds the solution, assembles the module in out/SecureVault and publishes the CLI to out/cli.
    Test    builds, runs every .NET test project (TRX results in out/test-results), then the Pester tests;
            prints "N passed, N failed, N skipped" last.
    Pester  runs tests/Pester with Pester 5.3 or later against out/SecureVault (NUnit XML in out/test-results).
    Bench   builds, then runs the benchmark harness; -BenchArguments go to it (for example --quick).
    Demo    builds, then stores, reads back and lists a key in the default vault with the cmdlets.
    -NoBuild skips the build step of Test, Pester, Bench and Demo (build.sh uses it after its own build).
    The demo reads the password from the first line of the file named by SECUREVAULT_PASSWORD_FILE,
    or prompts for it.

.EXAMPLE
    ./build.ps1 -Task Test

.EXAMPLE
    ./build.ps1 -Task Bench -BenchArguments '--quick'
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Bench', 'Demo')]
    [string] $Task = 'Build',

    [switch] $NoBuild,

    [string] $Configuration = 'Release',

    [string[]] $BenchArguments = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$root = $PSScriptRoot
$moduleFolder = Join-Path -Path $root -ChildPath 'out/SecureVault'
$cliFolder = Join-Path -Path $root -ChildPath 'out/cli'
$resultsFolder = Join-Path -Path $root -ChildPath 'out/test-results'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

function Invoke-Dotnet {
    # Runs dotnet; its output goes to the host so that it never mixes with a function's return value.
    param(
        [Parameter(Mandatory)]
        [string[]] $Arguments,

        [switch] $AllowFailure
    )
    & dotnet @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0 -and -not $AllowFailure) {
        throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE."
    }
    $LASTEXITCODE -eq 0
}

function Get-ProductVersion {
    # Directory.Build.props is the one place the version lives.
    $props = [xml] (Get-Content -LiteralPath (Join-Path -Path $root -ChildPath 'Directory.Build.props') -Raw)
    $node = $props.SelectSingleNode('/Project/PropertyGroup/VersionPrefix')
    if (-not $node) {
        throw 'Directory.Build.props has no VersionPrefix.'
    }
    $node.InnerText.Trim()
}

function Copy-StampedManifest {
    # Copies a module manifest with the product version stamped into ModuleVersion.
    param(
        [Parameter(Mandatory)] [string] $Source,
        [Parameter(Mandatory)] [string] $Destination,
        [Parameter(Mandatory)] [string] $Version
    )
    $text = [System.IO.File]::ReadAllText($Source)
    $stamped = [regex]::Replace($text, "ModuleVersion(\s*)=\s*'[^']*'", "ModuleVersion`$1= '$Version'")
    [System.IO.File]::WriteAllText($Destination, $stamped)
}

function Build-Module {
    # Assembles out/SecureVault: manifest, cmdlet assembly, format and help files, the extension
    # folder, and bin/ with the engine and its dependencies.
    param(
        [Parameter(Mandatory)] [string] $Version
    )
    if (Test-Path -LiteralPath $moduleFolder) {
        Remove-Item -LiteralPath $moduleFolder -Recurse -Force
    }
    $bin = Join-Path -Path $moduleFolder -ChildPath 'bin'
    $null = New-Item -ItemType Directory -Path $bin -Force
    # The engine and its dependencies (with their .deps.json and native libraries) go to bin/,
    # where only the module's own load context looks for them.
    $null = Invoke-Dotnet -Arguments 'publish', (Join-Path -Path $root -ChildPath 'src/SecureVault.Core'), '-c', $Configuration, '-o', $bin, '--nologo', '-v', 'quiet'
    Copy-Item -LiteralPath (Join-Path -Path $root -ChildPath "src/SecureVault.PowerShell/bin/$Configuration/net8.0/SecureVault.PowerShell.dll") -Destination $moduleFolder
    Copy-Item -LiteralPath (Join-Path -Path $root -ChildPath 'module/SecureVault.format.ps1xml') -Destination $moduleFolder
    $help = Join-Path -Path $root -ChildPath 'module/en-US'
    if (Test-Path -LiteralPath $help) {
        Copy-Item -LiteralPath $help -Destination $moduleFolder -Recurse
    }
    $extension = Join-Path -Path $moduleFolder -ChildPath 'SecureVault.Extension'
    $null = New-Item -ItemType Directory -Path $extension -Force
    foreach ($item in Get-ChildItem -LiteralPath (Join-Path -Path $root -ChildPath 'module/SecureVault.Extension')) {
        if ($item.Extension -eq '.psd1') {
            Copy-StampedManifest -Source $item.FullName -Destination (Join-Path -Path $extension -ChildPath $item.Name) -Version $Version
        }
        else {
            Copy-Item -LiteralPath $item.FullName -Destination $extension -Recurse
        }
    }
    Copy-StampedManifest -Source (Join-Path -Path $root -ChildPath 'SecureVault.psd1') -Destination (Join-Path -Path $moduleFolder -ChildPath 'SecureVault.psd1') -Version $Version
    # PowerShell supplies System.Management.Automation; a copy in the module would shadow it.
    if (Get-ChildItem -LiteralPath $moduleFolder -Recurse -File -Filter 'System.Management.Automation.dll') {
        throw 'System.Management.Automation.dll must not ship in the module folder.'
    }
}

function Invoke-Build {
    $null = Invoke-Dotnet -Arguments 'build', (Join-Path -Path $root -ChildPath 'SecureVault.slnx'), '-c', $Configuration, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly'
    $version = Get-ProductVersion
    Build-Module -Version $version
    if (Test-Path -LiteralPath $cliFolder) {
        Remove-Item -LiteralPath $cliFolder -Recurse -Force
    }
    $null = Invoke-Dotnet -Arguments 'publish', (Join-Path -Path $root -ChildPath 'src/SecureVault.Cli'), '-c', $Configuration, '-o', $cliFolder, '--nologo', '-v', 'quiet'
    Write-Host "build: module in out/SecureVault, CLI in out/cli (version $version)"
}

function Invoke-PesterTests {
    # Runs tests/Pester against out/SecureVault; returns Pester's result object. Installs nothing.
    if (-not (Test-Path -LiteralPath (Join-Path -Path $moduleFolder -ChildPath 'SecureVault.psd1'))) {
        throw 'out/SecureVault does not exist: build first (./build.ps1), or run the Pester task without -NoBuild.'
    }
    try {
        Import-Module -Name Pester -MinimumVersion 5.3.0 -ErrorAction Stop
    }
    catch {
        throw 'Pester 5.3 or later is needed for the Pester tests and is not installed (Install-Module Pester -MinimumVersion 5.3.0 -Scope CurrentUser).'
    }
    $null = New-Item -ItemType Directory -Path $resultsFolder -Force
    # As an installed module would be: on PSModulePath, where Get-Help finds its about_ topic.
    $env:PSModulePath = (Split-Path -Path $moduleFolder -Parent) + [System.IO.Path]::PathSeparator + $env:PSModulePath
    $pesterConfiguration = New-PesterConfiguration
    $pesterConfiguration.Run.Path = Join-Path -Path $root -ChildPath 'tests/Pester'
    $pesterConfiguration.Run.PassThru = $true
    $pesterConfiguration.Output.Verbosity = 'Detailed'
    $pesterConfiguration.Output.CIFormat = 'Auto'
    $pesterConfiguration.TestResult.Enabled = $true
    $pesterConfiguration.TestResult.OutputFormat = 'NUnitXml'
    $pesterConfiguration.TestResult.OutputPath = Join-Path -Path $resultsFolder -ChildPath 'pester.xml'
    Invoke-Pester -Configuration $pesterConfiguration
}

function Get-TrxCount {
    # Sums passed, failed and skipped over TRX files, counted the way build.sh counts them.
    param(
        [System.IO.FileInfo[]] $Files = @()
    )
    $count = @{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($file in $Files) {
        $trx = [xml] (Get-Content -LiteralPath $file.FullName -Raw)
        $counters = $trx.GetElementsByTagName('Counters')[0]
        $count.Passed += [int] $counters.GetAttribute('passed')
        foreach ($name in 'failed', 'error', 'timeout', 'aborted') {
            $count.Failed += [int] $counters.GetAttribute($name)
        }
        foreach ($name in 'notExecuted', 'inconclusive') {
            $count.Skipped += [int] $counters.GetAttribute($name)
        }
    }
    $count
}

function Invoke-Tests {
    # Runs every suite; prints "N passed, N failed, N skipped" last and returns whether all passed.
    if (-not $NoBuild) {
        Invoke-Build
    }
    if (Test-Path -LiteralPath $resultsFolder) {
        Remove-Item -LiteralPath $resultsFolder -Recurse -Force
    }
    $passed = Invoke-Dotnet -AllowFailure -Arguments 'test', (Join-Path -Path $root -ChildPath 'SecureVault.slnx'), '-c', $Configuration, '--no-build', '--nologo', '--logger', 'trx', '--results-directory', $resultsFolder
    $pester = Invoke-PesterTests
    $trxFiles = @(Get-ChildItem -LiteralPath $resultsFolder -Filter '*.trx' -File -ErrorAction SilentlyContinue)
    if ($trxFiles.Count -eq 0) {
        Write-Host '0 passed, 1 failed, 0 skipped'
        return $false
    }
    $count = Get-TrxCount -Files $trxFiles
    $count.Passed += $pester.PassedCount
    $count.Failed += $pester.FailedCount + $pester.FailedBlocksCount + $pester.FailedContainersCount
    $count.Skipped += $pester.SkippedCount + $pester.NotRunCount
    Write-Host "$($count.Passed) passed, $($count.Failed) failed, $($count.Skipped) skipped"
    $passed -and $pester.Result -eq 'Passed'
}

function Read-DemoPassword {
    # The first line of SECUREVAULT_PASSWORD_FILE, or a prompt; built character by character so
    # the password never sits in a System.String.
    if (-not $env:SECUREVAULT_PASSWORD_FILE) {
        return Read-Host -AsSecureString -Prompt 'Password for the default vault (new or existing)'
    }
    $bytes = [System.IO.File]::ReadAllBytes($env:SECUREVAULT_PASSWORD_FILE)
    $chars = [System.Text.Encoding]::UTF8.GetChars($bytes)
    try {
        $password = [securestring]::new()
        foreach ($char in $chars) {
            if ($char -eq "`r" -or $char -eq "`n") {
                break
            }
            if ($char -ne [char] 0xFEFF) {
                # A byte-order mark is not part of the password.
                $password.AppendChar($char)
            }
        }
        $password.MakeReadOnly()
        $password
    }
    finally {
        [array]::Clear($bytes, 0, $bytes.Length)
        [array]::Clear($chars, 0, $chars.Length)
    }
}

function Invoke-Demo {
    if (-not $NoBuild) {
        Invoke-Build
    }
    Import-Module -Name (Join-Path -Path $moduleFolder -ChildPath 'SecureVault.psd1') -Force
    $password = Read-DemoPassword
    $exists = $true
    try {
        $null = Get-VaultStatus
    }
    catch {
        if ($_.FullyQualifiedErrorId -notlike 'VaultNotFound,*') {
            throw
        }
        $exists = $false
    }
    if ($exists) {
        Unlock-Vault -Password $password
    }
    else {
        Write-Host 'demo: creating the default vault'
        $null = New-Vault -Password $password
    }
    try {
        Set-VaultKey -Name 'demo/greeting' -Value 'hello from SecureVault' -Tag 'demo' -Service 'example'
        Write-Host 'demo: stored demo/greeting; reading it back:'
        Get-VaultKey -Name 'demo/greeting' -AsPlainText | Out-Host
        Write-Host 'demo: listing the vault:'
        Get-VaultKeyInfo | Format-Table -AutoSize | Out-Host
    }
    finally {
        Lock-Vault
    }
}

$succeeded = $true
switch ($Task) {
    'Build' {
        Invoke-Build
    }
    'Test' {
        $succeeded = Invoke-Tests
    }
    'Pester' {
        if (-not $NoBuild) {
            Invoke-Build
        }
        $succeeded = (Invoke-PesterTests).Result -eq 'Passed'
    }
    'Bench' {
        if (-not $NoBuild) {
            Invoke-Build
        }
        $null = Invoke-Dotnet -Arguments (@('run', '-c', 'Release', '--project', (Join-Path -Path $root -ChildPath 'bench/SecureVault.Bench'), '--no-launch-profile', '--') + $BenchArguments)
    }
    'Demo' {
        Invoke-Demo
    }
}
if (-not $succeeded) {
    exit 1
}
