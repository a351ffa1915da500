import Foundation

/// Calls `body(k)` for every k in 0..<count on up to `workers` threads, each thread taking the next index as
/// soon as it is free, and returns the results in index order.
///
/// `order` sets the order in which indices are handed out (longest jobs first keeps every thread busy to the
/// end); by default 0, 1, 2, ….
public func parallelMap<T>(count: Int, workers: Int, order: [Int]? = nil, _ body: (Int) -> T) -> [T] {
    precondition(order.map { $0.count == count && Set($0) == Set(0..<count) } ?? true, "order must list every index once")
    let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    results.initialize(repeating: nil)
    defer { results.deinitialize().deallocate() }
    let next = AtomicCounter()
    DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { _ in
        while true {
            let position = next.increment() - 1
            guard position < count else { return }
            let k = order?[position] ?? position
            results[k] = body(k)
        }
    }
    return results.map { $0! }
}

/// A lock-protected counter shared by worker threads.
public final class AtomicCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    public init() {}

    /// Adds one and returns the new value.
    public func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
