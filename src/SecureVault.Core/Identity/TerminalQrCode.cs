// Terminal QR code for TOTP enrolment: QRCoder builds the module matrix (ISO/IEC 18004, byte mode,
// error correction level M, smallest version that fits); we draw it as text.
// Two module rows share one text line through the Unicode half blocks U+2580 (upper), U+2584 (lower)
// and U+2588 (full). Polarity: the glyphs paint LIGHT modules and a space leaves a DARK module.
// Terminals usually draw light text on a dark background, so the code then shows dark-on-light as
// scanners expect (the same choice as `qrencode -t UTF8` and QRCoder's AsciiQRCode.GetGraphicSmall);
// on a light-background terminal it shows inverted, which many but not all scanner apps read.
// Quiet zone: 2 light modules on every side (ISO asks for 4; 2 keeps the code on one screen and
// scanners cope with it on a terminal, where the surrounding background is dark anyway).
// The input is the otpauth:// URI, which contains the secret: it goes to QRCoder's byte[] overload
// (no System.String of it is made), the one array copy is pinned and zeroed, and the module matrix is
// cleared after drawing. QRCoder's own internal bit arrays cannot be reached and are left to the GC.
// The returned picture is the explicit enrolment output, shown to the user once.
using System.Collections;
using System.Security.Cryptography;
using QRCoder;

namespace SecureVault.Identity;

/// <summary>Renders text as a QR code made of Unicode half-block characters (see file header).</summary>
public static class TerminalQrCode
{
    /// <summary>The light margin drawn around the code, in modules.</summary>
    public const int QuietZone = 2;

    internal const char Both = '\u2588';   // upper and lower module light
    internal const char Upper = '\u2580';  // upper module light, lower dark
    internal const char Lower = '\u2584';  // upper dark, lower module light
    internal const char Neither = ' ';     // both dark

    /// <summary>
    /// The QR code of <paramref name="utf8Text"/> as lines joined by "\n" (no trailing newline).
    /// Each line is one character per module column and shows two module rows.
    /// </summary>
    public static string Render(ReadOnlySpan<byte> utf8Text)
    {
        // QRCoder takes a byte[]: pinned so the GC leaves no stray copy behind, zeroed in finally.
        byte[] copy = GC.AllocateUninitializedArray<byte>(utf8Text.Length, pinned: true);
        QRCodeData? data = null;
        try
        {
            utf8Text.CopyTo(copy);
            data = QRCodeGenerator.GenerateQrCode(copy, QRCodeGenerator.ECCLevel.M);
            return Draw(data);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy);
            if (data?.ModuleMatrix is { } matrix)
            {
                foreach (BitArray row in matrix) row.SetAll(false);
            }
            data?.Dispose();
        }
    }

    private static string Draw(QRCodeData data)
    {
        List<BitArray> matrix = data.ModuleMatrix;
        // QRCoder pads its matrix with its own 4-module quiet zone; find the symbol inside it.
        int symbol = 21 + (data.Version - 1) * 4;
        int padding = (matrix.Count - symbol) / 2;
        int side = symbol + 2 * QuietZone;
        int lines = (side + 1) / 2;
        int length = lines * side + (lines - 1); // "\n" between lines

        // string.Create writes straight into the result: no builder chunks left holding the picture.
        return string.Create(length, (Matrix: matrix, Padding: padding, Side: side), static (chars, s) =>
        {
            int at = 0;
            for (int row = 0; row < s.Side; row += 2)
            {
                if (row > 0) chars[at++] = '\n';
                for (int column = 0; column < s.Side; column++)
                {
                    bool upper = IsLight(s.Matrix, s.Padding, s.Side, row, column);
                    // An odd side leaves the last line's lower half outside the picture: drawn dark (blank).
                    bool lower = row + 1 < s.Side && IsLight(s.Matrix, s.Padding, s.Side, row + 1, column);
                    chars[at++] = upper ? (lower ? Both : Upper) : (lower ? Lower : Neither);
                }
            }
        });
    }

    /// <summary>Whether the module at (row, column) of the picture, quiet zone included, is light.</summary>
    private static bool IsLight(List<BitArray> matrix, int padding, int side, int row, int column)
    {
        int symbolRow = row - QuietZone;
        int symbolColumn = column - QuietZone;
        int symbol = side - 2 * QuietZone;
        if (symbolRow < 0 || symbolColumn < 0 || symbolRow >= symbol || symbolColumn >= symbol) return true;
        return !matrix[symbolRow + padding][symbolColumn + padding]; // QRCoder: true = dark
    }
}
