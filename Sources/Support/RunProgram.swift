#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the program `name` (looked up in PATH) with `arguments`, standard input and error on /dev/null, and returns
/// its exit status and everything it wrote to standard output; nil when it cannot be started or dies of a signal.
/// For short helper programs (git), whose output fits in memory.
public func runProgram(_ name: String, _ arguments: [String]) -> (status: Int32, output: [UInt8])? {
    var pipeEnds: [Int32] = [0, 0]
    guard pipe(&pipeEnds) == 0 else { return nil }
    let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
    defer { close(readEnd) }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addclose(&actions, readEnd)
    posix_spawn_file_actions_addclose(&actions, writeEnd)

    let argv = ([name] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var child: pid_t = 0
    let spawned = posix_spawnp(&child, name, &actions, nil, argv, environ)
    close(writeEnd)
    guard spawned == 0 else { return nil }

    let output = readToEnd(readEnd)
    var status: Int32 = 0
    while waitpid(child, &status, 0) < 0 {
        guard errno == EINTR else { return nil }
    }
    // WIFEXITED / WEXITSTATUS, which Swift does not import (macros).
    guard status & 0x7f == 0 else { return nil }
    return ((status >> 8) & 0xff, output)
}

/// Everything readable from `descriptor` until its end (or a read error), retrying reads a signal interrupts. With
/// `keepingLast`, only about the last that many bytes are kept (between it and twice it while reading, exactly it
/// at the end), so that an endless writer cannot fill the memory.
public func readToEnd(_ descriptor: Int32, keepingLast limit: Int? = nil) -> [UInt8] {
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        output += buffer[0..<n]
        if let limit, output.count > 2 * limit { output.removeFirst(output.count - limit) }
    }
    if let limit, output.count > limit { output.removeFirst(output.count - limit) }
    return output
}
