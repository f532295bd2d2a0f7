import KaizenArtifacts
import KaizenCore
import Testing

@testable import KaizenS3

struct S3ParsingTests {
    @Test func listingDocument() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>
              <IsTruncated>true</IsTruncated><NextContinuationToken>1/a=b+</NextContinuationToken>
              <Contents><Key>p/a &amp; b&#x20;&lt;c&gt;.txt</Key><Size>12</Size></Contents>
              <Contents><Key><![CDATA[p/<raw>]]></Key><Size>0</Size></Contents>
              <CommonPrefixes><Prefix>p/dir/</Prefix></CommonPrefixes><!-- note -->
            </ListBucketResult>
            """
        let listing = S3Listing(try #require(XMLElement.parse(Array(xml.utf8))))
        #expect(
            listing.objects == [.init(key: "p/a & b <c>.txt", size: 12), .init(key: "p/<raw>", size: 0)])
        #expect(listing.commonPrefixes == ["p/dir/"])
        #expect(listing.nextContinuationToken == "1/a=b+")
    }

    @Test func malformedDocumentsAreRefused() {
        #expect(XMLElement.parse(Array("<a><b></a>".utf8)) == nil)
        #expect(XMLElement.parse(Array("<a>&bogus;</a>".utf8)) == nil)
        #expect(XMLElement.parse(Array("<a>".utf8)) == nil)
    }

    @Test func errorDocumentsMapToKaizenErrors() {
        let missing = S3Error.from(
            status: 404, body: Array("<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>".utf8),
            resource: "s3://b/k")
        #expect(missing.code == "NoSuchKey")
        #expect(missing.kaizenError.code == .resourceDoesNotExist)
        let denied = S3Error.from(status: 403, body: [], resource: "s3://b/k")
        #expect(denied.code == "AccessDenied")
        #expect(denied.kaizenError.code == .internalError)
        let badPart = S3Error.from(
            status: 400, body: Array("<Error><Code>InvalidPart</Code></Error>".utf8), resource: "s3://b/k")
        #expect(badPart.kaizenError.code == .invalidParameterValue)
    }

    @Test func locations() {
        #expect(S3Location(uri: "s3://bucket/a/b/") == S3Location(uri: "s3://bucket//a/./b"))
        #expect(S3Location(uri: "s3://bucket/a/b")?.prefix == "a/b")
        #expect(S3Location(uri: "s3://bucket")?.prefix == "")
        #expect(S3Location(uri: "s3://bucket/a/../b") == nil)
        #expect(S3Location(uri: "s3:///a") == nil)
        #expect(S3Location(uri: "gs://bucket") == nil)
    }

    @Test func storageURIsInsideTheStore() throws {
        let client = S3Client(
            configuration: S3Configuration(
                endpoint: .aws, region: "us-east-1", credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"))
        )
        let store = S3ArtifactStore(client: client, location: try #require(S3Location(uri: "s3://b/root/art")))
        #expect(store.path(ofURI: "s3://b/root/art/1/r/artifacts")?.description == "1/r/artifacts")
        #expect(store.path(ofURI: "s3://b/root/art")?.isRoot == true)
        #expect(store.path(ofURI: "s3://b/root/artifacts/1") == nil)
        #expect(store.path(ofURI: "s3://other/root/art/1") == nil)
        #expect(store.path(ofURI: "s3://b/root/art/../x") == nil)
        #expect(store.path(ofURI: "mlflow-artifacts:/1/r/artifacts") == nil)
        let whole = S3ArtifactStore(client: client, location: try #require(S3Location(uri: "s3://b")))
        #expect(whole.path(ofURI: "s3://b/x/y")?.description == "x/y")
    }

    @Test func configurationFromEnvironment() throws {
        let configuration = try S3Configuration(environment: [
            "MLFLOW_S3_ENDPOINT_URL": "http://127.0.0.1:9000/", "AWS_ACCESS_KEY_ID": "id",
            "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "",
        ])
        #expect(configuration.endpoint == S3Endpoint(url: "http://127.0.0.1:9000"))
        #expect(configuration.region == "us-east-1")
        #expect(configuration.credentials.sessionToken == nil)
        let aws = try S3Configuration(environment: [
            "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_DEFAULT_REGION": "eu-west-2",
        ])
        #expect(aws.endpoint == .aws)
        #expect(aws.region == "eu-west-2")
        #expect(throws: KaizenError.self) { try S3Configuration(environment: ["AWS_ACCESS_KEY_ID": "id"]) }
        #expect(throws: KaizenError.self) {
            try S3Configuration(environment: [
                "MLFLOW_S3_ENDPOINT_URL": "ftp://x", "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "s",
            ])
        }
        #expect(S3Endpoint(url: "http://host:9000/path") == nil)
    }
}
