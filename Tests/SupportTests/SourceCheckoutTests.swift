import Foundation
import Testing
@testable import Support

/// `program.commit`: the checkout's commit when the executable is newer than it, `-dirty` with changes, else nil.
@Suite struct SourceCheckoutTests {
    /// A git checkout with one commit and an executable under `.build/debug`; nil when git is not installed.
    func checkout() throws -> (root: String, executable: String, head: String)? {
        let root = temporaryFolder("source-checkout")
        try FileManager.default.createDirectory(atPath: root + "/.build/debug", withIntermediateDirectories: true)
        try "tracked\n".write(toFile: root + "/README.md", atomically: true, encoding: .utf8)
        for arguments in [["init", "-q"], ["add", "README.md"],
                          ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one"]] {
            guard SourceCheckout.git(arguments, in: root) != nil else { return nil }
        }
        let head = try #require(SourceCheckout.git(["rev-parse", "HEAD"], in: root))
        let executable = root + "/.build/debug/regionplot"
        try "binary".write(toFile: executable, atomically: true, encoding: .utf8)
        return (root, executable, head)
    }

    @Test func commitOfAnExecutableBuiltInItsCheckout() throws {
        guard let (root, executable, head) = try checkout() else { return }
        #expect(head.count == 40)
        #expect(SourceCheckout.commit(ofExecutable: executable) == head)
        // A change to a tracked file: the build may hold it.
        try "changed\n".write(toFile: root + "/README.md", atomically: true, encoding: .utf8)
        #expect(SourceCheckout.commit(ofExecutable: executable) == head + "-dirty")
        // An executable older than the commit was built from an earlier one: unknown, not a guess.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000)],
                                              ofItemAtPath: executable)
        #expect(SourceCheckout.commit(ofExecutable: executable) == nil)
    }

    @Test func anExecutableOutsideACheckoutHasNoCommit() throws {
        guard let (root, _, _) = try checkout() else { return }
        let copied = root + "/regionplot"
        try "binary".write(toFile: copied, atomically: true, encoding: .utf8)
        #expect(SourceCheckout.commit(ofExecutable: copied) == nil, "not under .build")
        let elsewhere = temporaryFolder("no-checkout") + "/.build/release/regionplot"
        try FileManager.default.createDirectory(atPath: (elsewhere as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try "binary".write(toFile: elsewhere, atomically: true, encoding: .utf8)
        #expect(SourceCheckout.commit(ofExecutable: elsewhere) == nil, "no git checkout around it")
    }
}
