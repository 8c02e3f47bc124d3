import Foundation
import Testing

/// README.md shows the examples of ReadmeExamples.swift, which compile with the tests.
struct ReadmeTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ["client", "worker", "result"])
    func readmeShowsTheCompiledExample(_ name: String) throws {
        let source = try String(contentsOf: Self.root.appendingPathComponent("Tests/GearmanTests/ReadmeExamples.swift"), encoding: .utf8)
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = source.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.hasSuffix("// README \(name) example") })
        let end = try #require(lines[start...].firstIndex { $0.hasSuffix("// end") })
        let example = lines[(start + 1)..<end].map { String($0.dropFirst(4)) }
        #expect(example.count <= 12)
        #expect(readme.contains("```swift\n" + example.joined(separator: "\n") + "\n```\n"))
    }

    /// The README's `geard --help` section is what the binary prints, so every flag and default it lists is real.
    @Test func readmeShowsTheHelpGeardPrints() async throws {
        let help = try await ChildProcess.run([builtProduct("geard").path, "--help"])
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("## `geard --help`\n\n```\n" + help.stdout.trimmingCharacters(in: .newlines) + "\n```\n"))
    }
}
