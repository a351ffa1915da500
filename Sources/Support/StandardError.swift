#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's standard error, written with write(2) (Foundation's `FileHandle.standardError` without
/// Foundation): each call writes all of its bytes, in order, or as many as the descriptor takes.
public enum StandardError {
    /// Writes `text` as UTF-8.
    public static func write(_ text: String) { write(bytes: Array(text.utf8)) }

    /// Writes `bytes`.
    public static func write<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        write(bytes: Array(bytes))
    }

    private static func write(bytes: [UInt8]) {
        writeAll(bytes, to: 2)
    }
}

/// Writes all of `bytes` to the descriptor `fd`, retrying partial writes and interruptions; stops silently when the
/// descriptor refuses (closed, full disk): what is written to a terminal or a log is not worth a failure.
@discardableResult
public func writeAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}
