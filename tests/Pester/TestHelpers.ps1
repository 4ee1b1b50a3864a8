# Shared setup for the SecureVault Pester tests. Dot-source it from BeforeAll (and from
# BeforeDiscovery where discovery needs the module):
#     BeforeAll { . $PSScriptRoot/TestHelpers.ps1 }
# It imports the assembled module (build.ps1 / build.sh put it in out/SecureVault), or the module
# named by $env:SECUREVAULT_MODULE_PATH (a manifest or a module folder), and defines small helpers.
# Tests always use a cheap KDF and vaults inside TestDrive, and point SECUREVAULT_HOME at TestDrive,
# so nothing here ever touches a real vault.

$modulePath = if ($env:SECUREVAULT_MODULE_PATH) {
    $env:SECUREVAULT_MODULE_PATH
}
else {
    Join-Path -Path $PSScriptRoot -ChildPath '../../out/SecureVault/SecureVault.psd1'
}
if (-not (Test-Path -LiteralPath $modulePath)) {
    throw "The SecureVault module was not found at '$modulePath'. Build it first (./build.ps1 or ./build.sh), or set SECUREVAULT_MODULE_PATH."
}
$moduleFolder = (Resolve-Path -LiteralPath $modulePath).ProviderPath
if ($moduleFolder -like '*.psd1') {
    $moduleFolder = Split-Path -Path $moduleFolder -Parent
}
# Every test file dot-sources this; import once, and never test a SecureVault loaded from elsewhere.
$loadedModule = Get-Module -Name SecureVault
if (-not $loadedModule -or $loadedModule.ModuleBase -ne $moduleFolder) {
    Import-Module -Name $modulePath -Force -ErrorAction Stop
}

function New-TestPassword {
    <# A test password as a SecureString (test data only: never a real password). #>
    param(
        [string] $Text = 'correct horse battery staple'
    )
    ConvertTo-SecureString -String $Text -AsPlainText -Force
}

function ConvertTo-PlainText {
    <# The text of a SecureString, for assertions on test values. #>
    param(
        [Parameter(Mandatory)]
        [securestring] $SecureString
    )
    [System.Net.NetworkCredential]::new('', $SecureString).Password
}

function New-TestVault {
    <# Creates a vault at a path with the cheapest KDF; it is left unlocked. Returns its status. #>
    param(
        [Parameter(Mandatory)]
        [string] $Path,

        [securestring] $Password = (New-TestPassword),

        [string] $Principal
    )
    $arguments = @{
        Vault          = $Path
        Password       = $Password
        KdfMemoryMiB   = 1
        KdfIterations  = 1
        KdfParallelism = 1
    }
    if ($Principal) {
        $arguments['Principal'] = $Principal
    }
    New-Vault @arguments
}

function Enter-TestVaultHome {
    <# Points SECUREVAULT_HOME at a test folder and clears SECUREVAULT_VAULT; returns what to restore. #>
    param(
        [Parameter(Mandatory)]
        [string] $Path
    )
    $saved = @{
        Home  = $env:SECUREVAULT_HOME
        Vault = $env:SECUREVAULT_VAULT
    }
    $env:SECUREVAULT_HOME = $Path
    $env:SECUREVAULT_VAULT = $null
    $saved
}

function Exit-TestVaultHome {
    <# Restores the environment saved by Enter-TestVaultHome. #>
    param(
        [Parameter(Mandatory)]
        [hashtable] $Saved
    )
    $env:SECUREVAULT_HOME = $Saved['Home']
    $env:SECUREVAULT_VAULT = $Saved['Vault']
}

function Get-ErrorText {
    <# Every text an ErrorRecord can show: message, exception (with inner ones), target, details, formatted view. #>
    param(
        [Parameter(Mandatory)]
        [System.Management.Automation.ErrorRecord] $ErrorRecord
    )
    @(
        $ErrorRecord.ToString()
        $ErrorRecord.Exception.ToString()
        [string] $ErrorRecord.TargetObject
        [string] $ErrorRecord.ErrorDetails
        [string] $ErrorRecord.CategoryInfo
        ($ErrorRecord | Out-String)
    ) -join [Environment]::NewLine
}

