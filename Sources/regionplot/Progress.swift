import ArgumentParser
import Dispatch
import FoundationEssentials
import Support
import Glibc

/// Progress of a sweep's runs on stderr (`batch`, `grokking --phase-diagram`): a bar redrawn in place on a
/// terminal, plain lines otherwise. Runs are named by the caller (a run folder, a run record).
final class Progress: @unchecked Sendable {
    private let total: Int
    private let start = Date()
    private let lock = Lock()
    private var done = 0
    /// Runs finished so far, failed ones included.
    var finishedCount: Int { lock.withLock { done } }
    private(set) var failures: [(String, String)] = []
    private let isTerminal = isatty(2) != 0
    private var timer: DispatchSourceTimer?

    init(total: Int) {
        self.total = total
        if isTerminal && total > 0 {
            let t = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
            t.schedule(deadline: .now() + 1, repeating: 1)
            t.setEventHandler { [weak self] in self?.redraw() }
            t.resume()
            timer = t
        }
    }

    /// Marks run `name` finished; `detail` (its outcome) is added to its line when stderr is not a terminal.
    func finished(_ name: String, error: String?, seconds: Double, detail: String? = nil) {
        lock.lock()
        done += 1
        if let error { failures.append((name, error)) }
        let count = done
        lock.unlock()
        if isTerminal {
            if let error { write("\r\u{1B}[2K\(name) failed: \(error)\n") }
            redraw()
        } else {
            let status = error.map { "failed: \($0)" } ?? (detail.map { "done: \($0)" } ?? "done")
            write("[\(count)/\(total)] \(name) \(status) (\(String(cFormat: "%.1f", seconds)) s)\n")
        }
    }

    func close() {
        timer?.cancel()
        if isTerminal && total > 0 { redraw(); write("\n") }
    }

    private func redraw() {
        lock.lock()
        let count = done, failed = failures.count
        lock.unlock()
        let elapsed = Date().timeIntervalSince(start)
        let width = 30
        let filled = total == 0 ? width : width * count / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let remaining = count == 0 ? "?" : clock(elapsed / Double(count) * Double(total - count))
        let failedText = failed > 0 ? ", \(failed) failed" : ""
        write("\r\u{1B}[2K[\(bar)] \(count)/\(total)\(failedText)  elapsed \(clock(elapsed))  remaining ~\(remaining)")
    }

    private func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(cFormat: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(cFormat: "%d:%02d", s / 60, s % 60)
    }

    private func write(_ text: String) { StandardError.write(Data(text.utf8)) }
}

/// `--progress`: stage lines on stderr for work that can take more than a second.
struct ProgressOptions: ParsableArguments {
    @Flag(help: ArgumentHelp("Tell each long stage (maps, regressions, k-means, training, exact regions) on stderr "
        + "as it starts (default: only when stderr is a terminal)."))
    var progress = false

    /// The stage reporter: on when asked or when stderr is a terminal.
    var reporter: StageProgress { StageProgress(enabled: progress || isatty(2) != 0) }
}

/// One line on stderr per stage as it starts (`regionplot: k-means, k = 100…`), with the seconds since the run
/// began; silent when disabled, so that a script's stderr holds only errors.
final class StageProgress: @unchecked Sendable {
    let enabled: Bool
    private let start = Date()
    private let lock = Lock()

    init(enabled: Bool) { self.enabled = enabled }

    /// Tells `stage`.
    func callAsFunction(_ stage: String) {
        guard enabled else { return }
        let seconds = Date().timeIntervalSince(start)
        lock.withLock {
            StandardError.write("regionplot: [\(String(cFormat: "%6.1f", seconds)) s] \(stage)…\n")
        }
    }
}
