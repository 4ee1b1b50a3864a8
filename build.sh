#!/usr/bin/env bash
# SecureVault build entry point for machines without pwsh (build.ps1 does the same with pwsh).
#   ./build.sh            build everything and assemble the module in out/SecureVault and the CLI in out/cli
#   ./build.sh test       build, then run every test suite; prints "N passed, N failed, N skipped" last
#   ./build.sh bench ...  build, then run the benchmark harness (arguments go to it, e.g. --quick)
#   ./build.sh demo       build, then store, read back and list a key in the default vault with the CLI
# CONFIGURATION (default Release) selects the build configuration.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root=$(pwd)
config=${CONFIGURATION:-Release}
module="$root/out/SecureVault"
cli="$root/out/cli"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

version() { sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props; }

stamp_manifest() { # source, destination: copy a manifest with the product version stamped in
  sed "s/ModuleVersion\( *\)= *'[^']*'/ModuleVersion\1= '$(version)'/" "$1" > "$2"
}

assemble_module() {
  rm -rf "$module"
  mkdir -p "$module/bin"
  # The engine and its dependencies (with their .deps.json and native libraries) go to bin/,
  # where only the module's own load context looks for them.
  dotnet publish src/SecureVault.Core -c "$config" -o "$module/bin" --nologo -v quiet
  cp "src/SecureVault.PowerShell/bin/$config/net8.0/SecureVault.PowerShell.dll" "$module/"
  cp module/SecureVault.format.ps1xml "$module/"
  [[ -d module/en-US ]] && cp -r module/en-US "$module/"
  mkdir -p "$module/SecureVault.Extension"
  for file in module/SecureVault.Extension/*; do
    case "$file" in
      *.psd1) stamp_manifest "$file" "$module/SecureVault.Extension/$(basename "$file")" ;;
      *) cp -r "$file" "$module/SecureVault.Extension/" ;;
    esac
  done
  stamp_manifest SecureVault.psd1 "$module/SecureVault.psd1"
  # PowerShell supplies System.Management.Automation; a copy in the module would shadow it.
  if find "$module" -name 'System.Management.Automation.dll' | grep -q .; then
    echo "build: System.Management.Automation.dll must not ship in the module folder" >&2
    exit 1
  fi
}

build() {
  dotnet build SecureVault.slnx -c "$config" --nologo -v quiet -clp:ErrorsOnly
  assemble_module
  rm -rf "$cli"
  dotnet publish src/SecureVault.Cli -c "$config" -o "$cli" --nologo -v quiet
  echo "build: module in out/SecureVault, CLI in out/cli (version $(version))"
}

summarize_trx() { # prints "N passed, N failed, N skipped" summed over the TRX files given
  awk '
    /<Counters / {
      for (i = 1; i <= NF; i++) {
        split($i, kv, "="); gsub(/[^0-9]/, "", kv[2])
        if (kv[1] == "passed") passed += kv[2]
        if (kv[1] == "failed" || kv[1] == "error" || kv[1] == "timeout" || kv[1] == "aborted") failed += kv[2]
        if (kv[1] == "notExecuted" || kv[1] == "inconclusive") skipped += kv[2]
      }
    }
    END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$@"
}

run_tests() {
  build
  local results="$root/out/test-results" status=0
  rm -rf "$results"
  # A hung test fails its assembly after 10 minutes instead of stalling CI.
  dotnet test SecureVault.slnx -c "$config" --no-build --nologo --logger trx --results-directory "$results" \
    --blame-hang-timeout 10m || status=$?
  local pester_counts="0 0 0"
  if ensure_pwsh; then
    "$pwsh_command" -NoProfile -File build.ps1 -Task Pester -NoBuild || status=1
    if [[ -f $results/pester.xml ]]; then
      pester_counts=$(count_pester "$results/pester.xml")
    else
      echo "test: Pester wrote no results" >&2
      pester_counts="0 1 0"
      status=1
    fi
  else
    echo "test: pwsh is not on PATH and could not be installed as a .NET tool; the Pester tests did not run" >&2
    pester_counts="0 1 0"
    status=1
  fi
  shopt -s nullglob
  local trx=("$results"/*.trx)
  if ((${#trx[@]} == 0)); then
    echo "0 passed, 1 failed, 0 skipped"
    return 1
  fi
  local dotnet_counts
  dotnet_counts=$(summarize_trx "${trx[@]}" | awk '{ print $1, $3, $5 }')
  echo "test: .NET tests $(summary_of $dotnet_counts); Pester tests $(summary_of $pester_counts)"
  summary_of $(echo "$dotnet_counts $pester_counts" | awk '{ print $1 + $4, $2 + $5, $3 + $6 }')
  return $status
}

summary_of() { echo "$1 passed, $2 failed, $3 skipped"; }

count_pester() { # prints "passed failed skipped" from Pester's NUnit XML
  awk '
    /<test-results / {
      for (i = 1; i <= NF; i++) {
        split($i, kv, "="); gsub(/[^0-9]/, "", kv[2])
        v[kv[1]] = kv[2] + 0
      }
      failed = v["failures"] + v["errors"] + v["invalid"]
      skipped = v["not-run"] + v["inconclusive"] + v["ignored"] + v["skipped"]
      printf "%d %d %d\n", v["total"] - failed - skipped, failed, skipped
      exit
    }' "$1"
}

# Sets pwsh_command to the pwsh that runs the Pester tests: the one on PATH, else PowerShell installed as a
# .NET tool under out/tools, with Pester from its NuGet package (both through the NuGet feed the
# build uses; nothing is installed outside the repository's out/ folder).
ensure_pwsh() {
  if command -v pwsh >/dev/null 2>&1; then pwsh_command=$(command -v pwsh); return 0; fi
  local tools="$root/out/tools" pester_version=5.7.1
  if [[ ! -x $tools/pwsh ]]; then
    dotnet tool install PowerShell --version 7.6.9 --tool-path "$tools" >&2 || return 1
  fi
  if [[ ! -f $tools/packages/pester/$pester_version/tools/Pester.psd1 ]]; then
    mkdir -p "$tools/pester-restore"
    printf '%s\n' '<Project Sdk="Microsoft.NET.Sdk">' \
      '  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>' \
      "  <ItemGroup><PackageDownload Include=\"Pester\" Version=\"[$pester_version]\" /></ItemGroup>" \
      '</Project>' > "$tools/pester-restore/restore.csproj"
    dotnet restore "$tools/pester-restore/restore.csproj" --packages "$tools/packages" --nologo -v quiet >&2 || return 1
  fi
  # A module folder must carry the module's name for PowerShell to find it.
  mkdir -p "$tools/modules"
  ln -sfn "$tools/packages/pester/$pester_version/tools" "$tools/modules/Pester"
  export PSModulePath="$tools/modules${PSModulePath:+:$PSModulePath}"
  pwsh_command="$tools/pwsh"
}

demo() {
  build
  local sv=(dotnet "$cli/securevault.dll")
  local password
  if [[ -n ${SECUREVAULT_PASSWORD_FILE:-} ]]; then
    password=$(head -n 1 "$SECUREVAULT_PASSWORD_FILE")
  else
    read -rsp "Password for the default vault (new or existing): " password; echo
  fi
  if ! "${sv[@]}" status >/dev/null 2>&1; then
    echo "demo: creating the default vault"
    printf '%s\n' "$password" | "${sv[@]}" init --password-stdin
  fi
  printf '%s\n%s\n' "$password" "hello from SecureVault" | "${sv[@]}" set demo/greeting --password-stdin --tag demo --service example
  echo "demo: stored demo/greeting; reading it back:"
  printf '%s\n' "$password" | "${sv[@]}" get demo/greeting --password-stdin
  echo "demo: listing the vault:"
  printf '%s\n' "$password" | "${sv[@]}" list --password-stdin
  unset password
}

task=${1:-build}
[[ $# -gt 0 ]] && shift
case "$task" in
  build) build ;;
  test) run_tests ;;
  bench) build; dotnet run -c Release --project bench/SecureVault.Bench --no-launch-profile -- "$@" ;;
  demo) demo ;;
  *) echo "usage: ./build.sh [build|test|bench|demo]" >&2; exit 1 ;;
esac