function Edit-TestAuditRecord {
    <#
        Changes one digit of the process id inside audit record <Seq> of a locked vault file, as an
        attacker holding the file would: the record stays canonical JSON, so only the chain can tell.
        SQLite keeps no page checksums, so the edit needs no SQLite library.
    #>
    param(
        [Parameter(Mandatory)]
        [string] $Path,

        [Parameter(Mandatory)]
        [long] $Seq
    )
    if (Test-Path -LiteralPath "$Path-wal") {
        throw "The vault '$Path' has a write-ahead log beside it: lock it before editing the file."
    }
    $bytes = [System.IO.File]::ReadAllBytes($Path)
    # Latin-1 maps every byte to one character, so string positions are byte positions.
    $text = [System.Text.Encoding]::Latin1.GetString($bytes)
    $seqAt = $text.IndexOf(",`"seq`":$Seq,")
    if ($seqAt -lt 0) {
        throw "Audit record $Seq was not found in '$Path'."
    }
    # Members are sorted, so the record's pid comes before its seq.
    $pidAt = $text.LastIndexOf('"pid":', $seqAt)
    $digitAt = $text.IndexOf(',', $pidAt) - 1
    $bytes[$digitAt] = if ($bytes[$digitAt] -eq [byte][char]'9') { [byte][char]'1' } else { $bytes[$digitAt] + 1 }
    [System.IO.File]::WriteAllBytes($Path, $bytes)
}

function Copy-TestVaultFile {
    <# Copies a locked vault file (a vault is one file once locked: no write-ahead log beside it). #>
    param(
        [Parameter(Mandatory)]
        [string] $Path,

        [Parameter(Mandatory)]
        [string] $Destination
    )
    if (Test-Path -LiteralPath "$Path-wal") {
        throw "The vault '$Path' has a write-ahead log beside it: lock it before copying the file."
    }
    Copy-Item -LiteralPath $Path -Destination $Destination -Force
}

# An authenticator app for these tests (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps),
# computed here independently of the module. The vault accepts a code for the step before, at
# or after now, once, and only for a step later than the last it accepted, so up to three
# fresh codes fit in one window.

function New-TestAuthenticator {
    <# The secret of an otpauth:// URI, and the last step a code was given for. #>
    param(
        [Parameter(Mandatory)]
        [string] $Uri
    )
    $base32 = ($Uri -split 'secret=')[1].Split('&')[0]
    $alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
    $bits = -join ($base32.ToCharArray() | ForEach-Object { [Convert]::ToString($alphabet.IndexOf($_), 2).PadLeft(5, '0') })
    $secret = [byte[]] @(for ($i = 0; $i + 8 -le $bits.Length; $i += 8) { [Convert]::ToByte($bits.Substring($i, 8), 2) })
    @{ Secret = $secret; LastStep = [long] -1; Last = '' }
}

function Get-TestTotpCode {
    <# The 6-digit code of a secret for one 30-second step. #>
    param(
        [Parameter(Mandatory)]
        [byte[]] $Secret,

        [Parameter(Mandatory)]
        [long] $Step
    )
    $counter = [BitConverter]::GetBytes($Step)
    if ([BitConverter]::IsLittleEndian) {
        [array]::Reverse($counter)
    }
    $mac = [System.Security.Cryptography.HMACSHA1]::HashData($Secret, $counter)
    $offset = $mac[-1] -band 0x0F
    $value = (([int] ($mac[$offset] -band 0x7F) -shl 24) -bor ([int] $mac[$offset + 1] -shl 16) -bor ([int] $mac[$offset + 2] -shl 8) -bor [int] $mac[$offset + 3]) % 1000000
    $value.ToString('D6')
}

function Get-TestTotpNextCode {
    <#
        A fresh code the vault accepts now: for the earliest unused step no older than the one
        before now. A code for the step before now expires at the next boundary, so close to it
        this waits (6 seconds at most) for the next step.
    #>
    param(
        [Parameter(Mandatory)]
        [hashtable] $Authenticator
    )
    $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    $current = [long] [Math]::Floor($now / 30)
    $step = [Math]::Max($Authenticator.LastStep + 1, $current - 1)
    if ($step -gt $current + 1) {
        throw 'A test asked one authenticator for more than three codes in one 30-second window.'
    }
    $left = ($current + 1) * 30 - $now
    if ($step -eq $current - 1 -and $left -lt 6) {
        Start-Sleep -Seconds ($left + 1)
        return Get-TestTotpNextCode -Authenticator $Authenticator
    }
    $Authenticator.LastStep = $step
    $Authenticator.Last = Get-TestTotpCode -Secret $Authenticator.Secret -Step $step
    $Authenticator.Last
}

function Get-TestTotpWrongCode {
    <# A well-formed code that matches no step near now. #>
    param(
        [Parameter(Mandatory)]
        [hashtable] $Authenticator
    )
    $current = [long] [Math]::Floor([DateTimeOffset]::UtcNow.ToUnixTimeSeconds() / 30)
    $near = foreach ($offset in -3..3) {
        Get-TestTotpCode -Secret $Authenticator.Secret -Step ($current + $offset)
    }
    foreach ($digit in 0..9) {
        $code = ([string] $digit) * 6
        if ($near -notcontains $code) {
            return $code
        }
    }
}

function New-TestCertificate {
    <# A self-signed RSA certificate with its private key, valid now, usable for a certificate keyslot. #>
    param(
        [Parameter(Mandatory)]
        [string] $Subject
    )
    $rsa = [System.Security.Cryptography.RSA]::Create(2048)
    try {
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new("CN=$Subject", $rsa,
            [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $usage = [System.Security.Cryptography.X509Certificates.X509KeyUsageFlags]::KeyEncipherment -bor
            [System.Security.Cryptography.X509Certificates.X509KeyUsageFlags]::DigitalSignature
        $request.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509KeyUsageExtension]::new($usage, $true))
        $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddYears(1))
    }
    finally {
        $rsa.Dispose()
    }
}

function New-TestShell {
    <#
        A PowerShell instance on a new runspace of this process, with the module under test imported
        as its first statement. Sessions belong to the process, so the vaults unlocked here are
        unlocked there too. It shows what a runspace cannot show about itself: its progress records
        (Streams.Progress), and a pipeline stopped from outside as Ctrl+C stops it. Dispose it.
    #>
    $shell = [powershell]::Create()
    $manifest = Join-Path -Path (Get-Module -Name SecureVault).ModuleBase -ChildPath 'SecureVault.psd1'
    $null = $shell.AddCommand('Import-Module').AddParameter('Name', $manifest).AddParameter('ErrorAction', 'Stop').AddStatement()
    $shell
}

function Get-TestPwshCommand {
    <# The command words that start this same PowerShell: PowerShell installed as a .NET tool runs as 'dotnet pwsh.dll'. #>
    [Environment]::ProcessPath
    if ([System.IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') {
        Join-Path -Path $PSHOME -ChildPath 'pwsh.dll'
    }
}

function Invoke-TestPwsh {
    <#
        Runs a script file in a new pwsh process (the same PowerShell as this one, -NoProfile
        -NonInteractive) with extra environment variables, and returns its exit code. For tests that
        need a fresh process: SecretManagement and SecretStore fix their data folders from HOME when
        they load, so only a new process can give them a private one.
    #>
    param(
        [Parameter(Mandatory)]
        [string] $ScriptPath,

        [hashtable] $Environment = @{},

        [string[]] $ArgumentList = @()
    )
    $command = @(Get-TestPwshCommand)
    $start = [System.Diagnostics.ProcessStartInfo]::new($command[0])
    foreach ($argument in @($command | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $ScriptPath) + $ArgumentList) {
        $start.ArgumentList.Add($argument)
    }
    foreach ($name in $Environment.Keys) {
        $start.Environment[$name] = $Environment[$name]
    }
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    try {
        $process.WaitForExit()
        $process.ExitCode
    }
    finally {
        $process.Dispose()
    }
}

function Start-TestTerminal {
    <#
        Starts a script in this same PowerShell inside a private tmux server (a real pseudo-terminal,
        120x50), as a user at a console would run it. Returns the server's socket name for
        Send-TestTerminalKeys, Wait-TestTerminalText and Stop-TestTerminal.
    #>
    param(
        [Parameter(Mandatory)]
        [string] $ScriptPath
    )
    $socket = "svtest-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
    $words = @(Get-TestPwshCommand) + @('-NoProfile', '-File', $ScriptPath) | ForEach-Object { "'" + ($_ -replace "'", "'\''") + "'" }
    $saved = $env:TMUX
    $env:TMUX = $null # a tmux of its own, also when the tests themselves run inside tmux
    try {
        & tmux -L $socket -f /dev/null new-session -d -x 120 -y 50 ($words -join ' ')
    }
    finally {
        $env:TMUX = $saved
    }
    if ($LASTEXITCODE -ne 0) {
        throw "tmux could not start the test terminal (exit code $LASTEXITCODE)."
    }
    $socket
}

function Get-TestTerminalScreen {
    <# Everything the test terminal shows, scrollback included. #>
    param(
        [Parameter(Mandatory)]
        [string] $Socket
    )
    (& tmux -L $Socket capture-pane -p -J -S - -E -) -join "`n"
}

function Wait-TestTerminalText {
    <#
        Waits (up to a minute) until the test terminal shows $Text, after the last $After when that
        is given (so that a prompt shown earlier does not count); returns the screen.
    #>
    param(
        [Parameter(Mandatory)]
        [string] $Socket,

        [Parameter(Mandatory)]
        [string] $Text,

        [string] $After
    )
    $deadline = [DateTime]::UtcNow.AddMinutes(1)
    while ([DateTime]::UtcNow -lt $deadline) {
        $screen = Get-TestTerminalScreen -Socket $Socket
        $from = if ($After) { $screen.LastIndexOf($After) } else { 0 }
        if ($from -ge 0 -and $screen.IndexOf($Text, $from) -ge 0) {
            return $screen
        }
        Start-Sleep -Milliseconds 200
    }
    throw "The test terminal did not show '$Text' within a minute. It shows:`n$screen"
}

function Send-TestTerminalLine {
    <# Types a line into the test terminal, as a user would, and presses Enter. #>
    param(
        [Parameter(Mandatory)]
        [string] $Socket,

        [Parameter(Mandatory)]
        [string] $Text
    )
    & tmux -L $Socket send-keys -l $Text
    & tmux -L $Socket send-keys Enter
}

function Stop-TestTerminal {
    <# Ends the private tmux server of a test terminal and what runs in it. #>
    param(
        [Parameter(Mandatory)]
        [string] $Socket
    )
    $socketPath = & tmux -L $Socket display-message -p '#{socket_path}' 2>$null
    & tmux -L $Socket kill-server 2>$null
    # tmux can leave the socket file of a server it killed behind.
    if ($socketPath -and (Test-Path -LiteralPath $socketPath)) {
        Remove-Item -LiteralPath $socketPath -Force
    }
}
