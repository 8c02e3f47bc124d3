// Declarations only (include/CLibFuzzer.h); libFuzzer itself comes from the toolchain with -sanitize=fuzzer.
#include "CLibFuzzer.h"
