using System.Reflection;
using System.Runtime.ExceptionServices;
using SecureVault.Storage;

namespace SecureVault.Tests;

/// <summary>
/// A store that answers chosen lookups with another row, as a damaged index or a faulty (or
/// hostile) store would. <see cref="Redirect"/> sees each call (the real reader, the method name,
/// its arguments) and returns <see cref="Answer.Pass"/> or a replacement result.
/// </summary>
public sealed class MisdirectingStore(IVaultStore inner) : IVaultStore
{
    /// <summary>What a redirect decides: pass the call through, or answer with <paramref name="Result"/>.</summary>
    public readonly record struct Answer(bool Replaced, object? Result)
    {
        public static readonly Answer Pass = new(false, null);
        public static Answer With(object? result) => new(true, result);
    }

    public Func<IVaultReader, string, object?[], Answer>? Redirect { get; set; }

    public string Kind => inner.Kind;
    public string Location => inner.Location;
    public bool Exists() => inner.Exists();
    public T Initialize<T>(Func<IVaultWriter, T> firstWrite) => inner.Initialize(firstWrite);
    public IReadOnlyList<string> SelfCheck() => inner.SelfCheck();
    public void BackupTo(string path, byte[] head) => inner.BackupTo(path, head);
    public IVaultBackupFile OpenBackup(string path) => inner.OpenBackup(path);
    public IVaultStore StageRestore<T>(string backupPath, Func<IVaultBackupFile, T> check, out T checkedResult) => inner.StageRestore(backupPath, check, out checkedResult);
    public void ReplaceWith(IVaultStore staged) => inner.ReplaceWith(staged);
    public void Checkpoint() => inner.Checkpoint();
    public void ReleaseIdleConnections() => inner.ReleaseIdleConnections();
    public T Read<T>(Func<IVaultReader, T> work) => inner.Read(r => work(ReaderProxy<IVaultReader>.Around(r, this)));
    public T Write<T>(Func<IVaultWriter, T> work) => inner.Write(w => work(ReaderProxy<IVaultWriter>.Around(w, this)));
    public void Dispose() => inner.Dispose();

    /// <summary>Passes every call to the real reader unless the store's redirect replaces its result.</summary>
    public class ReaderProxy<T> : DispatchProxy where T : class, IVaultReader
    {
        private T _inner = null!;
        private MisdirectingStore _owner = null!;

        public static T Around(T inner, MisdirectingStore owner)
        {
            var proxy = Create<T, ReaderProxy<T>>();
            var self = (ReaderProxy<T>)(object)proxy;
            self._inner = inner;
            self._owner = owner;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            args ??= [];
            if (_owner.Redirect?.Invoke(_inner, method!.Name, args) is { Replaced: true } answer) return answer.Result;
            try
            {
                return method!.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException != null)
            {
                ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }
    }
}
