import Support

/// Work for the slice walk's threads when the first nonlinear layer makes too few pieces to share (a small window
/// of a big CNN: a few pieces, each with most of the work below it).
extension SliceWalker {
    /// A piece at nonlinear step `step`, with the values before it and the states so far: what a worker needs to
    /// walk it alone. Siblings share their parent's arrays until a worker writes (copy on write), so a branch
    /// costs its polygon until it is walked.
    struct Branch {
        var piece: [Point2]
        var step: Int
        var values: [[Double]]
        var states: [UInt8]
    }

    /// A branch still to walk, or a cell finished while branching.
    enum Work {
        case branch(Branch)
        case cell(SliceCell)
    }

    /// The branches (and cells) under `pieces`, split one nonlinear step at a time, every branch of a round
    /// together, until there are at least `target` or `rounds` rounds have run — in the walk's order, so that the
    /// cells come out as a single thread's walk makes them.
    func branches(_ pieces: [[Point2]], step k: Int, values: [[Double]], states: [UInt8], target: Int,
                  rounds: Int) -> [Work] {
        var work = pieces.map { Work.branch(Branch(piece: $0, step: k, values: values, states: states)) }
        // One set of bases for the whole branching (serial, in a fixed order): a branch's dense and sparse steps
        // are updated from its level's base, as in the walk.
        var bases = SliceBases(values: values.count)
        for _ in 0..<rounds {
            guard work.count < target, work.contains(where: { if case .branch = $0 { true } else { false } }) else {
                break
            }
            var next: [Work] = []
            for item in work {
                guard case .branch(let branch) = item else { next.append(item); continue }
                next.append(contentsOf: children(of: branch, bases: &bases))
            }
            work = next
            if let budget, budget.wouldExceed(work.count) { break }
        }
        // The cells made here count against the budget; the branches' cells are counted as they are walked.
        if let budget { _ = budget.add(work.reduce(0) { if case .cell = $1 { $0 + 1 } else { $0 } }) }
        return work
    }

    /// A branch's pieces at the next nonlinear step after its own, or its cell when none follows.
    func children(of branch: Branch, bases: inout SliceBases) -> [Work] {
        var values = branch.values, states = branch.states
        let c = polygonCentroid(branch.piece)
        program.decide(branch.step, at: c.x, c.y, values: values, states: &states)
        program.applyNonlinear(branch.step, values: &values, states: states)
        let k = applyAffineSteps(after: branch.step, values: &values, bases: &bases)
        guard k < program.steps.count else { return [.cell(leaf(branch.piece, values: values, states: states))] }
        return split(branch.piece, step: k, values: values).map {
            .branch(Branch(piece: $0, step: k, values: values, states: states))
        }
    }

    /// Walks `work` on the threads of `context`: each branch alone, from its own copy of the values.
    func walk(_ work: [Work], context: ComputeContext) -> [SliceCell] {
        parallelMap(count: work.count, context: context) { index in
            switch work[index] {
            case .cell(let cell): return [cell]
            case .branch(let branch):
                var values = branch.values, states = branch.states, cells: [SliceCell] = []
                walk(entering: [(branch.piece, branch.step)], values: &values, states: &states, into: &cells)
                return cells
            }
        }.flatMap { $0 }
    }
}
