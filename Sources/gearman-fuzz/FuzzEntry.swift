import Foundation
import GearmanFuzzing

#if FUZZING
import CLibFuzzer
#endif

/// One input through ``FuzzCheck``; a violated property crashes, which libFuzzer records as a failure.
/// The C name lets libFuzzer's own objects, which refer to it, link.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    do {
        try FuzzCheck.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    } catch {
        fatalError("\(error)")
    }
    return 0
}

/// Built with `-sanitize=fuzzer -DFUZZING` (scripts/fuzz.sh): hands over to libFuzzer, with its options.
/// Otherwise: replays the input files named on its command line, to reproduce a failure under a debugger.
@main
enum FuzzEntry {
    static func main() throws {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
        #else
        for path in CommandLine.arguments.dropFirst() {
            let input = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            _ = input.withUnsafeBufferPointer { fuzzOneInput($0.baseAddress, $0.count) }
            print("ok \(path)")
        }
        #endif
    }
}
