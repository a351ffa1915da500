import CCairo

/// A deflate compressor (RFC 1951, in a zlib stream, RFC 1950) for the rows of an image: greedy matches against
/// the pixel to the left, the pixel above and the two above it diagonally, and else the last place the same three
/// bytes were seen; dynamic Huffman codes per block, or a stored block where those would not be smaller.
///
/// Why not zlib: plots are mostly flat colour, where nearly every match zlib's hash chains find is one of these
/// few, and zlib spends most of its time hashing every byte and writing its codes a few bits at a time. This writes
/// files about as small as zlib's level 3 on figures (`DeflateTests` bounds the difference) in less time (see
/// docs/speed.md). zlib's `compress2` is the tests' reference, and its `uncompress` the oracle that every stream
/// decodes to its input.
enum Deflate {
    /// The most bytes one match may cover, and the farthest back it may start.
    static let maximumMatch = 258, window = 32768
    /// The hash table is asked only when the neighbouring pixels give no match this long (none at all, as set):
    /// asking after a neighbour's match finds little and costs time (docs/speed.md).
    static let goodEnough = 3
    /// Tokens per block: each block gets codes fitted to its own symbols, and a token buffer stays small.
    static let blockTokens = 1 << 16
    /// The hash table of three-byte sequences has 2^hashBits entries: small enough to stay in the first-level cache.
    static let hashBits = 12

    /// The zlib stream of `data`, which holds rows `rowLength` bytes apart (a PNG's filter byte included) of
    /// pixels `pixelLength` bytes wide. Any bytes compress correctly; the row and pixel lengths only say where
    /// repeats are likely.
    static func zlibStream(_ data: UnsafeBufferPointer<UInt8>, rowLength: Int, pixelLength: Int) -> [UInt8] {
        // An empty buffer may have no address (`UnsafeBufferPointer(start: nil, count: 0)`); the compressor reads
        // through its address, so give it one.
        guard data.baseAddress != nil else {
            var none: UInt8 = 0
            return withUnsafePointer(to: &none) {
                zlibStream(UnsafeBufferPointer(start: $0, count: 0), rowLength: rowLength, pixelLength: pixelLength)
            }
        }
        let n = data.count
        // Stored blocks bound every block's size (a block is stored when its codes would not be smaller), plus
        // headers, the partial bytes between blocks and the bit writer's 8-byte stores.
        let capacity = n + 5 * (n / 65535 + 1) + n / 1024 + 4096
        return [UInt8](unsafeUninitializedCapacity: capacity) { out, count in
            var writer = BitWriter(out)
            writer.bits(0x78, 8); writer.bits(0x01, 8)   // deflate, 32 KB window, no dictionary, check bits
            let compressor = BlockCompressor(data: data, rowLength: rowLength, pixelLength: pixelLength)
            compressor.compress(into: &writer)
            writer.alignToByte()
            let check = adler32(data)
            for shift in [24, 16, 8, 0] as [UInt32] { writer.bits(UInt64((check >> shift) & 0xFF), 8) }
            count = writer.finish()
        }
    }
}

extension Deflate {
    /// The Adler-32 checksum of `data` (RFC 1950), eight bytes at a time: each word's byte sum and its sum weighted
    /// 8, 7, …, 1 by multiplying its even and odd bytes, spread into 16-bit lanes, by constants whose top lane
    /// collects the sum. zlib's `adler32` (the oracle in the tests) adds one byte at a time; this takes two thirds
    /// of its time.
    static func adler32(_ data: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let n = data.count
        var s1: UInt64 = 1, s2: UInt64 = 0
        var k = 0
        if let base = data.baseAddress {
            let raw = UnsafeRawPointer(base), lanes: UInt64 = 0x00FF_00FF_00FF_00FF
            while k + 8 <= n {
                // At most 2^20 bytes between reductions: s2 stays below 2^20 · (65521 + 2^20 · 255) < 2^60.
                let end = k + min((n - k) & ~7, 1 << 20)
                while k < end {
                    let word = raw.loadUnaligned(fromByteOffset: k, as: UInt64.self).littleEndian
                    let even = word & lanes, odd = (word >> 8) & lanes
                    let sum = ((even &+ odd) &* 0x0001_0001_0001_0001) >> 48
                    let weighted = ((even &* 0x0008_0006_0004_0002) >> 48) &+ ((odd &* 0x0007_0005_0003_0001) >> 48)
                    s2 = s2 &+ 8 &* s1 &+ weighted
                    s1 = s1 &+ sum
                    k += 8
                }
                s1 %= 65521; s2 %= 65521
            }
        }
        while k < n { s1 += UInt64(data[k]); s2 += s1; k += 1 }
        return UInt32(s2 % 65521) << 16 | UInt32(s1 % 65521)
    }
}

