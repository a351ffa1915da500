import Foundation

// Helpers every test target shares. Each test target re-exports this module from one file (`TestSupport.swift`
// beside its tests), so the helpers read like its own.

/// Paths handed out by `temporaryFolder`, removed when the test process exits.
private final class TemporaryPaths: @unchecked Sendable {
    static let shared = TemporaryPaths()
    private let lock = NSLock()
    private var paths: [String] = []
    private var registered = false

    func add(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        paths.append(path)
        if !registered {
            registered = true
            atexit { TemporaryPaths.shared.removeAll() }
        }
    }

    func removeAll() {
        lock.lock()
        defer { lock.unlock() }
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
        paths.removeAll()
    }
}

/// A fresh path in the system's temporary folder (not created), removed with everything in it when the tests end.
public func temporaryFolder(_ prefix: String = "regionplot-test") -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    TemporaryPaths.shared.add(path)
    return path
}

/// A fresh path for a file named `name` (in a new temporary folder, created), removed when the tests end.
public func temporaryPath(_ name: String) throws -> String {
    let folder = temporaryFolder()
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder + "/" + name
}

/// Writes `data` as `name` into a fresh temporary folder and returns the file's path.
public func temporaryFile(_ data: Data, name: String = "net.safetensors") throws -> String {
    let path = try temporaryPath(name)
    try data.write(to: URL(fileURLWithPath: path))
    return path
}
