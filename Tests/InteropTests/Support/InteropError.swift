/// A failure of the interop harness itself (a peer missing, a process that would not start...).
struct InteropError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
