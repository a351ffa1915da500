import Dispatch

/// A monotonic stopwatch.
public struct Stopwatch: Sendable {
    private var start: UInt64
    public init() { start = DispatchTime.now().uptimeNanoseconds }
    /// Seconds since the start.
    public var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    /// Seconds since the start or the last lap; starts a new lap.
    public mutating func lap() -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        defer { start = now }
        return Double(now - start) / 1e9
    }
}
