import Dispatch
import FoundationEssentials
import Glibc

/// A file that could not be written; the message names the path.
public struct OutputError: Error, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var description: String { "cannot write \(path): \(problem)" }
}

/// Writes `data` to `path` atomically: into a temporary file in the same folder, flushed, then renamed over
/// the destination. A reader (or a killed process) sees the old file or the whole new one, never half of it, and
/// once the file is in place it is on the disk.
public func writeAtomically(_ data: Data, to path: String) throws {
    try stageFile(data, for: path).commit()
}

/// A file written under a temporary name beside its destination: not yet flushed to the disk nor in place.
/// `writeAtomically` is `stageFile` then `commit`; a writer of many files stages each where it is made and
/// commits them side by side (`FileCommitter`), so that their waits for the disk overlap.
public struct StagedFile: Sendable {
    /// Where the file goes.
    public let path: String
    let temporary: String
    let descriptor: Int32

    /// Flushes the file to the disk and renames it into place; on failure the temporary file is removed and
    /// nothing is in place.
    public func commit() throws {
        try flush()
        try putInPlace()
    }

    /// The first half of `commit`: waits until the file is on the disk. On failure the temporary file is removed.
    public func flush() throws {
        guard fsync(descriptor) == 0 else {
            let problem = String(cString: strerror(errno))
            discard()
            throw OutputError(path: path, problem: problem)
        }
    }

    /// The second half of `commit`, after `flush`: renames the file into place. On failure the temporary file is
    /// removed.
    public func putInPlace() throws {
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let problem = String(cString: strerror(errno))
            unlink(temporary)
            throw OutputError(path: path, problem: problem)
        }
    }

    /// Removes the temporary file without putting anything in place.
    public func discard() {
        close(descriptor)
        unlink(temporary)
    }
}

/// Writes `data` to a new temporary file in `path`'s folder (`.NAME.tmp-PID-RANDOM`, which `removeStaleTemporaries`
/// clears if the process dies before committing it).
public func stageFile(_ data: Data, for path: String) throws -> StagedFile {
    try stageFile(for: path) { try $0.write(data) }
}

/// Writes `text` to `path` atomically, as `writeAtomically(_:to:)` does, formatting its pieces on `context`'s
/// threads a batch at a time and writing each batch, in order, once it is done: a file of gigabytes holds a few
/// pieces in memory, not the whole text.
public func writeAtomically(_ text: ChunkedText, to path: String, context: ComputeContext) throws {
    try stageFile(text, for: path, context: context).commit()
}

/// `text` formatted on all cores a few pieces at a time and written under a temporary name beside `path` as it is
/// made: staged, not yet flushed nor in place (a writer of several big files commits them side by side, so that
/// one's wait for the disk overlaps the next one's formatting).
public func stageFile(_ text: ChunkedText, for path: String, context: ComputeContext) throws -> StagedFile {
    try stageFile(for: path) { file in
        let batch = 2 * context.threads
        for start in stride(from: 0, to: text.count, by: batch) {
            let pieces = parallelMap(count: min(batch, text.count - start), context: context) { k -> [UInt8] in
                var out = TextBytes()
                text.piece(start + k, &out)
                return out.bytes
            }
            for piece in pieces { try file.write(piece) }
        }
    }
}

/// A file being written under its temporary name, a piece at a time (given to `stageFile(for:writing:)`'s body).
public struct FileSink {
    /// Where the file goes (for messages).
    public let path: String
    let descriptor: Int32

    /// Appends `bytes` to the file.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if let problem = writeAll(descriptor, bytes) { throw OutputError(path: path, problem: problem) }
    }

    /// Appends `bytes` to the file.
    public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    /// Appends `data` to the file.
    public func write(_ data: Data) throws { try data.withUnsafeBytes { try write($0) } }
}

/// Writes all of `bytes` to `descriptor` (again after an interruption); the system's words on failure.
private func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> String? {
    var offset = 0
    while offset < bytes.count {
        let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 {
            if errno == EINTR { continue }
            return String(cString: strerror(errno))
        }
        offset += written
    }
    return nil
}

