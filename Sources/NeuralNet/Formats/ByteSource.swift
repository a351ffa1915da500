import FoundationEssentials
import Glibc

/// Bytes that a file reader asks for by range, so that it reads what a file's header names and no more.
protocol ByteSource {
    /// Total length in bytes.
    var count: Int { get }
    /// The bytes in `range`, which the caller has checked lies within `0..<count`.
    func bytes(_ range: Range<Int>) throws -> [UInt8]
    /// The same bytes as `Data`, read into it directly (no intermediate copy).
    func data(_ range: Range<Int>) throws -> Data
}

extension Data: ByteSource {
    func bytes(_ range: Range<Int>) throws -> [UInt8] {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "byte range \(range) outside \(count) bytes")
        return [UInt8](self[(startIndex + range.lowerBound)..<(startIndex + range.upperBound)])
    }

    func data(_ range: Range<Int>) throws -> Data {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "byte range \(range) outside \(count) bytes")
        return subdata(in: (startIndex + range.lowerBound)..<(startIndex + range.upperBound))
    }
}

/// A file that cannot be read, with what is wrong with it; each format's reader wraps it in its own error.
struct FileReadError: Error {
    var path: String
    var problem: String
}

/// A regular file opened for reading by ranges (`pread`), closed when the value goes away.
///
/// Opening refuses what is not a regular file — a folder, a FIFO (which would block), a device such as
/// /dev/zero (which never ends) — with a message naming what it is, before any byte is read.
final class ReadOnlyFile: ByteSource {
    let path: String
    let count: Int
    private let descriptor: Int32

    init(path: String) throws {
        func fail(_ problem: String) -> FileReadError { FileReadError(path: path, problem: problem) }
        // O_NONBLOCK: opening a FIFO with no writer would otherwise wait for ever.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            switch errno {
            case ENOENT: throw fail("no such file")
            case EACCES: throw fail("cannot be read (permission denied)")
            case ENOTDIR: throw fail("no such file (a part of the path is not a folder)")
            default: throw fail("cannot be opened (\(String(cString: strerror(errno))))")
            }
        }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw fail("cannot be read (\(reason))")
        }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG else {
            close(fd)
            switch kind {
            case S_IFDIR: throw fail("is a folder, not a file")
            case S_IFIFO: throw fail("is a FIFO, not a regular file")
            case S_IFCHR, S_IFBLK: throw fail("is a device, not a regular file")
            case S_IFSOCK: throw fail("is a socket, not a regular file")
            default: throw fail("is not a regular file")
            }
        }
        self.path = path
        self.count = Int(status.st_size)
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// The whole file, read once into one buffer, for formats that need all of it; refused when it is larger
    /// than `maximumSize` bytes (`what` says why there is a limit).
    func readAll(maximumSize: Int, what: String = "this reader takes") throws -> Data {
        guard count <= maximumSize else {
            throw FileReadError(path: path, problem: "is \(count) bytes, more than the \(maximumSize) \(what)")
        }
        return try data(0..<count)
    }

    /// At most what the reader may hold: a quarter of the physical memory (a format may widen what it reads).
    static var largestWholeFile: Int { Int(min(ProcessInfo.processInfo.physicalMemory / 4, UInt64(Int.max))) }

    func bytes(_ range: Range<Int>) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: range.count)
        try buffer.withUnsafeMutableBytes { try read(range, into: $0) }
        return buffer
    }

    func data(_ range: Range<Int>) throws -> Data {
        var buffer = Data(count: range.count)
        try buffer.withUnsafeMutableBytes { try read(range, into: $0) }
        return buffer
    }

    /// Reads `range` of the file into `buffer` (of `range.count` bytes) with `pread`, in pieces of at most 1 GiB
    /// (Linux reads at most about 2 GiB a call).
    private func read(_ range: Range<Int>, into buffer: UnsafeMutableRawBufferPointer) throws {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "byte range \(range) outside \(count) bytes")
        precondition(buffer.count == range.count, "a buffer of \(buffer.count) bytes for \(range.count)")
        var done = 0
        while done < range.count {
            let n = pread(descriptor, buffer.baseAddress! + done, min(range.count - done, 1 << 30),
                          off_t(range.lowerBound + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                // The file shrank after it was opened, or the disk failed.
                let reason = n == 0 ? "it ended early (changed while being read?)" : String(cString: strerror(errno))
                throw FileReadError(path: path, problem: "cannot be read: \(reason)")
            }
            done += n
        }
    }
}
