import FoundationEssentials

/// `bytes` for a message about memory: "1.23 GiB" from a gibibyte up, "512 MiB" below.
public func memorySizeText(_ bytes: Double) -> String {
    bytes >= Double(1 << 30) ? String(cFormat: "%.3g GiB", bytes / Double(1 << 30))
        : String(cFormat: "%.0f MiB", bytes / Double(1 << 20))
}
