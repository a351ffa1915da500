import Foundation
import Testing
@testable import Plot

/// Each rule of `LayoutAudit` finds what it is for, and only that, on scenes built by hand (text measured by the
/// recording renderer: 0.6 × size per character).
@Suite struct LayoutAuditRules {
    func audit(_ scene: SceneRecorder) -> [LayoutViolation.Rule] {
        LayoutAudit.audit(scene, width: 400, height: 300, pointsToPixels: 1).map(\.rule)
    }

    func text(_ scene: SceneRecorder, _ s: String, at p: Point) {
        scene.drawText([TextRun(s)], size: 10, color: .black, anchor: p, horizontal: .left, vertical: .baseline)
    }

    @Test func textOutsideTheCanvasIsFound() {
        let scene = SceneRecorder(measuringWith: RecordingRenderer())
        text(scene, "inside", at: Point(10, 20))
        #expect(audit(scene).isEmpty)
        text(scene, "cut off at the right", at: Point(350, 100))
        #expect(audit(scene) == [.textOutsideCanvas])
    }

    @Test func textOverTextIsFound() {
        let scene = SceneRecorder(measuringWith: RecordingRenderer())
        text(scene, "0.900", at: Point(10, 50))
        // 30 px wide: the next label 31 px on clears it, one 25 px on does not.
        text(scene, "0.925", at: Point(41, 50))
        #expect(audit(scene).isEmpty)
        text(scene, "0.950", at: Point(66, 50))
        #expect(audit(scene) == [.textOverText])
    }

    @Test func legendOverPointsLinesOrFillsIsFound() {
        func legend(over draw: (SceneRecorder) -> Void) -> [LayoutViolation.Rule] {
            let scene = SceneRecorder(measuringWith: RecordingRenderer())
            scene.beginGroup(.data)
            draw(scene)
            scene.endGroup()
            scene.beginGroup(.legend)
            scene.draw(Path.rectangle(Rect(x: 100, y: 100, width: 50, height: 30)), style: PathStyle(fill: .white))
            scene.endGroup()
            return audit(scene)
        }
        #expect(legend { _ in }.isEmpty)
        #expect(legend { $0.draw(MarkerBatch(centers: [Point(120, 110)], diameter: 6, colors: [.red])) }
                == [.legendOverData])
        #expect(legend { $0.draw(MarkerBatch(centers: [Point(20, 110)], diameter: 6, colors: [.red])) }.isEmpty)
        // A line crossing the legend with no vertex inside it is still sampled inside.
        #expect(legend { $0.draw(Path([Point(0, 115), Point(400, 115)]), style: PathStyle(stroke: .blue)) }
                == [.legendOverData])
        // A fill covering a tenth of the legend, but not a fill beside it.
        #expect(legend { $0.fillPolygons([[Point(100, 100), Point(105, 100), Point(105, 130), Point(100, 130)]],
                                         colors: [.green], disjoint: true) } == [.legendOverData])
        #expect(legend { $0.fillPolygons([[Point(0, 0), Point(99, 0), Point(99, 300), Point(0, 300)]],
                                         colors: [.green], disjoint: true) }.isEmpty)
        // Data clipped away by the axes is not there to hide.
        #expect(legend {
            $0.pushClip(Rect(x: 0, y: 0, width: 90, height: 300))
            $0.draw(MarkerBatch(centers: [Point(120, 110)], diameter: 6, colors: [.red]))
            $0.popClip()
        }.isEmpty)
    }

    @Test func squashedOrStretchedAxesAreFound() {
        let scene = SceneRecorder(measuringWith: RecordingRenderer())
        scene.noteAxes(SceneAxes(box: Rect(x: 0, y: 0, width: 200, height: 100), pixelsPerUnit: (100, 50),
                                 equalAspect: false, title: "free"))
        #expect(audit(scene).isEmpty)
        scene.noteAxes(SceneAxes(box: Rect(x: 0, y: 0, width: 200, height: 100), pixelsPerUnit: (100, 50),
                                 equalAspect: true, title: "plane"))
        #expect(audit(scene) == [.aspectNotKept])
        let strip = SceneRecorder(measuringWith: RecordingRenderer())
        strip.noteAxes(SceneAxes(box: Rect(x: 0, y: 0, width: 200, height: 30), pixelsPerUnit: nil,
                                 equalAspect: false, title: "strip"))
        #expect(audit(strip) == [.axesTooSmall])
    }

    /// The figure code tells the recorder what it draws: the legend's box, the points, the axes with their equal
    /// aspect kept in a wide figure; and a legend asked for at the upper left, where it would hide a point, is
    /// placed elsewhere, so the audit finds nothing.
    @Test func figuresReportTheirScene() {
        let figure = Figure(width: 6, height: 3)
        let axes = figure.addAxes()
        axes.scatter([0, 0.1, 1], [1, 0.9, 0], color: .red, label: "points")
        axes.legendLocation = .upperLeft
        axes.equalAspect = true
        let scene = SceneRecorder(measuringWith: RecordingRenderer())
        figure.draw(on: scene)
        #expect(scene.legends.count == 1 && scene.points.count == 3)
        #expect(scene.texts.contains { $0.text == "points" && $0.role == .legend })
        let noted = scene.axes.first
        #expect(noted?.equalAspect == true)
        if let scale = noted?.pixelsPerUnit { #expect(isApproximatelyEqual(scale.x / scale.y, 1, absolute: 1e-9)) }
        #expect(LayoutAudit.audit(figure, measuringWith: RecordingRenderer()).isEmpty)
    }
}
