import FoundationEssentials
import Support

/// The finished runs of a resumable sweep, one JSON file per run in a folder — the rule `batch` follows for its
/// run folders, for sweeps whose runs are in-process: a run's file appears (atomically) only once the run has
/// finished, so a killed sweep leaves whole records or none, and a rerun with the same arguments skips every run
/// whose stored record was made with the same settings.
public struct FinishedRuns<Record: Codable & Sendable>: Sendable {
    /// The folder holding the records (`<sweep>/runs`).
    public let folder: String

    /// Opens (creating it if needed) the record folder, removing temporary files of writers that were killed.
    /// `shared`: for one shard of a sweep, whose other shards (perhaps on other machines, whose processes cannot
    /// be told alive or dead from here) write into the same folder: the lock is shared and no temporary file
    /// is removed.
    public init(folder: String, shared: Bool = false) throws {
        self.folder = folder
        try prepareOutputFolder(folder, shared: shared)
        if !shared { removeStaleTemporaries(in: folder) }
    }

    /// The folder of the sweep whose runs these are (the record folder's parent), as given.
    public var sweepFolder: String { folder.deletingLastPathComponent }

    /// The path of run `name`'s record.
    public func path(of name: String) -> String { folder + "/" + name + ".json" }

    /// The stored record of run `name`, or nil when it is absent or unreadable (an unreadable record is redone).
    public func record(named name: String) -> Record? {
        guard let data = FileManager.default.contents(atPath: path(of: name)) else { return nil }
        return try? JSONDecoder().decode(Record.self, from: data)
    }

    /// Stores run `name`'s record, whole or not at all.
    public func save(_ record: Record, named name: String) throws {
        try writeAtomically(Data(try ReportEncoder.text(of: record).utf8), to: path(of: name))
    }
}