/// Writes bits least significant first (deflate's order) into a buffer, eight bytes at a time.
struct BitWriter {
    private let out: UnsafeMutableBufferPointer<UInt8>
    private var position = 0
    private var pending: UInt64 = 0
    private var pendingCount = 0

    init(_ out: UnsafeMutableBufferPointer<UInt8>) { self.out = out }

    /// Appends the low `count` bits of `value` (at most 32 at once, and no higher bits set).
    @inline(__always) mutating func bits(_ value: UInt64, _ count: Int) {
        pending |= value << UInt64(pendingCount)
        pendingCount += count
        if pendingCount >= 32 {
            // Overrunning the buffer would be a bug in the capacity bound: stop rather than write past it.
            precondition(position + 8 <= out.count, "deflate output bound exceeded")
            UnsafeMutableRawPointer(out.baseAddress! + position).storeBytes(of: pending.littleEndian, as: UInt64.self)
            position += 4
            pending >>= 32
            pendingCount -= 32
        }
    }

    /// Pads with zero bits to the next byte boundary.
    mutating func alignToByte() { bits(0, (8 - pendingCount % 8) % 8) }

    /// Flushes the last bits (padded to a byte); the number of bytes written.
    mutating func finish() -> Int {
        alignToByte()
        precondition(position + 8 <= out.count, "deflate output bound exceeded")
        while pendingCount > 0 {
            out[position] = UInt8(truncatingIfNeeded: pending)
            pending >>= 8; pendingCount -= 8; position += 1
        }
        return position
    }
}

/// Deflate's length and distance symbols: base values and extra bits (RFC 1951, 3.2.5).
enum DeflateSymbols {
    static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99,
                                    115, 131, 163, 195, 227, 258]
    static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5,
                                     0]
    static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                      1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11,
                                       12, 12, 13, 13]
    /// The length code (0 = symbol 257) of each match length 0…258 (entries below 3 unused).
    static let lengthCode: [UInt8] = (0...258).map { length in
        UInt8(max(0, (lengthBase.lastIndex { $0 <= max(3, length) })!))
    }
    /// The distance code of distances 1…256 (index distance − 1), and of 257…32768 by (distance − 1) >> 7.
    static let nearDistanceCode: [UInt8] = (1...256).map { d in UInt8(distanceBase.lastIndex { $0 <= d }!) }
    static let farDistanceCode: [UInt8] = (0..<256).map { k in
        UInt8(distanceBase.lastIndex { $0 <= max(257, k << 7 + 1) }!)
    }

    /// The distance code of `distance`, from the two tables above (`near`, `far`: passed in, so that a hot loop
    /// reads local copies rather than the globals' lazy accessors).
    @inline(__always) static func distanceCode(_ distance: Int, near: [UInt8], far: [UInt8]) -> Int {
        distance <= 256 ? Int(near[distance - 1]) : Int(far[(distance - 1) >> 7])
    }
}

/// Splits the input into tokens (literal bytes and matches) and writes them a block at a time.
private struct BlockCompressor {
    let data: UnsafeBufferPointer<UInt8>
    /// The distances to the pixel to the left, above, above-left and above-right, as far as the window reaches.
    let neighbours: [Int]

    init(data: UnsafeBufferPointer<UInt8>, rowLength: Int, pixelLength: Int) {
        self.data = data
        var distances: [Int] = []
        for d in [pixelLength, rowLength, rowLength + pixelLength, rowLength - pixelLength]
        where d > 0 && d <= Deflate.window && !distances.contains(d) { distances.append(d) }
        neighbours = distances
    }

    /// How many bytes from `a` equal those from `b` (b < a), up to `limit`; eight at a time.
    @inline(__always) func matchLength(_ a: Int, _ b: Int, limit: Int) -> Int {
        let base = UnsafeRawPointer(data.baseAddress!)
        var length = 0
        while length + 8 <= limit {
            let x = base.loadUnaligned(fromByteOffset: a + length, as: UInt64.self)
                ^ base.loadUnaligned(fromByteOffset: b + length, as: UInt64.self)
            if x != 0 { return length + x.littleEndian.trailingZeroBitCount >> 3 }
            length += 8
        }
        while length < limit && data[a + length] == data[b + length] { length += 1 }
        return length
    }

