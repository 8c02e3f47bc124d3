import Foundation
import GearmanFuzzing

// Built with `-sanitize=fuzzer -DFUZZING` (scripts/fuzz.sh) this is a libFuzzer target; otherwise it replays
// the input files named on its command line, to reproduce a crash under a debugger.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    do {
        try FuzzCheck.run(Array(UnsafeBufferPointer(start: data, count: size)))
    } catch {
        fatalError("\(error)")
    }
    return 0
}

#if !FUZZING
@main
enum Replay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            let input = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            _ = input.withUnsafeBufferPointer { fuzzOneInput($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
            print("ok \(path)")
        }
    }
}
#endif
