#!/usr/bin/env bash
# Regenerates Sources/KaizenONNX/Proto/*.pb.swift from proto/onnx/*.proto (copied from the onnx 1.23.2 wheel).
# The generated Swift is committed so that builds never compile protoc; run this only when the .proto files change.
# Needs Debian's protoc (`apt-get install protobuf-compiler`) and builds protoc-gen-swift from swift-protobuf 1.39.0.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/Sources/placeholder"
cat > "$work/Package.swift" <<'SWIFT'
// swift-tools-version:6.1
import PackageDescription
let package = Package(
    name: "protogen",
    dependencies: [.package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0")],
    targets: [.executableTarget(name: "placeholder", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")])]
)
SWIFT
echo 'print("")' > "$work/Sources/placeholder/main.swift"
swift build --package-path "$work" -c release --product protoc-gen-swift
out=Sources/KaizenONNX/Proto
protoc --plugin=protoc-gen-swift="$work/.build/release/protoc-gen-swift" \
    --swift_out="$out" --swift_opt=FileNaming=DropPath \
    -I proto proto/onnx/onnx-ml.proto proto/onnx/onnx-data.proto
# Generated code keeps its own formatting.
for file in "$out"/*.pb.swift; do
    { echo '// swift-format-ignore-file'; cat "$file"; } > "$file.tmp" && mv "$file.tmp" "$file"
done
