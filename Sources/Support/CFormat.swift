#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension String {
    /// `arguments` formatted by the C `format` (`%.3f`, `%g`, `%5d`, `%llu`, `%%` …), as C's `printf` writes them.
    ///
    /// The house replacement for Foundation's `String(format:)`, which is the one reason most modules imported
    /// Foundation (and with it ICU, two thirds of the binary): this is C's `vsnprintf`, which Foundation's
    /// `String(format:)` also calls for every number conversion, so the text is the same byte for byte
    /// (SupportTests.CFormatTests holds the two together over every pattern the sources use). Like `String(format:)`,
    /// each argument must match its conversion (`Double` for `%f %e %g`, `Int` for `%d`, `UInt64` for `%llu`); there
    /// is no `%@`: strings go in by interpolation around the call.
    public init(cFormat format: String, _ arguments: any CVarArg...) {
        self.init(cFormat: format, arguments: arguments)
    }

    /// `arguments` formatted by the C `format`; see `init(cFormat:_:)`.
    public init(cFormat format: String, arguments: [any CVarArg]) {
        var buffer = [CChar](repeating: 0, count: 128)
        let needed = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        guard needed >= 0 else {
            self = ""
            return
        }
        if Int(needed) >= buffer.count {
            // Rare (long messages): the whole text did not fit, and a va_list is read only once, so format again.
            buffer = [CChar](repeating: 0, count: Int(needed) + 1)
            _ = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        }
        self = String(decoding: buffer[..<Int(needed)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
