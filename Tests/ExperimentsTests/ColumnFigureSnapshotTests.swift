import Plot
import Testing
@testable import Experiments

/// Every figure kind of every command at `--column single` (3.25 in, the layout a paper's column gets: stacked
/// panels, narrow layouts, legends below), in both styles (issue #26), from the figures `LayoutAuditTests` audits;
/// and at its default size each kind no other suite snapshots. Stored as `single.<style>.<kind>` and
/// `default.<style>.<kind>` (spaces as dashes).
@Suite(.serialized) struct ColumnFigureSnapshotTests {
    /// The kinds whose default size no other suite snapshots (the others: `FigureSnapshotTests`,
    /// `NotebookFigureSnapshots`, `GrokkingFigureSnapshotTests`, `CommandFigureSnapshots`, `TrainingPictureTests`).
    static let defaultSizeKinds = ["digits slice-a", "digits slice-b", "digits regions-over-training",
                                   "digits training-steps-a", "slice spiral probe-vs-exact",
                                   "slice random regions-vs-neurons", "slice random regions-vs-neurons line"]

    static func expectSnapshot(_ name: String, style: String, singleColumn: Bool) throws {
        let make = try #require(LayoutAuditTests.builders.first { $0.name == name }?.make)
        guard let figure = make() else { return }
        figure.style = try #require(Style.named(style))
        if singleColumn { figure.fit(toColumnWidth: 3.25) }
        let key = (singleColumn ? "single." : "default.") + style + "." + name.replacingOccurrences(of: " ", with: "-")
        if let failure = snapshotFigure(figure, named: key) { Issue.record(Comment(rawValue: failure)) }
    }

    @Test(arguments: LayoutAuditTests.names, ["notebook", "paper"])
    func singleColumnMatchesItsSnapshot(_ name: String, _ style: String) throws {
        try Self.expectSnapshot(name, style: style, singleColumn: true)
    }

    @Test(arguments: defaultSizeKinds, ["notebook", "paper"])
    func defaultSizeMatchesItsSnapshot(_ name: String, _ style: String) throws {
        #expect(LayoutAuditTests.names.contains(name), "\(name) is no figure kind LayoutAuditTests builds")
        try Self.expectSnapshot(name, style: style, singleColumn: false)
    }
}
