#!/usr/bin/env bash
# Proves that Kaizen's library products can be used as a versioned dependency: SwiftPM refuses a package whose
# targets carry unsafe flags when it is required by version (`from:`), while a path dependency is exempt, so this
# tags a clone of the committed tree, depends on it through a git URL with `from:`, and runs an ONNX model (a parity
# case made by `make onnx-fixtures`: a converted scikit-learn model, its inputs and onnxruntime's outputs) through
# KaizenONNX from the throwaway package.
#
#   scripts/check-dependent-package.sh CASE_DIR
set -euo pipefail
case_dir=$(cd "$1" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

git clone --quiet "$repo" "$work/kaizen"
git -C "$work/kaizen" -c user.name=ci -c user.email=ci@localhost tag -a 0.4.0 -m "dependency check" HEAD

mkdir -p "$work/consumer/Sources/consumer"
cat > "$work/consumer/Package.swift" <<SWIFT
// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "consumer",
    dependencies: [.package(url: "file://$work/kaizen", from: "0.4.0")],
    targets: [
        .executableTarget(name: "consumer", dependencies: [.product(name: "KaizenONNX", package: "kaizen")])
    ]
)
SWIFT
cat > "$work/consumer/Sources/consumer/main.swift" <<'SWIFT'
import Foundation
import KaizenONNX

let folder = URL(fileURLWithPath: CommandLine.arguments[1])
let model = try ONNXModel(contentsOf: folder.appendingPathComponent("model.onnx"))
let data = try ReferenceDataSet(directory: folder.appendingPathComponent("test_data_set_0"), model: model)
let problems = try data.mismatches(running: model, rtol: 1e-5, atol: 1e-5)
guard problems.isEmpty else {
    print("mismatch: \(problems.joined(separator: "; "))")
    exit(1)
}
print("ok: \(folder.lastPathComponent) through KaizenONNX as a versioned dependency (inputs: \(model.inputs))")
SWIFT
cd "$work/consumer"
swift build --quiet
swift run --skip-build consumer "$case_dir"
