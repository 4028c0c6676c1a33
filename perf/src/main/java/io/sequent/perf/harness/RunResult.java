package io.sequent.perf.harness;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of one perf run: the workload, where it ran, and each system's measurements.
 *
 * @param workload what was run.
 * @param command  the command line that ran it, for the report.
 * @param machine  the machine, e.g. "2 cores, 23.4 GiB, Linux 6.1, OpenJDK 17.0.15".
 * @param started  when the run started.
 * @param systems  each system's results, the Aeron baseline (system {@code aeron}) first when present.
 */
public record RunResult(
    Workload workload, String command, String machine, Instant started, List<SystemResult> systems) {

    /** The Aeron baseline's result, or null when the run had none. */
    public SystemResult baseline() {
        for (final SystemResult result : systems) {
            if (Workload.BASELINE.equals(result.system())) {
                return result;
            }
        }
        return null;
    }
}
