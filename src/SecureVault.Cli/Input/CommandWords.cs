using System.Text;

namespace SecureVault.Cli.Input;

/// <summary>
/// Splits the text of <c>--command</c> into a program and its arguments the way a POSIX shell
/// splits words, and nothing more: no variables, globbing, pipes or redirections. The program is
/// then run directly (no shell), so a value or key name can never be parsed as shell syntax.
/// </summary>
/// <remarks>
/// Quoting: <c>'single quotes'</c> keep everything literally; in <c>"double quotes"</c> a backslash
/// escapes only <c>"</c> and <c>\</c>; outside quotes a backslash escapes any character.
/// Characters a shell would treat specially (<c>| &amp; ; &lt; &gt; ( ) $ ` * ?</c>, and <c>~</c>
/// or <c>#</c> at the start of a word) are refused unquoted, because they would not do what they
/// do in a shell; whoever needs a pipeline runs a shell explicitly: <c>--command "sh -c '...'"</c>.
/// </remarks>
internal static class CommandWords
{
    private const string ShellSyntax = "|&;<>()$`*?";

    /// <summary>The words of <paramref name="text"/>; a usage error naming <paramref name="option"/> when it is empty, unbalanced or uses shell syntax.</summary>
    public static string[] Split(string text, string option)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '\'':
                {
                    int end = text.IndexOf('\'', i + 1);
                    if (end < 0) throw new CliUsageException($"{option} has a ' without its closing '.");
                    word.Append(text, i + 1, end - i - 1);
                    i = end;
                    inWord = true;
                    break;
                }
                case '"':
                {
                    for (i++; i < text.Length && text[i] != '"'; i++)
                    {
                        if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\') i++;
                        word.Append(text[i]);
                    }
                    if (i >= text.Length) throw new CliUsageException($"{option} has a \" without its closing \".");
                    inWord = true;
                    break;
                }
                case '\\':
                    if (i + 1 >= text.Length) throw new CliUsageException($"{option} ends with a lone backslash.");
                    word.Append(text[++i]);
                    inWord = true;
                    break;
                default:
                    if (char.IsWhiteSpace(c))
                    {
                        if (inWord) words.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }
                    else if (ShellSyntax.Contains(c) || (!inWord && c is '~' or '#'))
                    {
                        throw new CliUsageException(
                            $"{option} runs one program directly, without a shell, so an unquoted '{c}' would not do what it does in a shell. " +
                            "Quote it to pass it as it is, or run a shell yourself: --command \"sh -c '...'\".");
                    }
                    else
                    {
                        word.Append(c);
                        inWord = true;
                    }
                    break;
            }
        }
        if (inWord) words.Add(word.ToString());
        if (words.Count == 0) throw new CliUsageException($"{option} needs a program to run (and its arguments).");
        return words.ToArray();
    }
}
