namespace SecureVault.Cli.Input;

/// <summary>
/// Finds the program of <c>--command</c>: a name with a directory part is taken as written
/// (relative to the current directory); a bare name is looked up in PATH only. Process.Start on
/// its own would also try this tool's own directory and the current directory first, where a
/// planted file of the same name could receive every key's value.
/// </summary>
internal static class ProgramPath
{
    /// <summary>The full path of <paramref name="program"/>; a usage error naming <paramref name="option"/> when there is none.</summary>
    public static string Resolve(string program, string option)
    {
        if (program.Contains(Path.DirectorySeparatorChar) || program.Contains(Path.AltDirectorySeparatorChar))
        {
            var path = Path.GetFullPath(program);
            if (!IsExecutable(path)) throw new CliUsageException($"{option}: '{path}' is not an executable file.");
            return path;
        }
        var extensions = OperatingSystem.IsWindows()
            ? (Environment.GetEnvironmentVariable("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").Split(';', StringSplitOptions.RemoveEmptyEntries).Prepend("")
            : [""];
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var directory in directories)
        {
            // An empty or relative PATH entry means the current directory: skipped for the same reason.
            if (!Path.IsPathFullyQualified(directory)) continue;
            foreach (var extension in extensions)
            {
                var candidate = Path.Combine(directory, program + extension);
                if (IsExecutable(candidate)) return candidate;
            }
        }
        throw new CliUsageException($"{option}: no program named '{program}' was found in PATH. Give its full path, or fix PATH.");
    }

    private static bool IsExecutable(string path)
    {
        if (!File.Exists(path)) return false;
        if (OperatingSystem.IsWindows()) return true;
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }
}
