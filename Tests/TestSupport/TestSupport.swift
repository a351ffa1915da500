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

/// Whether `a` and `b` agree within the stated tolerances: |a − b| ≤ `absolute`, or |a − b| ≤ `relative` ·
/// max(|a|, |b|). Equal values always agree (infinities too); NaN agrees with nothing. Give the tolerance the
/// oracle earns (a closed form to rounding, 1e-12 or so; a finite difference to its truncation error; float32
/// arithmetic to 1e-5 or so) and say why beside the check.
public func isApproximatelyEqual<T: FloatingPoint>(_ a: T, _ b: T, absolute: T = 0, relative: T = 0) -> Bool {
    precondition(absolute >= 0 && relative >= 0, "tolerances are not negative")
    if a == b { return true }
    let difference = abs(a - b)
    return difference <= absolute || difference <= relative * max(abs(a), abs(b))
}

/// SplitMix64: a fixed-seed source of test values for targets that have no `SeededGenerator` (it lives in
/// LinearAlgebra), so that their random cases are the same on every run.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