    func compress(into writer: inout BitWriter) {
        let n = data.count
        // Where each three-byte sequence (hashed) was last seen, plus one (0: never), in the low half of an entry;
        // the three bytes themselves in the high half, so that a different sequence under the same hash (most
        // lookups on busy figures) is told without reading back into the window.
        var lastSeen = [UInt64](repeating: 0, count: 1 << Deflate.hashBits)
        let bytes = data.baseAddress!, raw = UnsafeRawPointer(bytes)
        var tokens = [UInt32](repeating: 0, count: Deflate.blockTokens)
        var literalCounts = [Int](repeating: 0, count: 286), distanceCounts = [Int](repeating: 0, count: 30)
        let lengthCodes = DeflateSymbols.lengthCode, near = DeflateSymbols.nearDistanceCode
        let far = DeflateSymbols.farDistanceCode
        // The neighbours as four distances (repeats of the first where fewer), checked in this order.
        let d = neighbours + [Int](repeating: neighbours.first ?? 1, count: 4 - neighbours.count)
        let farthest = d.max()!
        var position = 0
        repeat {
            let blockStart = position
            for k in literalCounts.indices { literalCounts[k] = 0 }
            for k in distanceCounts.indices { distanceCounts[k] = 0 }
            var tokenCount = 0
            tokens.withUnsafeMutableBufferPointer { tokens in
            literalCounts.withUnsafeMutableBufferPointer { literalCounts in
            distanceCounts.withUnsafeMutableBufferPointer { distanceCounts in
            lastSeen.withUnsafeMutableBufferPointer { lastSeen in
                /// Where the three bytes `three` at `position` were last seen within the window, if they were; records
                /// `position` as the last place.
                @inline(__always) func lookUp(_ three: UInt32) -> Int? {
                    let key = Int((three &* 0x9E37_79B1) >> (32 - UInt32(Deflate.hashBits)))
                    let entry = lastSeen[key]
                    lastSeen[key] = UInt64(three) << 32 | UInt64(position + 1)
                    let seen = Int(entry & 0xFFFF_FFFF) - 1
                    guard entry >> 32 == UInt64(three), seen >= 0, position - seen <= Deflate.window else { return nil }
                    return seen
                }
                while position < n && tokenCount < tokens.count {
                    let limit = min(Deflate.maximumMatch, n - position)
                    var best = 0, bestDistance = 0
                    if position >= farthest && limit >= 8 {
                        // The first eight bytes against each neighbour without a branch (a mismatch's place is
                        // unpredictable, and mispredicted loop exits cost more than the comparisons); only a
                        // neighbour that matches all eight is followed further.
                        let here = raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)
                        @inline(__always) func head(_ distance: Int) -> Int {
                            let x = here ^ raw.loadUnaligned(fromByteOffset: position - distance, as: UInt64.self)
                            return x.littleEndian.trailingZeroBitCount >> 3   // 8 when all equal
                        }
                        let heads = (head(d[0]), head(d[1]), head(d[2]), head(d[3]))
                        (best, bestDistance) = heads.0 >= heads.1 ? (heads.0, d[0]) : (heads.1, d[1])
                        if heads.2 > best { (best, bestDistance) = (heads.2, d[2]) }
                        if heads.3 > best { (best, bestDistance) = (heads.3, d[3]) }
                        if best == 8 {
                            best = 0
                            @inline(__always) func follow(_ head: Int, _ distance: Int) {
                                guard head == 8 && best < limit else { return }
                                let length = matchLength(position, position - distance, limit: limit)
                                if length > best { (best, bestDistance) = (length, distance) }
                            }
                            follow(heads.0, d[0]); follow(heads.1, d[1]); follow(heads.2, d[2]); follow(heads.3, d[3])
                        }
                        if best < Deflate.goodEnough,
                           let seen = lookUp(UInt32(truncatingIfNeeded: here.littleEndian) & 0xFF_FFFF) {
                            let x = here ^ raw.loadUnaligned(fromByteOffset: seen, as: UInt64.self)
                            var length = x.littleEndian.trailingZeroBitCount >> 3
                            if length == 8 { length = matchLength(position, seen, limit: limit) }
                            if length > best { (best, bestDistance) = (length, position - seen) }
                        }
                    } else if limit >= 3 {
                        // The first row and the last bytes: every comparison bounded, one byte at a time at the end.
                        @inline(__always) func consider(_ distance: Int) {
                            guard distance <= position else { return }
                            let length = matchLength(position, position - distance, limit: limit)
                            if length > best { (best, bestDistance) = (length, distance) }
                        }
                        consider(d[0]); consider(d[1]); consider(d[2]); consider(d[3])
                        if best < Deflate.goodEnough && limit >= 4,
                           let seen = lookUp(raw.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian
                                             & 0xFF_FFFF) {
                            let length = matchLength(position, seen, limit: limit)
                            if length > best { (best, bestDistance) = (length, position - seen) }
                        }
                    }
                    if best >= 3 {
                        tokens[tokenCount] = 0x8000_0000 | UInt32(best) << 16 | UInt32(bestDistance - 1)
                        literalCounts[257 + Int(lengthCodes[best])] += 1
                        distanceCounts[DeflateSymbols.distanceCode(bestDistance, near: near, far: far)] += 1
                        position += best
                    } else {
                        let byte = Int(bytes[position])
                        tokens[tokenCount] = UInt32(byte)
                        literalCounts[byte] += 1
                        position += 1
                    }
                    tokenCount += 1
                }
            }
            }
            }
            }
            literalCounts[256] += 1   // end of block
            writeBlock(tokens: tokens[0..<tokenCount], bytes: blockStart..<position, isFinal: position == n,
                       literalCounts: literalCounts, distanceCounts: distanceCounts, into: &writer)
        } while position < n
    }

    /// Writes one block: with dynamic codes, or stored when that is no larger.
    func writeBlock(tokens: ArraySlice<UInt32>, bytes: Range<Int>, isFinal: Bool, literalCounts: [Int],
                    distanceCounts: [Int], into writer: inout BitWriter) {
        let header = DynamicHeader(literalCounts: literalCounts, distanceCounts: distanceCounts)
        var codedBits = 3 + header.bitCount
        for (symbol, count) in literalCounts.enumerated() where count > 0 {
            codedBits += count * (Int(header.literalLengths[symbol])
                                  + (symbol > 256 ? DeflateSymbols.lengthExtra[symbol - 257] : 0))
        }
        for (symbol, count) in distanceCounts.enumerated() where count > 0 {
            codedBits += count * (Int(header.distanceLengths[symbol]) + DeflateSymbols.distanceExtra[symbol])
        }
        // A stored block: 3 header bits, up to 7 to the byte, then 4 bytes of length per 65 535 bytes.
        let storedBits = (bytes.count + 65534) / 65535 * (10 + 32) + 8 * bytes.count + (bytes.isEmpty ? 42 : 0)
        if storedBits <= codedBits {
            writeStored(bytes, isFinal: isFinal, into: &writer)
            return
        }
        writer.bits(isFinal ? 1 : 0, 1)
        writer.bits(2, 2)   // dynamic Huffman codes
        header.write(into: &writer)
        // Each literal, each match length and each distance code as (bits, count): its code and extra bits
        // together, so that a token costs one or two writes.
        let literalCodes = HuffmanCode.canonical(header.literalLengths)
        let distanceCodes = HuffmanCode.canonical(header.distanceLengths)
        let literals: [UInt64] = (0..<256).map { UInt64(literalCodes[$0]) | UInt64(header.literalLengths[$0]) << 32 }
        let lengths: [UInt64] = (0...Deflate.maximumMatch).map { length in
            let code = Int(DeflateSymbols.lengthCode[length]), bits = UInt64(header.literalLengths[257 + code])
            let extra = UInt64(max(0, length - DeflateSymbols.lengthBase[code]))
            return (UInt64(literalCodes[257 + code]) | extra << bits)
                | (bits + UInt64(DeflateSymbols.lengthExtra[code])) << 32
        }
        // Each distance code: its code, its length, its base, and its length with its extra bits.
        let distances: [(code: UInt64, bits: UInt64, base: Int, count: Int)] = (0..<30).map {
            (UInt64(distanceCodes[$0]), UInt64(header.distanceLengths[$0]), DeflateSymbols.distanceBase[$0],
             Int(header.distanceLengths[$0]) + DeflateSymbols.distanceExtra[$0])
        }
        let near = DeflateSymbols.nearDistanceCode, far = DeflateSymbols.farDistanceCode
        literals.withUnsafeBufferPointer { literals in
        lengths.withUnsafeBufferPointer { lengths in
        distances.withUnsafeBufferPointer { distances in
            for token in tokens {
                if token & 0x8000_0000 == 0 {
                    let entry = literals[Int(token)]
                    writer.bits(entry & 0xFFFF_FFFF, Int(entry >> 32))
                    continue
                }
                let entry = lengths[Int(token >> 16 & 0x1FF)]
                writer.bits(entry & 0xFFFF_FFFF, Int(entry >> 32))
                let distance = Int(token & 0xFFFF) + 1
                let d = distances[DeflateSymbols.distanceCode(distance, near: near, far: far)]
                writer.bits(d.code | UInt64(distance - d.base) << d.bits, d.count)
            }
        }
        }
        }
        writer.bits(UInt64(literalCodes[256]), Int(header.literalLengths[256]))
    }

    /// `bytes` of the input as stored blocks of at most 65 535 bytes; the last is final when `isFinal`.
    func writeStored(_ bytes: Range<Int>, isFinal: Bool, into writer: inout BitWriter) {
        var start = bytes.lowerBound
        repeat {
            let end = min(bytes.upperBound, start + 65535)
            writer.bits(isFinal && end == bytes.upperBound ? 1 : 0, 1)
            writer.bits(0, 2)   // stored
            writer.alignToByte()
            let length = UInt64(end - start)
            writer.bits(length, 16)
            writer.bits(~length & 0xFFFF, 16)
            for k in start..<end { writer.bits(UInt64(data[k]), 8) }
            start = end
        } while start < bytes.upperBound
    }
}

