#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutual-exclusion lock (a pthread mutex) for state that threads share: the house's `NSLock`, without
/// Foundation. A class, so that it can be a stored `let` of the classes it guards, and it never moves in memory.
public final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Waits until this thread holds the lock.
    public func lock() { pthread_mutex_lock(mutex) }

    /// Releases the lock this thread holds.
    public func unlock() { pthread_mutex_unlock(mutex) }

    /// `body`'s result, computed while holding the lock.
    public func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// Runs `body` on a new detached thread of its own (Foundation's `Thread { … }.start()`): for work that waits
/// (a disk flush) or that should not hold a thread of the shared work queue.
public func startDetachedThread(_ body: @escaping @Sendable () -> Void) {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(&thread, nil, { context in
        let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
        box.body()
        return nil
    }, context)
    guard status == 0 else {
        // No thread could be made (the process is at its limit): run here rather than lose the work.
        Unmanaged<Box>.fromOpaque(context).takeRetainedValue().body()
        return
    }
    pthread_detach(thread)
}
