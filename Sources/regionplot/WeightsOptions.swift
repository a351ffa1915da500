import ArgumentParser
import FoundationEssentials
import Support
import Glibc
import NeuralNet

/// `--activation`, shared by every command that reads safetensors files: a safetensors file holds weights, not a
/// graph, so the activation between its Linear layers is stated here or recorded in the file, else ReLU is assumed
/// and said on stderr, once per file.
struct WeightsOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Activation between the Linear layers of a .safetensors model: relu, leaky-relu:SLOPE, relu6 or "
            + "hardtanh[:LOW,HIGH] (default: what the file records, else relu, said on stderr). ONNX files "
            + "carry their own.",
        valueName: "activation"))
    var activation: String?

    func validate() throws { _ = try statedActivation() }

    /// `--activation`, parsed; nil when not given.
    func statedActivation() throws -> MLPActivation? {
        guard let activation else { return nil }
        do { return try MLPActivation(parsing: activation) } catch {
            throw ValidationError("--activation: \(error.description)")
        }
    }

    /// How safetensors files are read: the stated activation; the ReLU assumption goes to `notes`, which the
    /// command prints when it has succeeded (a failing command prints its one error line only).
    func reading(notes: StructureNotes) throws -> WeightsReading {
        WeightsReading(activation: try statedActivation()) { notes.add($0.commandLineText) }
    }

    /// Refuses an activation other than ReLU for an analysis of ReLU MLPs (`what` names it).
    func requireReLU(for what: String) throws {
        if let stated = try statedActivation(), stated != .relu {
            throw ValidationError("--activation \(stated): \(what) analyses ReLU MLPs only; slice, predict and "
                + "compare read other activations")
        }
    }
}

/// The notes of a run about the structure assumed for its files, each kept once (from any thread), printed on
/// stderr as `regionplot: note: …` when the run has succeeded.
final class StructureNotes: @unchecked Sendable {
    private let lock = Lock()
    private var notes: [String] = []

    func add(_ note: String) {
        lock.lock()
        defer { lock.unlock() }
        if !notes.contains(note) { notes.append(note) }
    }

    /// Prints the notes, once.
    func print() {
        lock.lock()
        defer { lock.unlock() }
        for note in notes { StandardError.write(Data("regionplot: note: \(note)\n".utf8)) }
        notes = []
    }
}
