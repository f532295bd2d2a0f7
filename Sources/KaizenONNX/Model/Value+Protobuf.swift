public import Foundation
import SwiftProtobuf

extension Value {
    /// Decodes a value serialized as ONNX's `TensorProto`, or, for a sequence of maps, as a `SequenceProto` of
    /// `MapProto`s (the test-data layout of ONNX's backend tests).
    public init(serializedData data: Data, as type: ValueType) throws(ONNXError) {
        switch type {
        case .tensor:
            let proto: Onnx_TensorProto
            do {
                proto = try Onnx_TensorProto(serializedBytes: data)
            } catch {
                throw ONNXError(.invalidProtobuf, "not a serialized TensorProto: \(error)")
            }
            self = .tensor(try TensorDecoder.decode(proto, baseDirectory: nil))
        case .sequenceOfMaps:
            let proto: Onnx_SequenceProto
            do {
                proto = try Onnx_SequenceProto(serializedBytes: data)
            } catch {
                throw ONNXError(.invalidProtobuf, "not a serialized SequenceProto: \(error)")
            }
            self = .mapSequence(try Self.decodeMaps(proto))
        }
    }

    private static func decodeMaps(_ proto: Onnx_SequenceProto) throws(ONNXError) -> MapSequence {
        var intKeys: [Int64]?
        var stringKeys: [String]?
        var values: [Float] = []
        for map in proto.mapValues {
            let keysHere: MapSequence.Keys
            if map.keyType == 8 {
                var strings: [String] = []
                for bytes in map.stringKeys {
                    guard let string = String(validating: bytes, as: UTF8.self) else {
                        throw .invalidArgument("a map key is not valid UTF-8")
                    }
                    strings.append(string)
                }
                keysHere = .string(strings)
                if stringKeys == nil { stringKeys = strings }
                guard stringKeys == strings else { throw .notImplemented("maps with different keys are not supported") }
            } else {
                keysHere = .int64(map.keys)
                if intKeys == nil { intKeys = map.keys }
                guard intKeys == map.keys else { throw .notImplemented("maps with different keys are not supported") }
            }
            guard map.values.tensorValues.count == keysHere.count else {
                throw .invalidArgument("a map has \(keysHere.count) keys but \(map.values.tensorValues.count) values")
            }
            for tensor in map.values.tensorValues {
                guard let value = try TensorDecoder.decode(tensor, baseDirectory: nil).floats, value.count == 1 else {
                    throw .notImplemented("map values other than float scalars are not supported")
                }
                values.append(value[0])
            }
        }
        let keys: MapSequence.Keys = stringKeys.map { .string($0) } ?? .int64(intKeys ?? [])
        return MapSequence(keys: keys, values: values)
    }
}
