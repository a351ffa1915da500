/// Value `i` of `np.linspace(start, stop, count)`, computed as NumPy does: start + i·step with
/// step = (stop − start)/(count − 1), and the last value pinned to `stop` — so grids here hit the same floating-point
/// values as the notebooks' (the probes' patterns at a boundary depend on it).
public func linspaceValue(_ i: Int, from start: Double, to stop: Double, count: Int) -> Double {
    precondition(count >= 2 && i >= 0 && i < count, "linspace index \(i) of \(count)")
    return i == count - 1 ? stop : start + Double(i) * ((stop - start) / Double(count - 1))
}

/// `np.linspace(start, stop, count)` (count ≥ 2).
public func linspace(_ start: Double, _ stop: Double, _ count: Int) -> [Double] {
    (0..<count).map { linspaceValue($0, from: start, to: stop, count: count) }
}
