import Dispatch
import FoundationEssentials

// The one parallel work queue: every parallel loop of regionplot runs through these two functions.

/// Calls `body(k)` for every k in 0..<count on up to `context.threads` threads, each thread taking the next index
/// as soon as it is free, and returns the results in index order.
///
/// `order` sets the order in which indices are handed out (longest jobs first keeps every thread busy to the
/// end); by default 0, 1, 2, ….
public func parallelMap<T>(count: Int, context: ComputeContext, order: [Int]? = nil,
                           _ body: @Sendable (Int) -> T) -> [T] {
    precondition(order.map { $0.count == count && Set($0) == Set(0..<count) } ?? true, "order must list every index once")
    let storage = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    storage.initialize(repeating: nil)
    defer { storage.deinitialize().deallocate() }
    let results = DisjointWrites(storage)
    parallelForEach(count: count, context: context, order: order) { k in results[k] = body(k) }
    return storage.map { $0! }
}

/// Calls `body(k)` for every k in 0..<count on up to `context.threads` threads, handing out indices one at a time
/// (in `order`, when given). With one thread, or one index, the calls run on the caller's thread in order.
public func parallelForEach(count: Int, context: ComputeContext, order: [Int]? = nil, _ body: @Sendable (Int) -> Void) {
    let workers = max(1, min(context.threads, count))
    if workers == 1 {
        for position in 0..<count { body(order?[position] ?? position) }
        return
    }
    let next = AtomicCounter()
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
            let position = next.increment() - 1
            guard position < count else { return }
            body(order?[position] ?? position)
        }
    }
}

/// A buffer that parallel workers write into, each at indices no other worker touches — the one audited escape
/// from Swift's data-race checking. The owner keeps the memory alive and reads it only after the workers finish
/// (`parallelForEach` returns only then).
public struct DisjointWrites<Element>: @unchecked Sendable {
    /// The first element.
    public let base: UnsafeMutablePointer<Element>
    /// Number of elements.
    public let count: Int

    public init(_ buffer: UnsafeMutableBufferPointer<Element>) {
        base = buffer.baseAddress ?? UnsafeMutablePointer<Element>.allocate(capacity: 0)
        count = buffer.count
    }

    /// Element `index`; each index is written by one worker only.
    public subscript(index: Int) -> Element {
        get { base[index] }
        nonmutating set {
            precondition(index >= 0 && index < count, "index \(index) outside \(count)")
            base[index] = newValue
        }
    }

    /// The address of element `offset`, for kernels that write a worker's whole slice.
    public func pointer(at offset: Int) -> UnsafeMutablePointer<Element> {
        precondition(offset >= 0 && offset <= count, "offset \(offset) outside \(count)")
        return base + offset
    }
}

/// A lock-protected counter shared by worker threads.
public final class AtomicCounter: @unchecked Sendable {
    private var value = 0
    private let lock = Lock()

    public init() {}

    /// Adds one and returns the new value.
    public func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
