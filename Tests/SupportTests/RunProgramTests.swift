import Glibc
import Testing
@testable import Support

/// `runProgram` and `readToEnd`, against what the shell is told to write.
@Suite struct RunProgramTests {
    /// A child writing more than a pipe holds (64 KiB on Linux) is read to its end, and its exit status kept.
    @Test func readsALongOutputAndTheStatus() throws {
        let result = try #require(runProgram("sh", ["-c", "head -c 200000 /dev/zero | tr '\\0' 'x'; exit 3"]))
        #expect(result.status == 3)
        #expect(result.output.count == 200_000)
        #expect(result.output.allSatisfy { $0 == UInt8(ascii: "x") })
    }

    @Test func aMissingProgramIsNil() {
        #expect(runProgram("regionplot-no-such-program", []) == nil)
    }

    /// Keeping the last bytes of a stream longer than twice the limit: exactly the stream's tail.
    @Test func keepsTheTail() throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 256) }
        let writeEnd = ends[1]
        startDetachedThread {
            bytes.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = write(writeEnd, raw.baseAddress! + done, raw.count - done)
                    if n <= 0 { break }
                    done += n
                }
            }
            close(writeEnd)
        }
        let tail = readToEnd(ends[0], keepingLast: 1000)
        close(ends[0])
        #expect(tail == Array(bytes.suffix(1000)))
    }
}
