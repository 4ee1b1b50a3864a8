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
}
