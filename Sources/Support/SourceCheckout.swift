import Foundation

/// The git commit a program was built from, as far as it can honestly be known.
///
/// SwiftPM gives a build no way to record its commit without a plugin or a generated source file, so the commit
/// is read when the program runs: from the git checkout that holds the executable (`<checkout>/.build/…`), by
/// `git rev-parse HEAD`. It is believed only when the executable is newer than that commit (an executable older
/// than HEAD was built from an earlier commit); with uncommitted changes to tracked files it reads
/// `<commit>-dirty`, as `git describe --dirty` does. An executable copied out of its checkout, a checkout
/// without git, or an executable older than HEAD: nil — `program.commit` is null rather than a guess.
public enum SourceCheckout {
    /// The commit of the running executable (computed once).
    public static let commitOfThisProgram: String? = {
        guard let path = Bundle.main.executablePath ?? CommandLine.arguments.first else { return nil }
        return commit(ofExecutable: URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
    }()

    /// The commit `executable` was built from, by the rule above.
    public static func commit(ofExecutable executable: String) -> String? {
        // The checkout is the folder that holds the `.build` folder the executable sits in.
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        var checkout: URL?
        while folder.path != "/" {
            if folder.lastPathComponent.hasPrefix(".build") {
                checkout = folder.deletingLastPathComponent()
                break
            }
            folder = folder.deletingLastPathComponent()
        }
        guard let checkout,
              let head = git(["rev-parse", "HEAD"], in: checkout.path), head.count == 40,
              let commitTime = git(["log", "-1", "--format=%ct", "HEAD"], in: checkout.path).flatMap(Double.init),
              let built = (try? FileManager.default.attributesOfItem(atPath: executable))?[.modificationDate] as? Date,
              built.timeIntervalSince1970 >= commitTime
        else { return nil }
        let changes = git(["status", "--porcelain", "--untracked-files=no"], in: checkout.path)
        return changes.map { $0.isEmpty ? head : head + "-dirty" }
    }

    /// `git <arguments>`'s output, trimmed, in `folder`; nil when git is missing or fails.
    static func git(_ arguments: [String], in folder: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", folder] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
