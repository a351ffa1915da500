import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

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
        guard let path = executablePath ?? CommandLine.arguments.first else { return nil }
        return commit(ofExecutable: URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
    }()

    /// The running executable's path, from /proc/self/exe (Linux); nil elsewhere.
    static var executablePath: String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The time `path` was last modified, in seconds since 1970; nil when it cannot be read.
    static func modificationTime(of path: String) -> Double? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
    }

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
              let built = modificationTime(of: executable), built >= commitTime
        else { return nil }
        let changes = git(["status", "--porcelain", "--untracked-files=no"], in: checkout.path)
        return changes.map { $0.isEmpty ? head : head + "-dirty" }
    }

    /// `git <arguments>`'s output, trimmed, in `folder`; nil when git is missing or fails.
    static func git(_ arguments: [String], in folder: String) -> String? {
        guard let (status, output) = runProgram("git", ["-C", folder] + arguments), status == 0 else { return nil }
        return String(decoding: output, as: UTF8.self).trimmingWhitespaceAndNewlines()
    }
}
