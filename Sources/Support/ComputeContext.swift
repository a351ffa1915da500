import FoundationEssentials

/// How much of the machine a computation may use. Passed explicitly to everything that runs in parallel, so no
/// library code reads or sets process-wide state (the command line decides, once, in `main`).
public struct ComputeContext: Sendable, Equatable {
    /// Worker threads for parallel loops (at least 1).
    public var threads: Int

    public init(threads: Int) {
        precondition(threads >= 1, "a compute context needs at least one thread, got \(threads)")
        self.threads = threads
    }

    /// One thread per core.
    public static var allCores: ComputeContext { ComputeContext(threads: cores) }

    /// One thread: the same answer on every machine, and no threads to share with a caller's own workers.
    public static let serial = ComputeContext(threads: 1)

    /// The cores this process may use — the one place they are counted.
    public static var cores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
