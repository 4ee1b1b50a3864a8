using System.Management.Automation;

namespace SecureVault.PowerShell.Tests;

[Collection(ModuleCollection.Name)]
public sealed class HelpTests(ModuleFixture fixture)
{
    [Fact]
    public void Every_exported_cmdlet_has_synopsis_description_examples_and_parameter_help()
    {
        using var vault = new HostedVault(fixture, create: false);
        var problems = new List<string>();
        var commands = vault.Invoke("(Get-Module SecureVault).ExportedCommands.Values").Select(c => (CommandInfo)c.BaseObject).ToList();
        Assert.NotEmpty(commands);
        foreach (var command in commands)
        {
            var help = Assert.Single(vault.Invoke("Get-Help -Name $n -Full", ("n", command.Name)));
            var synopsis = (help.Properties["Synopsis"]?.Value as string ?? "").Trim();
            // Without a help file PowerShell synthesizes the syntax as the synopsis.
            if (synopsis.Length == 0 || synopsis.StartsWith(command.Name + " ", StringComparison.Ordinal) || synopsis.Contains("[-", StringComparison.Ordinal))
                problems.Add($"{command.Name}: no synopsis");
            var description = vault.Invoke("(Get-Help -Name $n -Full).description | ForEach-Object Text", ("n", command.Name));
            if (string.Join("", description.Select(d => d?.BaseObject as string)).Trim().Length == 0)
                problems.Add($"{command.Name}: no description");
            var examples = vault.Invoke("@((Get-Help -Name $n -Full).examples.example).Count", ("n", command.Name));
            if ((int)examples.Single().BaseObject == 0) problems.Add($"{command.Name}: no examples");

            var common = new HashSet<string>(System.Management.Automation.Cmdlet.CommonParameters.Concat(System.Management.Automation.Cmdlet.OptionalCommonParameters));
            foreach (var parameter in command.Parameters.Keys.Where(p => !common.Contains(p)))
            {
                var text = vault.Invoke("(Get-Help -Name $n -Parameter $p).description | ForEach-Object Text", ("n", command.Name), ("p", parameter));
                if (string.Join("", text.Select(t => t?.BaseObject as string)).Trim().Length == 0)
                    problems.Add($"{command.Name} -{parameter}: no description");
            }
        }
        Assert.Empty(problems);
    }

    [Fact]
    public void Parameter_help_states_type_mandatory_position_pipeline_input_and_wildcards_as_declared()
    {
        // The hosted twin of tests/Pester/Help.Tests.ps1's metadata check, so help drift shows on machines without pwsh.
        using var vault = new HostedVault(fixture, create: false);
        var problems = vault.Invoke("""
            foreach ($command in (Get-Module SecureVault).ExportedCommands.Values) {
                $help = Get-Help -Name $command.Name -Full
                $documented = @($help.parameters.parameter).name
                foreach ($name in $documented) {
                    if (-not $command.Parameters.ContainsKey($name)) { "$($command.Name): help for -$name, which it does not have" }
                }
                foreach ($name in $command.Parameters.Keys) {
                    if ([System.Management.Automation.Cmdlet]::CommonParameters.Contains($name)) { continue }
                    $declared = $command.Parameters[$name]
                    $parameterHelp = @($help.parameters.parameter) | Where-Object { $_.name -eq $name }
                    if (-not $parameterHelp) { "$($command.Name) -${name}: no help"; continue }
                    $sets = @($declared.ParameterSets.Values)
                    $type = [Nullable]::GetUnderlyingType($declared.ParameterType)
                    if (-not $type) { $type = $declared.ParameterType }
                    if ($parameterHelp.type.name -ne $type.FullName) { "$($command.Name) -${name}: type $($parameterHelp.type.name), declared $($type.FullName)" }
                    $mandatory = (@($sets | Where-Object IsMandatory).Count -gt 0).ToString().ToLowerInvariant()
                    if ($parameterHelp.required -ne $mandatory) { "$($command.Name) -${name}: required $($parameterHelp.required), declared $mandatory" }
                    $position = if ($sets[0].Position -lt 0) { 'named' } else { [string] $sets[0].Position }
                    if ($parameterHelp.position -ne $position) { "$($command.Name) -${name}: position $($parameterHelp.position), declared $position" }
                    $byPropertyName = @($sets | Where-Object ValueFromPipelineByPropertyName).Count -gt 0
                    if (($parameterHelp.pipelineInput -like '*ByPropertyName*') -ne $byPropertyName) { "$($command.Name) -${name}: pipeline input $($parameterHelp.pipelineInput)" }
                    $wildcards = (@($declared.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0).ToString().ToLowerInvariant()
                    if ($parameterHelp.globbing -ne $wildcards) { "$($command.Name) -${name}: globbing $($parameterHelp.globbing), declared $wildcards" }
                }
            }
            """).Select(o => (string)o.BaseObject).ToList();
        Assert.Empty(problems);
    }
}
