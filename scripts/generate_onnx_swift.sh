#!/usr/bin/env bash
# Regenerates Sources/ONNXSchema/onnx.pb.swift from ONNX's protobuf schema. Run by hand, rarely (a new ONNX
# schema); the generated file is committed, and neither the plugin nor protoc is needed to build or test.
#
# Needs: protoc (Debian: protobuf-compiler), the onnx wheel (pip install onnx; it ships onnx/onnx.proto), and
# swift-protobuf's code generator built once OUTSIDE this repository, at the version Package.swift resolves:
#   git clone https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#   cd /tmp/swift-protobuf && git checkout 1.39.0 && swift build -c release --product protoc-gen-swift
# (about 10 minutes on 2 cores). Then, from the repository root:
#   PROTOC_GEN_SWIFT=/tmp/swift-protobuf/.build/release/protoc-gen-swift scripts/generate_onnx_swift.sh
#
# The file committed was made from onnx 1.23.2's onnx.proto (proto2 syntax, the canonical schema; onnx-ml.proto
# adds only the ML-operator types) with protoc 3.21.12 and protoc-gen-swift 1.39.0.
set -euo pipefail
plugin="${PROTOC_GEN_SWIFT:-/tmp/swift-protobuf/.build/release/protoc-gen-swift}"
onnx_dir="$(python3 -c 'import onnx, os; print(os.path.dirname(onnx.__file__))')"
out="$(cd "$(dirname "$0")/.." && pwd)/Sources/ONNXSchema"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$onnx_dir/onnx.proto" "$work/onnx.proto"
# Public, because NeuralNet reads these types from another module.
protoc --plugin=protoc-gen-swift="$plugin" --proto_path="$work" \
    --swift_opt=Visibility=Public --swift_out="$work" "$work/onnx.proto"
cp "$work/onnx.pb.swift" "$out/onnx.pb.swift"
echo "wrote $out/onnx.pb.swift"
