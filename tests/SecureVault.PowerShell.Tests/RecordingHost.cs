using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace SecureVault.PowerShell.Tests;

/// <summary>
/// An interactive PowerShell host whose UI records how it was asked for input: ReadLine (echoed),
/// ReadLineAsSecureString (masked) or Prompt (with each field's type), and everything written to
/// it. It answers ReadLine and ReadLineAsSecureString with the text queued in <see cref="Typed"/>.
/// </summary>
internal sealed class RecordingHost : PSHost
{
    private readonly RecordingUI _ui = new();

    /// <summary>What the "user" types, one line per read, in order.</summary>
    public Queue<string> Typed => _ui.Typed;

    /// <summary>The input methods called, in order: "ReadLine", "ReadLineAsSecureString", "Prompt:&lt;field type&gt;", ...</summary>
    public List<string> Calls => _ui.Calls;

    /// <summary>Everything written to the host's UI (prompt labels included).</summary>
    public string Screen => _ui.Screen.ToString();

    public override PSHostUserInterface UI => _ui;
    public override string Name => "RecordingHost";
    public override Version Version { get; } = new(1, 0);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
    public override void SetShouldExit(int exitCode) { }

    private sealed class RecordingUI : PSHostUserInterface
    {
        public Queue<string> Typed { get; } = new();
        public List<string> Calls { get; } = [];
        public System.Text.StringBuilder Screen { get; } = new();

        public override PSHostRawUserInterface? RawUI => null;

        public override string ReadLine()
        {
            Calls.Add("ReadLine");
            var line = Typed.Dequeue();
            Screen.AppendLine(line); // a console echoes what ReadLine reads
            return line;
        }

        public override SecureString ReadLineAsSecureString()
        {
            Calls.Add("ReadLineAsSecureString");
            Screen.AppendLine();
            return ModuleFixture.Secure(Typed.Dequeue());
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
        {
            var answers = new Dictionary<string, PSObject>();
            foreach (var field in descriptions)
            {
                Calls.Add("Prompt:" + field.ParameterTypeFullName);
                Screen.Append(field.Name).Append(": ");
                answers[field.Name] = field.ParameterTypeFullName == typeof(SecureString).FullName
                    ? new PSObject(ReadLineAsSecureString())
                    : new PSObject(ReadLine());
            }
            return answers;
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new NotSupportedException();

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) =>
            throw new NotSupportedException();

        public override void Write(string value) => Screen.Append(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Screen.Append(value);
        public override void WriteLine(string value) => Screen.AppendLine(value);
        public override void WriteErrorLine(string value) => Screen.AppendLine(value);
        public override void WriteDebugLine(string message) => Screen.AppendLine(message);
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteVerboseLine(string message) => Screen.AppendLine(message);
        public override void WriteWarningLine(string message) => Screen.AppendLine(message);
    }
}