/// Makes a new temporary file in `path`'s folder (`.NAME.tmp-PID-RANDOM`, which `removeStaleTemporaries` clears if
/// the process dies before committing it) and lets `body` write it piece by piece, so that a big file is written
/// as it is made. If `body` throws (or a write fails), the temporary file is removed and the error is rethrown:
/// nothing is left behind.
public func stageFile(for path: String, writing body: (FileSink) throws -> Void) throws -> StagedFile {
    try checkReplaceable(path)
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)   // not inherited by child processes
    guard fd >= 0 else { throw OutputError(path: path, problem: String(cString: strerror(errno))) }
    let staged = StagedFile(path: path, temporary: temporary, descriptor: fd)
    do {
        try body(FileSink(path: path, descriptor: fd))
    } catch {
        staged.discard()
        throw error
    }
    return staged
}

/// Checks that an output file may be written at `path`: nothing is there, or a regular file (which the write
/// replaces). Anything else is refused — a device, a FIFO, a socket, a folder, or a symbolic link (renaming over a
/// link replaces the link itself, not what it points to): `predict --json /dev/null` once turned the system's
/// /dev/null into a regular file. Commands call it on their output paths before they start working, and every
/// staged file is checked again.
public func checkReplaceable(_ path: String) throws {
    guard !path.isEmpty else { throw OutputError(path: "''", problem: "the path is empty") }
    var info = stat()
    guard lstat(path, &info) == 0 else {
        if errno == ENOENT { return }
        throw OutputError(path: path, problem: String(cString: strerror(errno)))
    }
    let kind: String
    switch info.st_mode & S_IFMT {
    case S_IFREG: return
    // The operating system's words, as a rename over a folder says them.
    case S_IFDIR: throw OutputError(path: path, problem: String(cString: strerror(EISDIR)))
    case S_IFLNK: kind = "a symbolic link"
    case S_IFIFO: kind = "a FIFO"
    case S_IFCHR, S_IFBLK: kind = "a device"
    case S_IFSOCK: kind = "a socket"
    default: kind = "something other than a file"
    }
    throw OutputError(path: path, problem: "it is \(kind), not a regular file; regionplot writes only new files or "
        + "regular files it replaces")
}

/// Commits staged files as they come, each on a thread of its own: a flush waits some milliseconds for the disk,
/// and a run that flushed its figures one after another on its
/// drawing threads would spend a good part of its time waiting. The threads wait; they do not compute.
public final class FileCommitter: @unchecked Sendable {
    private let group = DispatchGroup()
    private let lock = Lock()
    private var failures: [Error] = []

    public init() {}

    /// Starts committing `file`.
    public func commit(_ file: StagedFile) {
        group.enter()
        startDetachedThread { [self] in
            do { try file.commit() } catch {
                lock.lock(); failures.append(error); lock.unlock()
            }
            group.leave()
        }
    }

    /// Waits until every file handed over is committed (in place) or failed; throws the first failure.
    public func finish() throws {
        group.wait()
        lock.lock(); defer { lock.unlock() }
        if let first = failures.first { throw first }
    }
}

/// Removes the temporary files (`.NAME.tmp-PID…`) that writers killed mid-write left in `folder`: those whose
/// process is gone. A running writer's files are left alone.
public func removeStaleTemporaries(in folder: String) {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(".") {
        guard let marker = name.lastRange(of: ".tmp-") else { continue }
        let digits = name[marker.upperBound...].prefix { $0.isASCII && $0.isNumber }
        guard let pid = Int32(digits), pid > 0, pid != getpid() else { continue }
        if !isProcessAlive(pid) { unlink(folder + "/" + name) }
    }
}

/// Whether process `pid` exists and has not exited: a zombie (exited, not yet reaped) counts as gone.
public func isProcessAlive(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 || errno == EPERM else { return false }
    // /proc/PID/stat: "PID (name) STATE …"; the name may hold spaces and parentheses, so read after the last ')'.
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(after: close)...].trimmingWhitespace().first != "Z"
}

