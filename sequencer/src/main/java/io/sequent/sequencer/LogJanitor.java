package io.sequent.sequencer;

import io.sequent.log.PartitionLog;
import io.sequent.log.SeqJournal;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;

import java.util.List;

/**
 * Background work on the partition logs, off the write path: prepares each log's next segment once
 * its active segment is filling up (so the journal's roll only renames a ready, mapped file), touches the
 * pages ahead of each log's writer every round ({@link PartitionLog#pretouch()}), the
 * group-sequence journal's next file likewise, and applies retention. Runs on its own thread with a
 * sleeping idle strategy.
 *
 * <p>Reads the sequencer's partition list; the logs' janitor-side methods are designed to run
 * concurrently with their writer.
 */
final class LogJanitor implements Agent {
    private final List<Partition> partitions;
    private final SeqJournal groupJournal;
    private final EpochClock clock;
    private final ErrorHandler errorHandler;
    private final long preallocateIntervalMs;
    private final long retentionIntervalMs;
    private long nextPreallocateMs;
    private long nextRetentionMs;

    LogJanitor(
        final List<Partition> partitions,
        final SeqJournal groupJournal,
        final EpochClock clock,
        final ErrorHandler errorHandler,
        final long preallocateIntervalMs,
        final long retentionIntervalMs) {
        this.partitions = partitions;
        this.groupJournal = groupJournal;
        this.clock = clock;
        this.errorHandler = errorHandler;
        this.preallocateIntervalMs = preallocateIntervalMs;
        this.retentionIntervalMs = retentionIntervalMs;
    }

    @Override
    public int doWork() {
        final long nowMs = clock.time();
        int work = 0;
        if (nowMs >= nextPreallocateMs) {
            nextPreallocateMs = nowMs + preallocateIntervalMs;
            for (final Partition partition : partitions) {
                work += preallocate(partition.log());
                work += pretouch(partition.log());
            }
            if (null != groupJournal && groupJournal.prepareNextIfFilling()) {
                work++;
            }
        }
        if (nowMs >= nextRetentionMs) {
            nextRetentionMs = nowMs + retentionIntervalMs;
            for (final Partition partition : partitions) {
                try {
                    work += partition.log().enforceRetention(nowMs);
                } catch (final RuntimeException ex) {
                    errorHandler.onError(ex);
                }
            }
        }
        return work;
    }

    private int preallocate(final PartitionLog log) {
        try {
            return log.preallocateNextIfFilling() ? 1 : 0;
        } catch (final RuntimeException ex) {
            errorHandler.onError(ex);
            return 0;
        }
    }

    private int pretouch(final PartitionLog log) {
        try {
            return log.pretouch() > 0 ? 1 : 0;
        } catch (final RuntimeException ex) {
            errorHandler.onError(ex);
            return 0;
        }
    }

    @Override
    public String roleName() {
        return "sequencer-janitor";
    }
}
