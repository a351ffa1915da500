import FoundationEssentials

/// Where a run's results come from, added to every report: the files read (`inputs`), every setting
/// (`settings`, defaults included) and the program (`program`). Keys are a public contract: add only.
public struct Provenance: Sendable {
    /// One file a run read.
    public struct InputFile: Codable, Sendable, Equatable {
        /// What the file is to the run (`model`, `data`, `labels`, …): the option that named it.
        public var role: String
        /// The path as given on the command line.
        public var path: String
        public var bytes: Int
        /// SHA-256 of the file's bytes, lowercase hexadecimal (`sha256sum` prints the same).
        public var sha256: String
        /// For array files (.npy, .npz members): the array's shape and NumPy dtype; nil otherwise.
        public var shape: [Int]?
        public var dtype: String?
        /// For models: a final Softmax or LogSoftmax left out, so that the analysis is of the logits; nil otherwise.
        public var omittedOutputActivation: String?

        public init(role: String, path: String, bytes: Int, sha256: String, shape: [Int]? = nil,
                    dtype: String? = nil) {
            self.role = role
            self.path = path
            self.bytes = bytes
            self.sha256 = sha256
            self.shape = shape
            self.dtype = dtype
        }

        /// Reads the size and digest of `path` (its shape and dtype are the caller's to add).
        public init(role: String, path: String) throws {
            let filePath = Self.filePart(of: path)
            let attributes = try? FileManager.default.attributesOfItem(atPath: filePath)
            // FoundationEssentials gives the size as a UInt, Foundation as an NSNumber that casts to Int.
            guard let size = (attributes?[.size] as? UInt).map({ Int($0) }) ?? attributes?[.size] as? Int else {
                throw OutputError(path: filePath, problem: "cannot be read for its provenance")
            }
            self.init(role: role, path: path, bytes: size, sha256: try SHA256.hex(ofFile: filePath))
        }

        /// `data.npz:x` → `data.npz`; a path without a member is itself.
        public static func filePart(of path: String) -> String {
            guard let colon = path.lastRange(of: ".npz:") else { return path }
            return String(path[..<path.index(colon.lowerBound, offsetBy: 4)])
        }
    }

    /// The program that wrote the report.
    public struct Program: Codable, Sendable, Equatable {
        public var name = "regionplot"
        public var version = Program.version
        /// The git commit it was built from, read from the checkout that holds the executable
        /// (``SourceCheckout``); null when that cannot be known honestly (an executable copied elsewhere).
        public var commit: String? = SourceCheckout.commitOfThisProgram
        /// `debug` or `release`.
        public var buildMode = Program.buildMode

        public init() {}

        /// This program's version.
        public static let version = "0.10.0"
        #if DEBUG
        public static let buildMode = "debug"
        #else
        public static let buildMode = "release"
        #endif
    }

    public var inputs: [InputFile]
    /// Every option and flag of the command, by its long name, with the value the run used.
    public var settings: [(String, JSONValue)]
    public var program = Program()

    public init(inputs: [InputFile], settings: [(String, JSONValue)]) {
        self.inputs = inputs
        self.settings = settings
    }

    /// `report` (a JSON object) with `inputs`, `settings` and `program` added after its own keys. A report that has
    /// a `settings` object of its own keeps it: the flags it lacks are added to it.
    public func adding(to report: JSONValue) throws -> JSONValue {
        guard case .object(var pairs) = report else { return report }
        let inputsValue = try ReportEncoder.value(of: inputs)
        let programValue = try ReportEncoder.value(of: program)
        if let index = pairs.firstIndex(where: { $0.0 == "settings" }), case .object(var own) = pairs[index].1 {
            for (key, value) in settings where !own.contains(where: { $0.0 == key }) { own.append((key, value)) }
            pairs[index].1 = .object(own)
        } else if !pairs.contains(where: { $0.0 == "settings" }) {
            pairs.append(("settings", .object(settings)))
        }
        for (key, value) in [("inputs", inputsValue), ("program", programValue)]
        where !pairs.contains(where: { $0.0 == key }) {
            pairs.append((key, value))
        }
        return .object(pairs)
    }
}
