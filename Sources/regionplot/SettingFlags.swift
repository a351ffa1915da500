import ArgumentParser
import Support

/// How the command line names the library's settings: each ``Setting`` by its flag, so that a library message
/// ("a smaller size shrinks the square") reads as the user typed it ("a smaller --size shrinks the square").
enum SettingFlags {
    /// Setting key → flag. A key missing here is said in the library's words (a test holds every setting the
    /// library declares to a flag).
    static let flags: [String: String] = [
        "width": "--width", "learningRate": "--lr", "epochs": "--epochs", "maxAttempts": "--max-attempts",
        "activation": "--activation", "grid": "--grid", "localComplexityRadius": "--lc-radius",
        "noExact": "--no-exact", "snapshotEvery": "--snapshot-every", "throughRows": "--through", "size": "--size",
        "maxRegions": "--max-regions", "threads": "--threads", "data": "--data", "widths": "--widths",
        "seeds": "--seeds", "shard": "--shard", "summarize": "--summarize", "trainSizes": "--train-sizes", "exactRuns": "--exact-runs",
        "testData": "--test-data", "testLabels": "--test-labels", "clusters": "--clusters",
        "maxIterations": "--max-iterations", "hidden": "--hidden",
        "hiddenLayers": "the number of --hidden layers", "batchSize": "--batch-size",
        "grokkingDelay": "--grokking-delay", "scalingHidden": "--scaling-hidden",
        "iterations": "--iterations", "inputWidth": "--d-in", "batch": "--batch", "batchSizes": "--batches",
        "circuits": "--only", "batches": "--batches", "nets": "--net", "domain": "--domain",
    ]
}

extension Setting {
    /// The flag that sets it (or the library's words for a setting with no flag).
    var flag: String { SettingFlags.flags[key] ?? words }
}

extension SettingMessage {
    /// The message with every setting said by its flag.
    var commandLineText: String { text(naming: \.flag) }
}

/// `error`'s one-line message as the command line says it: settings named by their flags.
func commandLineMessage(_ error: any Error) -> String {
    if let error = error as? any SettingMessageError { return error.settingMessage.commandLineText }
    return "\(error)"
}

/// A library error whose settings are checked before the run (an ``ExperimentSettings/validate()``) as the usage
/// error it is: the command line's one rule for bad flag values (exit 64, as the argument parser's own).
func usageError(_ error: any Error) -> ValidationError { ValidationError(commandLineMessage(error)) }
