import ArgumentParser
import Foundation

/// `kaizen ci ...`: continuous delivery set-up.
struct CICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ci", abstract: "Set up continuous delivery of models.", subcommands: [Init.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a CD workflow and Kubernetes manifests driven by registry events.",
            discussion: """
                `kaizen ci init github` writes .github/workflows/kaizen-deploy.yml, which builds and pushes the \
                model server image by digest and rolls it out when the alias moves (a Kaizen webhook delivered as a \
                GitHub repository_dispatch), and deploy/kubernetes/NAME.yaml with the Deployment and Service.
                """)

        @Argument(help: "The CI system: github.")
        var system: String

        @Option(help: "The registered model.")
        var model: String

        @Option(help: "The alias whose moves deploy.")
        var alias = "champion"

        @Option(help: "The image repository, without a tag, e.g. ghcr.io/acme/fraud-model.")
        var image: String

        @Option(help: "Kubernetes name of the Deployment and Service (default: from the model name).")
        var name: String?

        @Option(help: "Kubernetes namespace.")
        var namespace = "default"

        @Option(help: "Replicas of the model server.")
        var replicas = 2

        @Option(help: "Folder to write into (default: the current one).")
        var directory = "."

        @Flag(help: "Replace files that exist.")
        var force = false

        func validate() throws {
            guard system == "github" else {
                throw ValidationError("kaizen ci init knows github; got '\(system)'")
            }
            guard !model.isEmpty, !model.contains(where: \.isNewline) else {
                throw ValidationError("--model must be a registered model name")
            }
            guard Self.isSafeAlias(alias) else {
                throw ValidationError("--alias must be letters, digits, _ and -; got '\(alias)'")
            }
            guard Self.isSafeImage(image) else {
                throw ValidationError("--image must be an image repository without tag or digest, e.g. ghcr.io/acme/m")
            }
            guard Self.isKubernetesName(resourceName) else {
                throw ValidationError(
                    "--name must be a Kubernetes name (lowercase letters, digits and -, at most 63); got "
                        + "'\(resourceName)'")
            }
            guard Self.isKubernetesName(namespace) else {
                throw ValidationError("--namespace must be a Kubernetes name")
            }
            guard (1...100).contains(replicas) else { throw ValidationError("--replicas must be 1 to 100") }
        }

        /// The Kubernetes name: `--name`, else the model name lowercased with other characters as `-`.
        var resourceName: String {
            if let name { return name }
            let mapped = model.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
            return String(String(mapped).split(separator: "-").joined(separator: "-").prefix(63))
        }

        /// `text` as one shell word.
        static func shellQuoted(_ text: String) -> String {
            text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./".contains($0)) }
                ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }

        static func isKubernetesName(_ name: String) -> Bool {
            guard let first = name.first, let last = name.last, name.count <= 63 else { return false }
            return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") } && first != "-"
                && last != "-"
        }

        static func isSafeAlias(_ alias: String) -> Bool {
            !alias.isEmpty && alias.count <= 255
                && alias.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        }

        /// `[registry[:port]/]repository` in the characters references use, with no tag in the last component.
        static func isSafeImage(_ image: String) -> Bool {
            let components = image.split(separator: "/", omittingEmptySubsequences: false)
            guard let last = components.last, !last.isEmpty, !last.contains(":"),
                components.allSatisfy({ !$0.isEmpty })
            else { return false }
            return image.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "./-_:".contains($0)) }
        }

        func run() async throws {
            let templates = DeploymentTemplates(
                model: model, alias: alias, image: image, name: resourceName, namespace: namespace,
                replicas: replicas)
            let root = URL(fileURLWithPath: directory)
            let files = [
                (DeploymentTemplates.workflowPath, templates.workflow), (templates.manifestPath, templates.manifest),
            ]
            if !force {
                for (path, _) in files
                where FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path) {
                    throw ValidationError("\(path) exists; pass --force to replace it")
                }
            }
            for (path, text) in files {
                let target = root.appendingPathComponent(path)
                try FileManager.default.createDirectory(
                    at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: target, options: .atomic)
                print("Wrote \(path)")
            }
            print(
                """

                Next:
                  1. kubectl apply -f \(templates.manifestPath)
                  2. Add the repository secrets MLFLOW_TRACKING_URI, KUBECONFIG and KAIZEN_URL.
                  3. Create the webhook that starts the workflow (the token needs to create dispatch events):
                     curl -X POST "$MLFLOW_TRACKING_URI/api/2.0/mlflow/webhooks" -H 'Content-Type: application/json' \\
                       -d '{"name": "deploy-\(resourceName)", "url": "https://api.github.com/repos/OWNER/REPO/dispatches",
                            "events": [{"entity": "model_version_alias", "action": "created"}], "secret": "<token>"}'
                  4. kaizen models alias \(Self.shellQuoted(model)) \(alias) VERSION  # deploys VERSION
                """)
        }
    }
}