/// Whether `path` (symbolic links followed) is a folder; nil when nothing is there.
public func isFolder(atPath path: String) -> Bool? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return info.st_mode & S_IFMT == S_IFDIR
}

/// Makes `folder` ready for a new run: created and writable, stale temporaries removed, and the previous run's
/// report.json removed — so a reused folder never shows an old report beside new figures, even if this run fails.
public func startRun(in folder: String) throws {
    try prepareOutputFolder(folder)
    removeStaleTemporaries(in: folder)
    if unlink(folder + "/report.json") != 0 && errno != ENOENT {
        throw OutputError(path: folder + "/report.json", problem: "the previous run's report cannot be removed (\(String(cString: strerror(errno))))")
    }
}

/// Creates `path` (and its parents) if needed, checks that files can be written in it, and locks it for this
/// process (`lockOutputFolder`): a second run into the same folder is refused rather than mixing its files in.
/// `shared`: the shards of one sweep, which write distinct files into one folder side by side, share the lock
/// (and still exclude a whole run or a summary, which take it alone).
public func prepareOutputFolder(_ path: String, shared: Bool = false) throws {
    guard !path.isEmpty else { throw OutputError(path: "''", problem: "the path is empty; give a folder") }
    if let existsAsFolder = isFolder(atPath: path) {
        guard existsAsFolder else { throw OutputError(path: path, problem: "it exists and is not a folder") }
    } else {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            // Say which part of the path is in the way, rather than Foundation's generic code.
            var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
            while ancestor.path != "/" && !FileManager.default.fileExists(atPath: ancestor.path) {
                ancestor = ancestor.deletingLastPathComponent()
            }
            if isFolder(atPath: ancestor.path) == false {
                throw OutputError(path: path, problem: "\(ancestor.path) is a file, not a folder")
            }
            throw OutputError(path: path, problem: "the folder cannot be created in \(ancestor.path) (permission denied or read-only)")
        }
    }
    try lockOutputFolder(path, shared: shared)
    // A trial file, not access(2): root passes access() even on a read-only mount.
    let trial = path + "/.regionplot-write-test-\(getpid())"
    let fd = open(trial, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else {
        throw OutputError(path: path, problem: "the folder is not writable (\(String(cString: strerror(errno))))")
    }
    close(fd)
    unlink(trial)
}

/// The output folders this process holds locked, by canonical path, with their open descriptors. A table for the
/// whole process rather than a value passed around: a lock belongs to the process until it exits (flock(2) locks
/// belong to the open descriptor, and the kernel drops them when the process ends, however it ends), and a process
/// that prepares one folder twice must not lock itself out.
private final class HeldFolderLocks: @unchecked Sendable {
    let lock = Lock()
    var descriptors: [String: Int32] = [:]
}
private let heldFolderLocks = HeldFolderLocks()

/// Takes an exclusive lock on the folder `path` (flock(2) on the folder itself, so no lock file is left behind),
/// held until the process exits. Throws, without waiting, when another process holds it: two runs into one
/// folder would otherwise leave figures of both beside one report. `shared` takes a shared lock, which other
/// shared holders (the shards of one sweep) may hold at the same time.
public func lockOutputFolder(_ path: String, shared: Bool = false) throws {
    guard let canonical = realpath(path, nil) else {
        throw OutputError(path: path, problem: String(cString: strerror(errno)))
    }
    let key = String(cString: canonical)
    free(canonical)
    heldFolderLocks.lock.lock()
    defer { heldFolderLocks.lock.unlock() }
    if heldFolderLocks.descriptors[key] != nil { return }
    // Close-on-exec: a batch's children take locks of their own, on their own folders.
    let fd = open(key, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { throw OutputError(path: path, problem: String(cString: strerror(errno))) }
    guard flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0 else {
        let busy = errno == EWOULDBLOCK
        close(fd)
        // A file system without locks (ENOLCK) still takes the run: the lock guards against a mistake, it is not
        // what makes each file whole.
        guard busy else { return }
        throw OutputError(path: path, problem: "another regionplot run is writing into this folder; wait for it "
            + "to end or give another output folder")
    }
    heldFolderLocks.descriptors[key] = fd
}