/// A dynamic block's code lengths and how they are written (RFC 1951, 3.2.7).
private struct DynamicHeader {
    var literalLengths: [UInt8], distanceLengths: [UInt8]
    /// The code lengths of both codes, run-length coded: (symbol 0…18, extra bits' value).
    var runs: [(symbol: Int, extra: Int)] = []
    var codeLengthLengths: [UInt8]
    /// How many literal/length codes, distance codes and code-length codes are sent.
    var literalCount: Int, distanceCount: Int, codeLengthCount: Int
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    init(literalCounts: [Int], distanceCounts: [Int]) {
        literalLengths = HuffmanCode.lengths(literalCounts, limit: 15)
        distanceLengths = HuffmanCode.lengths(distanceCounts, limit: 15)
        literalCount = max(257, (literalLengths.lastIndex { $0 != 0 } ?? 0) + 1)
        distanceCount = max(1, (distanceLengths.lastIndex { $0 != 0 } ?? 0) + 1)
        let all = Array(literalLengths[0..<literalCount]) + Array(distanceLengths[0..<distanceCount])
        var k = 0
        while k < all.count {
            var run = 1
            while k + run < all.count && all[k + run] == all[k] { run += 1 }
            if all[k] == 0 && run >= 3 {
                let take = min(run, 138)
                runs.append(take >= 11 ? (18, take - 11) : (17, take - 3))
                k += take
            } else if all[k] != 0 && run >= 4 {
                // The length once, then repeats of it (3–6 each); fewer than 3 left over go one by one.
                runs.append((Int(all[k]), 0))
                var left = run - 1
                k += 1
                while left >= 3 {
                    let take = min(left, 6)
                    runs.append((16, take - 3))
                    k += take
                    left -= take
                }
            } else {
                runs.append((Int(all[k]), 0))
                k += 1
            }
        }
        var counts = [Int](repeating: 0, count: 19)
        for run in runs { counts[run.symbol] += 1 }
        let codeLengthLengths = HuffmanCode.lengths(counts, limit: 7)
        self.codeLengthLengths = codeLengthLengths
        codeLengthCount = max(4, (Self.codeLengthOrder.lastIndex { codeLengthLengths[$0] != 0 } ?? 0) + 1)
    }

