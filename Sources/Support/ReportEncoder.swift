/// Turns a typed report (`Encodable`) into the text of report.json.
///
/// Reports are `Codable` structs; this encoder writes them the way every report of regionplot reads: keys in the
/// order the struct declares them, `nil` as `null` (a key is never dropped: scripts read them), non-finite numbers
/// as `null` (JSON has no spelling for them), two-space indentation with short arrays of numbers on one line.
/// Foundation's `JSONEncoder` drops nil keys and refuses NaN, so the encoding goes through `JSONValue`. Reading a
/// report back is ordinary `JSONDecoder` work (declare a number that may be non-finite as optional).
public enum ReportEncoder {
    /// The report as a JSON value.
    public static func value<T: Encodable>(of report: T) throws -> JSONValue {
        let root = Node()
        try report.encode(to: NodeEncoder(node: root, codingPath: []))
        return root.json
    }

    /// The report as the text of a report.json file (with a final newline).
    public static func text<T: Encodable>(of report: T) throws -> String {
        try value(of: report).serialized() + "\n"
    }
}

/// Keys in a fixed order with numeric values: `{"train": 0.01, "probe": 0.02, …}` for timings and the like, where
/// a `[String: Double]` would come out in hash order.
public struct OrderedNumbers: Codable, Sendable, Equatable {
    public var entries: [(key: String, value: Double)]

    public init(_ entries: [(key: String, value: Double)]) { self.entries = entries }

    public subscript(key: String) -> Double? { entries.first { $0.key == key }?.value }

    public static func == (a: OrderedNumbers, b: OrderedNumbers) -> Bool {
        a.entries.map(\.key) == b.entries.map(\.key) && a.entries.map(\.value) == b.entries.map(\.value)
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (key, value) in entries { try container.encode(value, forKey: Key(stringValue: key)) }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        // allKeys is in no particular order when decoding; sort so that decoding is deterministic.
        entries = try container.allKeys.map(\.stringValue).sorted().map {
            ($0, try container.decodeIfPresent(Double.self, forKey: Key(stringValue: $0)) ?? .nan)
        }
    }
}

/// A report key that is left out, not written as null, when it has no value — for the few keys that are absent
/// when they do not apply (ReportEncoder writes every other nil as null). Reading back, a missing key is nil.
@propertyWrapper
public struct AbsentWhenNil<Value: Codable & Sendable>: Codable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public init(from decoder: Decoder) throws {
        wrappedValue = try decoder.singleValueContainer().decode(Value.self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

extension AbsentWhenNil: Equatable where Value: Equatable {}

extension KeyedEncodingContainer {
    /// Chosen over the generic `encode` for an ``AbsentWhenNil`` property: writes nothing when it is nil.
    public mutating func encode<Value>(_ value: AbsentWhenNil<Value>, forKey key: Key) throws {
        if let wrapped = value.wrappedValue { try encode(wrapped, forKey: key) }
    }
}

extension KeyedDecodingContainer {
    /// Chosen over the generic `decode` for an ``AbsentWhenNil`` property: a missing key is nil.
    public func decode<Value>(_ type: AbsentWhenNil<Value>.Type, forKey key: Key) throws -> AbsentWhenNil<Value> {
        AbsentWhenNil(wrappedValue: try decodeIfPresent(Value.self, forKey: key))
    }
}

// MARK: - Implementation

/// One value being encoded: a scalar, an object (ordered keys) or an array.
private final class Node {
    enum Content { case empty, scalar(JSONValue), object([(String, Node)]), array([Node]) }
    var content: Content = .empty

    var json: JSONValue {
        switch content {
        case .empty: return .object([])
        case .scalar(let value): return value
        case .object(let pairs): return .object(pairs.map { ($0.0, $0.1.json) })
        case .array(let items): return .array(items.map(\.json))
        }
    }

    /// The child node for `key` in an object, created at the end or replaced in place.
    func child(forKey key: String) -> Node {
        let node = Node()
        if case .object(var pairs) = content {
            if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = node } else { pairs.append((key, node)) }
            content = .object(pairs)
        } else {
            content = .object([(key, node)])
        }
        return node
    }

    func appendChild() -> Node {
        let node = Node()
        if case .array(let items) = content { content = .array(items + [node]) } else { content = .array([node]) }
        return node
    }
}

private struct NodeEncoder: Encoder {
    let node: Node
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedNodeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { SingleNodeContainer(node: node, codingPath: codingPath) }
}

/// Scalars as `JSONValue`s; everything else encodes itself into a fresh node.
private func encodeValue<T: Encodable>(_ value: T, into node: Node, codingPath: [CodingKey]) throws {
    switch value {
    case let v as Double: node.content = .scalar(.number(v))
    case let v as Float: node.content = .scalar(.number(Double(v)))
    case let v as Int: node.content = .scalar(.int(v))
    case let v as Int32: node.content = .scalar(.int(Int(v)))
    case let v as Int64: node.content = .scalar(.int(Int(v)))
    case let v as UInt64: node.content = .scalar(.int(Int(truncatingIfNeeded: v)))
    case let v as UInt32: node.content = .scalar(.int(Int(v)))
    case let v as Bool: node.content = .scalar(.bool(v))
    case let v as String: node.content = .scalar(.string(v))
    case let v as JSONValue: node.content = .scalar(v)
    default: try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
    }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.child(forKey: key.stringValue).content = .scalar(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encodeValue(value, into: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
    }

    // The synthesised encoders skip nil optionals through these; a report keeps the key with a null.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encodeOptional(value, key) }

    private mutating func encodeOptional<T: Encodable>(_ value: T?, _ key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder { NodeEncoder(node: node.child(forKey: "super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> Encoder {
        NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [CodingKey]
    var count: Int { if case .array(let items) = node.content { items.count } else { 0 } }

    mutating func encodeNil() throws { node.appendChild().content = .scalar(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try encodeValue(value, into: node.appendChild(), codingPath: codingPath)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.appendChild(), codingPath: codingPath).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        NodeEncoder(node: node.appendChild(), codingPath: codingPath).unkeyedContainer()
    }
    mutating func superEncoder() -> Encoder { NodeEncoder(node: node.appendChild(), codingPath: codingPath) }
}

private struct SingleNodeContainer: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [CodingKey]

    mutating func encodeNil() throws { node.content = .scalar(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encodeValue(value, into: node, codingPath: codingPath) }
}
