import Testing

/// Real Gearman peers (PHP, Perl, python gear, python gearman3, the gearman CLI) against a real
/// server process, each scenario once against gearmand and once against geard.
/// Serialized: the machine is small and some scenarios depend on timing between processes.
@Suite(.serialized, .timeLimit(.minutes(2)))
enum InteropTests {}
