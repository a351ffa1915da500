// The shared test helpers (temporary folders removed at exit, …), visible to every file of this target.
@_exported import TestSupport
// The library's report types, to decode what the commands wrote.
@_exported import Experiments
import Foundation

/// The report a command wrote (report.json, or the file of `--json`), decoded as the library's own type: a key
/// renamed, dropped or of another type fails here, and the test reads typed fields.
func decodeReport<Report: Decodable>(_ type: Report.Type, at path: String) throws -> Report {
    try JSONDecoder().decode(Report.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
}
