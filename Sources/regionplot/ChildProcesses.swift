import CProcessControl
import Dispatch
import FoundationEssentials
import Support
import Glibc

/// The child processes of a batch, which must never outlive it.
///
/// Three ways a batch ends early, and what each does to its children:
/// - Ctrl-C or a signal to the batch's process group: the children are in the batch's own group (posix_spawn
///   without a new group, unlike Foundation's `Process`), so they get the signal too.
/// - SIGINT, SIGTERM or SIGHUP to the batch alone: `interruptions` forwards SIGTERM to every running child, and
///   the batch stops starting runs.
/// - SIGKILL to the batch: no handler runs, so each child asks the kernel for a parent-death signal when it starts
///   (`dieWithParentIfAsked`, keyed by `parentVariable`).
final class ChildProcesses: @unchecked Sendable {
    /// Set in a child's environment to the batch's pid: the child then dies when that process does.
    static let parentVariable = "REGIONPLOT_PARENT_PID"

    private let lock = Lock()
    private var running: Set<pid_t> = []
    private var sources: [DispatchSourceSignal] = []
    /// The signal that interrupted the batch, if one did.
    private(set) var interruption: Int32?

    /// Whether the batch was interrupted; no new run may start then.
    var isInterrupted: Bool { lock.withLock { interruption != nil } }

    /// Catches SIGINT, SIGTERM and SIGHUP: each is forwarded to the running children as SIGTERM.
    func catchInterruptions() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in self?.interrupt(by: signalNumber) }
            source.resume()
            sources.append(source)
        }
    }

    /// Interrupts the batch: records the signal and forwards SIGTERM to the running children.
    func interrupt(by signalNumber: Int32) {
        let children = lock.withLock { () -> Set<pid_t> in
            if interruption == nil { interruption = signalNumber }
            return running
        }
        for child in children { kill(child, SIGTERM) }
    }

    /// What a finished child did.
    struct Outcome {
        /// Exit status, or nil when a signal ended it.
        var status: Int32?
        /// The signal that ended it, if one did.
        var signal: Int32?
        /// What it wrote on stderr.
        var errorOutput: String
    }

    /// Runs `executable` with `arguments`, stdout discarded and stderr captured, and waits for it.
    func run(_ executable: String, _ arguments: [String]) throws -> Outcome {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw POSIXFailure("pipe", errno) }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        defer { close(readEnd) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        posix_spawn_file_actions_addclose(&actions, readEnd)
        posix_spawn_file_actions_addclose(&actions, writeEnd)

        // The batch ignores the interrupting signals (a dispatch source handles them); ignored dispositions are
        // inherited across exec, so the child gets the defaults back, and an empty signal mask.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), mask = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, s) }
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var environment = ProcessInfo.processInfo.environment
        environment[Self.parentVariable] = String(getpid())
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        // Spawn and register under the lock, so an interruption cannot slip between the two.
        var child: pid_t = 0
        let spawned: Int32 = lock.withLock {
            guard interruption == nil else { return ECANCELED }
            let result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
            if result == 0 { running.insert(child) }
            return result
        }
        close(writeEnd)
        guard spawned == 0 else {
            if spawned == ECANCELED { return Outcome(status: nil, signal: interruption, errorOutput: "") }
            throw POSIXFailure("could not start \(executable)", spawned)
        }

        // Keep the last 64 KiB: a crash dump can be long, and the cause is near its start or its end.
        let output = readToEnd(readEnd, keepingLast: 1 << 16)
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        lock.withLock { _ = running.remove(child) }
        let text = String(decoding: output, as: UTF8.self)
        // WIFEXITED / WTERMSIG are macros; the status word is (code << 8) on exit, the signal number on a kill.
        if status & 0x7F == 0 { return Outcome(status: (status >> 8) & 0xFF, signal: nil, errorOutput: text) }
        return Outcome(status: nil, signal: status & 0x7F, errorOutput: text)
    }

    /// Whether a child's end means the batch is being interrupted: a Ctrl-C reaches the children and the batch
    /// at the same moment, and the child may be reaped before the batch's own handler has run.
    func endedByInterruption(_ outcome: Outcome) -> Bool {
        if let signal = outcome.signal, [SIGINT, SIGTERM, SIGHUP].contains(signal) {
            interrupt(by: signal)
            return true
        }
        return isInterrupted
    }

    /// In a batch's child: asks to be killed when the batch dies, and exits at once if it already has.
    static func dieWithParentIfAsked() {
        guard let text = ProcessInfo.processInfo.environment[parentVariable], let parent = pid_t(text) else { return }
        _ = regionplot_set_parent_death_signal(SIGKILL)
        // The parent may have died between our fork and the prctl: then we were re-parented already.
        if getppid() != parent { exit(1) }
    }
}

extension ChildProcesses.Outcome {
    /// The one line that says why a run failed, or nil when it succeeded: the child's own error line when it
    /// wrote one, else the signal or exit code with the first line of what it printed (a crash's cause, not a
    /// backtrace frame).
    var failure: String? {
        if status == 0 { return nil }
        let lines = errorOutput.split(whereSeparator: \.isNewline).map(String.init)
        if let line = lines.last(where: { $0.hasPrefix("regionplot: error: ") }) {
            return String(line.dropFirst("regionplot: error: ".count))
        }
        let cause = lines.first(where: { $0.contains("Fatal error") || $0.contains("error") }) ?? lines.first
        let how = signal.map { "killed by signal \($0) (\(String(cString: strsignal($0))))" } ?? "exit code \(status ?? -1)"
        return cause.map { "\(how): \($0)" } ?? how
    }
}

/// A failed system call, with its error number's text.
struct POSIXFailure: Error, CustomStringConvertible {
    var description: String
    init(_ what: String, _ code: Int32) { description = "\(what): \(String(cString: strerror(code)))" }
}
