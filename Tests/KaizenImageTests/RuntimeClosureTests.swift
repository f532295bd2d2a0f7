import Foundation
import Testing

@testable import KaizenImage

struct RuntimeClosureTests {
    @Test func theTestRunnerNeedsItsInterpreterAndTheCLibrary() throws {
        let closure = try RuntimeClosure(binary: "/proc/self/exe")
        #expect(["amd64", "arm64"].contains(closure.architecture))
        let paths = closure.libraries.map(\.imagePath)
        #expect(paths.contains { $0.hasSuffix("ld-linux-x86-64.so.2") || $0.hasSuffix("ld-linux-aarch64.so.1") })
        #expect(paths.contains { $0.hasSuffix("/libc.so.6") })
        for library in closure.libraries {
            #expect(!library.imagePath.hasPrefix("/"))
            #expect(FileManager.default.fileExists(atPath: library.source))
        }
        if FileManager.default.fileExists(atPath: "/var/lib/dpkg/info") {
            #expect(closure.copyrights.map(\.imagePath).contains("usr/share/doc/libc6/copyright"))
        }
    }

    @Test func aFileThatIsNotELFIsANamedError() {
        do {
            _ = try RuntimeClosure(binary: "/etc/passwd")
            Issue.record("/etc/passwd was read as ELF")
        } catch {
            #expect(error.code == .runtime)
            #expect(error.message.contains("not an ELF file"))
        }
    }
}