    static func extraBits(_ symbol: Int) -> Int { symbol == 16 ? 2 : symbol == 17 ? 3 : symbol == 18 ? 7 : 0 }

    /// The header's bits after the block type.
    var bitCount: Int {
        14 + 3 * codeLengthCount + runs.reduce(0) { $0 + Int(codeLengthLengths[$1.symbol]) + Self.extraBits($1.symbol) }
    }

    func write(into writer: inout BitWriter) {
        writer.bits(UInt64(literalCount - 257), 5)
        writer.bits(UInt64(distanceCount - 1), 5)
        writer.bits(UInt64(codeLengthCount - 4), 4)
        for symbol in Self.codeLengthOrder[0..<codeLengthCount] { writer.bits(UInt64(codeLengthLengths[symbol]), 3) }
        let codes = HuffmanCode.canonical(codeLengthLengths)
        for run in runs {
            writer.bits(UInt64(codes[run.symbol]), Int(codeLengthLengths[run.symbol]))
            writer.bits(UInt64(run.extra), Self.extraBits(run.symbol))
        }
    }
}

/// Length-limited Huffman codes in deflate's canonical form.
enum HuffmanCode {
    /// Code lengths (0 for an unused symbol, at most `limit`) of a prefix code for symbols with these counts,
    /// minimal for the counts when the limit allows. At least two symbols get a code, so that the code is complete
    /// as every inflater expects.
    static func lengths(_ counts: [Int], limit: Int) -> [UInt8] {
        var used = counts.indices.filter { counts[$0] > 0 }
        // Padding symbols cost nothing in the data; they make a one-symbol code a complete one of two.
        for filler in counts.indices where used.count < 2 && !used.contains(filler) { used.append(filler) }
        var lengths = [UInt8](repeating: 0, count: counts.count)
        guard used.count >= 2 else { return lengths }
        precondition(used.count <= 1 << limit, "more symbols than codes of \(limit) bits")
        // By count, least first (ties by symbol, so that the result does not depend on the sort).
        let leaves = used.sorted { (counts[$0], $0) < (counts[$1], $1) }
        // Huffman's merges with two queues: leaves in order, and merged nodes, which come out in order too.
        let m = leaves.count
        var weight = leaves.map { max(1, counts[$0]) } + [Int](repeating: 0, count: m - 1)
        var parent = [Int](repeating: 0, count: 2 * m - 1)
        var (nextLeaf, nextMerged) = (0, m)
        func takeLightest(before merged: Int) -> Int {
            if nextLeaf < m && (nextMerged >= merged || weight[nextLeaf] <= weight[nextMerged]) {
                nextLeaf += 1
                return nextLeaf - 1
            }
            nextMerged += 1
            return nextMerged - 1
        }
        for node in m..<(2 * m - 1) {
            let (a, b) = (takeLightest(before: node), takeLightest(before: node))
            weight[node] = weight[a] + weight[b]
            parent[a] = node; parent[b] = node
        }
        var depth = [Int](repeating: 0, count: 2 * m - 1)
        for node in stride(from: 2 * m - 3, through: 0, by: -1) { depth[node] = depth[parent[node]] + 1 }
        // How many leaves at each depth; depths past the limit are folded back so that Kraft's sum stays 1
        // (each step moves one code from the limit up one level and splits a shorter one: miniz's method).
        var perLength = [Int](repeating: 0, count: max(limit, depth.max()!) + 1)
        for k in 0..<m { perLength[depth[k]] += 1 }
        if perLength.count > limit + 1 {
            for length in (limit + 1)..<perLength.count { perLength[limit] += perLength[length]; perLength[length] = 0 }
            var kraft = 0
            for length in 1...limit { kraft += perLength[length] << (limit - length) }
            while kraft > 1 << limit {
                perLength[limit] -= 1
                for length in stride(from: limit - 1, through: 1, by: -1) where perLength[length] > 0 {
                    perLength[length] -= 1
                    perLength[length + 1] += 2
                    break
                }
                kraft -= 1
            }
        }
        // The most frequent symbols get the shortest codes.
        var k = m - 1
        for length in 1..<perLength.count {
            for _ in 0..<perLength[length] {
                lengths[leaves[k]] = UInt8(length)
                k -= 1
            }
        }
        return lengths
    }

    /// The canonical codes (RFC 1951, 3.2.2) of these lengths, bit-reversed for writing least significant first.
    static func canonical(_ lengths: [UInt8]) -> [UInt16] {
        var perLength = [Int](repeating: 0, count: 16)
        for length in lengths where length > 0 { perLength[Int(length)] += 1 }
        var next = [Int](repeating: 0, count: 16)
        var code = 0
        for length in 1..<16 {
            code = (code + perLength[length - 1]) << 1
            next[length] = code
        }
        var codes = [UInt16](repeating: 0, count: lengths.count)
        for (symbol, length) in lengths.enumerated() where length > 0 {
            let value = next[Int(length)]
            next[Int(length)] += 1
            var reversed = 0
            for bit in 0..<Int(length) where value >> bit & 1 == 1 { reversed |= 1 << (Int(length) - 1 - bit) }
            codes[symbol] = UInt16(reversed)
        }
        return codes
    }
}
