import ArgumentParser
import Experiments
import FoundationEssentials
import Plot
import PlotCairo
import Support

/// The one writer of what a command makes: its figures, in every asked format, built and drawn on all cores,
/// each file atomically (whole or absent); and its typed report, as report.json. Commands decide nothing about
/// files beyond the folder.
struct OutputWriter {
    /// The run's folder (prepared by `startRun(in:)`).
    let folder: String
    /// The formats every figure is written in.
    let formats: [ImageFormat]
    /// Threads for drawing.
    let context: ComputeContext
    /// Style, size, resolution and legends given to every figure once built; nil keeps each as its recipe builds it.
    let look: FigureLook?
    /// The figures to draw, by file stem (`--only-figures`); nil for all.
    let onlyFigures: [String]?
    /// The run's inputs, settings and program, added to its report.
    var provenance: Provenance?
    /// Whether an experiment's tables are left out (`--no-tables`).
    var skipsTables = false

    init(folder: String, formats: [ImageFormat] = [.png], context: ComputeContext = .allCores,
         look: FigureLook? = nil, onlyFigures: [String]? = nil) {
        self.folder = folder
        self.formats = formats
        self.context = context
        self.look = look
        self.onlyFigures = onlyFigures
    }

    init(folder: String, options: FigureOptions, context: ComputeContext = .allCores,
         provenance: Provenance? = nil) throws {
        self.init(folder: folder, formats: try options.formats(), context: context,
                  look: try options.figureLook(), onlyFigures: options.onlyFigures?.items)
        self.provenance = provenance
        self.skipsTables = options.noTables
    }

    /// Writes `table` as `<folder>/<name>` (CSV), whole or absent, and returns its path.
    @discardableResult
    func writeTable(_ table: CSVTable, as name: String) throws -> String {
        try writeFile(Data(table.text.utf8), as: name)
    }

    /// Writes `document` as JSON (the report's encoding) to `<folder>/<name>`, whole or absent; returns its path.
    @discardableResult
    func writeDocument<Document: Encodable>(_ document: Document, as name: String) throws -> String {
        try writeFile(Data(try ReportEncoder.text(of: document).utf8), as: name)
    }

    /// Writes a big table's `text` to `<folder>/<name>`, whole or absent, formatting it on all cores a few pieces
    /// at a time as it goes to the file; returns its path.
    @discardableResult
    func writeText(_ text: ChunkedText, as name: String) throws -> String {
        let path = folder + "/" + name
        try writeAtomically(text, to: path, context: context)
        return path
    }

    /// Writes `data` to `<folder>/<name>`, whole or absent, and returns its path.
    @discardableResult
    func writeFile(_ data: Data, as name: String) throws -> String {
        let path = folder + "/" + name
        try writeAtomically(data, to: path)
        return path
    }

    /// What writing the figures produced: the files in order (figure by figure, formats in the asked order), and
    /// the seconds each figure took to build and draw in all formats.
    struct WrittenFigures {
        var paths: [String] = []
        var seconds: [(name: String, seconds: Double)] = []
        /// The files still being flushed and put in place, when `write` was asked not to wait for them.
        var committing: FileCommitter?
    }

