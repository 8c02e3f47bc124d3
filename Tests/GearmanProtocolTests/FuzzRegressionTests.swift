import Foundation
import GearmanFuzzing
import Testing

/// Every input in `FuzzInputs`: the fuzzer's seeds, and each input it ever found a failure with, kept so the
/// failure stays fixed. `scripts/fuzz.sh` starts from the same directory.
@Suite struct FuzzRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzInputs")

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    @Test(arguments: inputs)
    func inputPassesTheFuzzChecks(name: String) throws {
        let input = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent(name)))
        try FuzzCheck.run(input)
    }

    @Test func theCheckItselfIsExercised() throws {
        #expect(Self.inputs.count >= 5)
        try FuzzCheck.run([])
        try FuzzCheck.run(Array("acl grant invoke a b  c\n".utf8))
    }
}
