import CZlib
import FoundationEssentials

/// The arrays of a NumPy `.npz` archive (`np.savez`, stored; `np.savez_compressed`, deflated): a zip file whose
/// members are `.npy` files named `<array name>.npy`.
///
/// The zip container is read from its central directory (with zip64 sizes and offsets, which `np.savez` always
/// writes), each member's local header skipped, stored members taken as they are and deflated ones inflated with
/// the system's zlib. Any input gives an array or a ``NumpyError``, never a trap; a member may inflate to at most
/// ``ReadOnlyFile/largestWholeFile`` bytes and to its declared size.
public enum NumpyArchive {
    /// The names of the arrays in the archive `bytes`, in the archive's order.
    public static func names(in bytes: Data, name: String) throws -> [String] {
        try members(of: bytes, name: name).map { String($0.name.dropLast(4)) }
    }

    /// The array called `array` in the archive `bytes` (`name` labels the messages).
    public static func array(_ array: String, in bytes: Data, name: String) throws -> NumpyArray {
        let all = try members(of: bytes, name: name)
        guard let member = all.first(where: { $0.name == array + ".npy" }) else {
            let known = all.map { String($0.name.dropLast(4)) }.joined(separator: ", ")
            throw NumpyError(name: name, problem: "has no array '\(array)' (it holds: \(known.isEmpty ? "none" : known))")
        }
        return try Numpy.parse(try contents(of: member, in: bytes, name: name), name: "\(name):\(array)")
    }

    struct Member {
        var name: String
        var method: Int
        var compressedSize: Int
        var size: Int
        var localHeaderOffset: Int
    }

    /// Little-endian reads that fail instead of trapping past the end.
    struct Reader {
        let bytes: Data
        let name: String
        func fail(_ problem: String) -> NumpyError { NumpyError(name: name, problem: problem) }
        func uint(_ offset: Int, _ width: Int) throws -> Int {
            guard offset >= 0, width <= 8, offset <= bytes.count - width else {
                throw fail("truncated .npz archive (a zip record runs past the end)")
            }
            var value: UInt64 = 0
            for k in 0..<width { value |= UInt64(bytes[bytes.startIndex + offset + k]) << (8 * UInt64(k)) }
            guard value <= UInt64(Int.max) else { throw fail("a zip size or offset is out of range") }
            return Int(value)
        }
    }

    /// The `.npy` members, from the central directory.
    static func members(of bytes: Data, name: String) throws -> [Member] {
        let r = Reader(bytes: bytes, name: name)
        // The end of central directory record: its signature within the last 22 + 65 535 bytes.
        guard bytes.count >= 22 else { throw r.fail("not a .npy or .npz file (too short for a zip archive)") }
        var end = -1
        var at = bytes.count - 22
        while at >= max(0, bytes.count - 22 - 65_535) {
            if try r.uint(at, 4) == 0x0605_4b50 { end = at; break }
            at -= 1
        }
        guard end >= 0 else { throw r.fail("not a zip archive (no end of central directory), so not an .npz file") }
        var count = try r.uint(end + 10, 2)
        var directory = try r.uint(end + 16, 4)
        // Zip64: the locator just before the end record points at the zip64 end record.
        if (count == 0xFFFF || directory == 0xFFFF_FFFF), end >= 20, try r.uint(end - 20, 4) == 0x0706_4b50 {
            let record = try r.uint(end - 20 + 8, 8)
            guard try r.uint(record, 4) == 0x0606_4b50 else { throw r.fail("damaged zip64 end of central directory") }
            count = try r.uint(record + 32, 8)
            directory = try r.uint(record + 48, 8)
        }
        // Each entry takes at least 46 bytes: a count that cannot fit is damage, not a reason to allocate.
        guard count <= bytes.count / 46 else { throw r.fail("damaged zip central directory (\(count) entries)") }
        var members: [Member] = []
        var offset = directory
        for _ in 0..<count {
            guard try r.uint(offset, 4) == 0x0201_4b50 else { throw r.fail("damaged zip central directory entry") }
            let method = try r.uint(offset + 10, 2)
            var compressed = try r.uint(offset + 20, 4)
            var size = try r.uint(offset + 24, 4)
            let nameLength = try r.uint(offset + 28, 2)
            let extraLength = try r.uint(offset + 30, 2)
            let commentLength = try r.uint(offset + 32, 2)
            var local = try r.uint(offset + 42, 4)
            let nameStart = offset + 46
            guard nameStart + nameLength <= bytes.count else { throw r.fail("truncated .npz archive") }
            let memberName = String(decoding: bytes[(bytes.startIndex + nameStart)..<(bytes.startIndex + nameStart
                + nameLength)], as: UTF8.self)
            // The zip64 extra field holds, in order, whichever of size, compressed size and offset are 0xFFFFFFFF.
            var extra = nameStart + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = try r.uint(extra, 2), length = try r.uint(extra + 2, 2)
                if id == 0x0001 {
                    var field = extra + 4
                    if size == 0xFFFF_FFFF { size = try r.uint(field, 8); field += 8 }
                    if compressed == 0xFFFF_FFFF { compressed = try r.uint(field, 8); field += 8 }
                    if local == 0xFFFF_FFFF { local = try r.uint(field, 8) }
                }
                extra += 4 + length
            }
            if memberName.hasSuffix(".npy") {
                members.append(Member(name: memberName, method: method, compressedSize: compressed, size: size,
                                      localHeaderOffset: local))
            }
            offset = extraEnd + commentLength
        }
        return members
    }

    /// A member's bytes: stored as they are, deflated inflated.
    static func contents(of member: Member, in bytes: Data, name: String) throws -> Data {
        let r = Reader(bytes: bytes, name: name)
        let local = member.localHeaderOffset
        guard try r.uint(local, 4) == 0x0403_4b50 else { throw r.fail("damaged zip local header of \(member.name)") }
        let start = local + 30 + (try r.uint(local + 26, 2)) + (try r.uint(local + 28, 2))
        guard member.compressedSize <= bytes.count, start <= bytes.count - member.compressedSize else {
            throw r.fail("truncated .npz archive (\(member.name) runs past the end)")
        }
        let packed = bytes[(bytes.startIndex + start)..<(bytes.startIndex + start + member.compressedSize)]
        switch member.method {
        case 0:
            return Data(packed)
        case 8:
            guard member.size <= ReadOnlyFile.largestWholeFile else {
                throw r.fail("\(member.name) would inflate to \(member.size) bytes, over the limit")
            }
            return try inflate(Data(packed), size: member.size, name: "\(name):\(member.name)")
        default:
            throw r.fail("\(member.name) uses zip compression method \(member.method); only stored and deflated "
                + "members (np.savez, np.savez_compressed) are supported")
        }
    }

    /// Raw deflate data → exactly `size` bytes, or an error.
    static func inflate(_ packed: Data, size: Int, name: String) throws -> Data {
        var output = Data(count: size)
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw NumpyError(name: name, problem: "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var input = [UInt8](packed)
        let status: Int32 = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBytes { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(target.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == size else {
            throw NumpyError(name: name, problem: "damaged deflated data (zlib status \(status), "
                + "\(stream.total_out) of \(size) bytes)")
        }
        return output
    }
}