    /// Builds and writes every figure; figures whose recipe gives nil are skipped. The first failure is thrown
    /// once all workers have stopped. With `waitingForDisk` false, returns once the figures are drawn and written
    /// under temporary names, while they are still being flushed and put in place: `writeReport(_:after:)` waits
    /// for them.
    func write(_ recipes: [FigureRecipe], waitingForDisk: Bool = true) throws -> WrittenFigures {
        let (folder, formats, look) = (self.folder, self.formats, self.look)
        let recipes = try Self.selected(recipes, only: onlyFigures)
        // Costliest first (a stable order among equals).
        let order = recipes.indices.sorted { (-recipes[$0].cost, $0) < (-recipes[$1].cost, $1) }
        // The drawing threads write each file under a temporary name; the committer flushes it to the disk and
        // puts it in place while they draw the next (waiting on the disk is not work for a core).
        let committer = FileCommitter()
        let outcomes = parallelMap(count: recipes.count, context: context,
                                   order: order) { k -> Result<(Bool, Double), Error> in
            var clock = Stopwatch()
            guard let figure = recipes[k].make() else { return .success((false, 0)) }
            look?.apply(to: figure)
            do {
                for format in formats {
                    committer.commit(try FigureFile.stage(
                        figure, to: "\(folder)/\(recipes[k].name).\(format.rawValue)", format: format))
                }
            } catch {
                return .failure(error)
            }
            return .success((true, clock.lap()))
        }
        // A figure that failed: the others are still put in place before the error is told (never left half).
        let failed = outcomes.contains { if case .failure = $0 { true } else { false } }
        if waitingForDisk || failed { try Self.finish(committer) }
        var written = WrittenFigures(committing: waitingForDisk || failed ? nil : committer)
        for (recipe, outcome) in zip(recipes, outcomes) {
            let (drawn, seconds) = try outcome.get()
            guard drawn else { continue }
            written.paths += formats.map { "\(folder)/\(recipe.name).\($0.rawValue)" }
            written.seconds.append((recipe.name, seconds))
        }
        return written
    }

    /// The recipes `only` (`--only-figures`) names, all of them when nil. A name that matches none is a typo, not a
    /// request for no figures: refused. Commands that write tables before figures check their recipes with
    /// ``FigureOptions/checkFigureNames(_:)`` first, so that the refusal leaves no file behind.
    static func selected(_ recipes: [FigureRecipe], only: [String]?) throws -> [FigureRecipe] {
        guard let only else { return recipes }
        let known = recipes.map(\.name)
        if let unknown = only.first(where: { !known.contains($0) }) {
            throw ValidationError("--only-figures: no figure named '\(unknown)' here (this command draws "
                + "\(known.joined(separator: ", ")))")
        }
        return recipes.filter { only.contains($0.name) }
    }

    /// Waits for the figures' files to be in place.
    private static func finish(_ committer: FileCommitter) throws {
        do { try committer.finish() } catch let error as OutputError {
            throw FigureWriteError(path: error.path, problem: error.problem)
        }
    }

    /// Writes `report` as `<folder>/report.json` and returns its path. When `figures` are still being put in
    /// place, the report is flushed meanwhile and put in place after them: a report in place means every figure it
    /// lists is too, whole and on the disk.
    func writeReport<Report: Encodable>(_ report: Report, after figures: WrittenFigures? = nil) throws -> String {
        let path = folder + "/report.json"
        let staged: StagedFile
        do {
            var value = try ReportEncoder.value(of: report)
            if let provenance { value = try provenance.adding(to: value) }
            staged = try stageFile(Data((value.serialized() + "\n").utf8), for: path)
            try staged.flush()
        } catch {
            // The figures are still put in place before the error is told.
            if let committer = figures?.committing { try? committer.finish() }
            throw error
        }
        if let committer = figures?.committing {
            do { try Self.finish(committer) } catch {
                staged.discard()
                throw error
            }
        }
        try staged.putInPlace()
        return path
    }
}

extension OutputWriter {
    /// Writes an experiment's tables (CSV and JSON documents); returns their paths. The big ones made as text a
    /// piece at a time are staged and handed to `committer` to be flushed and put in place while the next is made
    /// (the caller finishes it before the report); without one, each is committed before the next. With
    /// `--no-tables`, none (a table's text is made only as it is written, so nothing is computed for them).
    @discardableResult
    func write(_ tables: [ExperimentTable], committingWith committer: FileCommitter? = nil) throws -> [String] {
        if skipsTables { return [] }
        do {
            return try tables.map { table in
                switch table.content {
                case .csv(let csv): return try writeTable(csv, as: table.name)
                case .json(let document): return try writeDocument(document, as: table.name)
                case .file(let data): return try writeFile(data, as: table.name)
                case .text(let text):
                    guard let committer else { return try writeText(text, as: table.name) }
                    let path = folder + "/" + table.name
                    committer.commit(try stageFile(text, for: path, context: context))
                    return path
                }
            }
        } catch {
            // Tables already handed over are still put in place before the error is told (never left half).
            try? committer?.finish()
            throw error
        }
    }
}
