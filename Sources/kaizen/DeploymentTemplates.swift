import Foundation

/// The files `kaizen ci init github` writes: a GitHub Actions workflow that rebuilds and redeploys the model
/// server when a registry alias moves, and the Kubernetes Deployment and Service it updates.
struct DeploymentTemplates {
    /// The registered model.
    var model: String
    /// The alias whose moves trigger a deployment.
    var alias: String
    /// The image repository, without a tag: `ghcr.io/acme/fraud-model`.
    var image: String
    /// The Kubernetes name of the Deployment and the Service.
    var name: String
    var namespace: String
    var replicas: Int

    static let workflowPath = ".github/workflows/kaizen-deploy.yml"
    var manifestPath: String { "deploy/kubernetes/\(name).yaml" }

    /// `value` as a YAML double-quoted scalar.
    static func quoted(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    var workflow: String {
        """
        # Written by `kaizen ci init github`. Rebuilds the model server image and rolls it out when the registry
        # alias \(alias) of \(model) moves.
        #
        # The trigger: a Kaizen webhook on model_version_alias.created whose URL is this repository's dispatch
        # endpoint and whose secret is a token allowed to create dispatch events here (a fine-grained token with
        # "Contents: read and write" on this repository):
        #   curl -X POST "$MLFLOW_TRACKING_URI/api/2.0/mlflow/webhooks" -H 'Content-Type: application/json' -d '{
        #     "name": "deploy-\(name)", "url": "https://api.github.com/repos/OWNER/REPO/dispatches",
        #     "events": [{"entity": "model_version_alias", "action": "created"}], "secret": "<token>"}'
        # Kaizen then POSTs {"event_type": "kaizen.model_version_alias.created", "client_payload": {...}}.
        #
        # Secrets: MLFLOW_TRACKING_URI (the Kaizen server), KUBECONFIG (a kubeconfig for the cluster), and
        # KAIZEN_URL (where your team keeps the Linux kaizen binary; `make release` builds it).
        name: Deploy \(model)

        on:
          repository_dispatch:
            types: [kaizen.model_version_alias.created]
          workflow_dispatch:
            inputs:
              version:
                description: Model version to deploy
                required: true

        permissions:
          contents: read
          packages: write

        concurrency:
          group: deploy-\(name)
          cancel-in-progress: false

        env:
          MODEL_NAME: \(Self.quoted(model))
          IMAGE: \(Self.quoted(image))
          MLFLOW_TRACKING_URI: ${{ secrets.MLFLOW_TRACKING_URI }}

        jobs:
          deploy:
            # Only a move of this model's alias deploys; other registry events are ignored.
            if: >-
              github.event_name == 'workflow_dispatch' ||
              (github.event.client_payload.data.name == \(Self.singleQuoted(model)) &&
               github.event.client_payload.data.alias == \(Self.singleQuoted(alias)))
            runs-on: ubuntu-latest
            steps:
              - name: Install kaizen
                run: |
                  curl -fsSL "${{ secrets.KAIZEN_URL }}" -o /usr/local/bin/kaizen
                  chmod +x /usr/local/bin/kaizen
                  kaizen --help > /dev/null

              - name: Build and push the image
                env:
                  VERSION: ${{ github.event.client_payload.data.version || inputs.version }}
                  KAIZEN_REGISTRY_USERNAME: ${{ github.actor }}
                  KAIZEN_REGISTRY_PASSWORD: ${{ secrets.GITHUB_TOKEN }}
                  SOURCE_DATE_EPOCH: "0"
                run: |
                  kaizen models build-image -m "models:/$MODEL_NAME/$VERSION" -t "$IMAGE:v$VERSION" \\
                    --push --digest-file digest.txt
                  echo "DIGEST=$(cat digest.txt)" >> "$GITHUB_ENV"

              - name: Roll out by digest
                env:
                  KUBECONFIG_DATA: ${{ secrets.KUBECONFIG }}
                run: |
                  printf '%s' "$KUBECONFIG_DATA" > "$RUNNER_TEMP/kubeconfig"
                  export KUBECONFIG="$RUNNER_TEMP/kubeconfig"
                  kubectl -n \(namespace) set image deployment/\(name) server="$IMAGE@$DIGEST"
                  kubectl -n \(namespace) rollout status deployment/\(name) --timeout=5m

        """
    }

    /// `value` as a single-quoted string of a GitHub Actions expression.
    static func singleQuoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    var manifest: String {
        """
        # Written by `kaizen ci init github`: the model server \(model)@\(alias) on Kubernetes. The workflow in
        # \(Self.workflowPath) sets the image by digest on every deployment; apply this file once first:
        #   kubectl apply -f \(manifestPath)
        # The server answers the Open Inference Protocol (/v2/...) and MLflow's scoring protocol (/invocations) on
        # port 8080; /v2/health/ready is false (503) until the model is loaded, so no request reaches a pod early.
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: \(name)
          namespace: \(namespace)
          labels:
            app.kubernetes.io/name: \(name)
            app.kubernetes.io/component: model-server
        spec:
          replicas: \(replicas)
          selector:
            matchLabels:
              app.kubernetes.io/name: \(name)
          strategy:
            type: RollingUpdate
            rollingUpdate:
              maxUnavailable: 0
              maxSurge: 1
          template:
            metadata:
              labels:
                app.kubernetes.io/name: \(name)
                app.kubernetes.io/component: model-server
              annotations:
                prometheus.io/scrape: "true"
                prometheus.io/port: "8080"
                prometheus.io/path: /metrics
            spec:
              securityContext:
                runAsNonRoot: true
                runAsUser: 65532
                runAsGroup: 65532
              terminationGracePeriodSeconds: 30
              containers:
                - name: server
                  image: \(image):latest
                  ports:
                    - name: http
                      containerPort: 8080
                  readinessProbe:
                    httpGet:
                      path: /v2/health/ready
                      port: http
                    periodSeconds: 2
                    failureThreshold: 3
                  livenessProbe:
                    httpGet:
                      path: /v2/health/live
                      port: http
                    periodSeconds: 10
                    failureThreshold: 3
                  resources:
                    requests:
                      cpu: 250m
                      memory: 128Mi
                    limits:
                      memory: 1Gi
                  securityContext:
                    readOnlyRootFilesystem: true
                    allowPrivilegeEscalation: false
                    capabilities:
                      drop: [ALL]
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: \(name)
          namespace: \(namespace)
          labels:
            app.kubernetes.io/name: \(name)
        spec:
          selector:
            app.kubernetes.io/name: \(name)
          ports:
            - name: http
              port: 80
              targetPort: http

        """
    }
}
