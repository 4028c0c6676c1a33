package io.sequent.systemtest;

import io.sequent.codec.BatchError;
import io.sequent.codec.BatchIterator;
import io.sequent.codec.BatchReader;
import io.sequent.log.LogConfig;
import io.sequent.log.LogReader;
import io.sequent.log.PartitionLog;
import org.agrona.concurrent.SystemEpochClock;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a stopped member's partition logs straight from its data directory, with the log module's own reader
 * (recovery included, as the member would do on its next start), so that the members' logs can be compared
 * offset by offset without going through any broker.
 */
final class MemberLogs {
    private MemberLogs() {
    }

    /** One record as stored. */
    record Entry(long offset, String value) {
    }

    /**
     * @return per partition, the records of {@code topic} in offset order; an empty list for a partition the
     * member does not hold.
     */
    static List<List<Entry>> read(final Path dataDir, final String topic, final int partitions) {
        final List<List<Entry>> result = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            result.add(readPartition(dataDir.resolve(topic + "-" + p)));
        }
        return result;
    }

    private static List<Entry> readPartition(final Path dir) {
        final List<Entry> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        final BatchIterator frames = new BatchIterator();
        try (PartitionLog log = PartitionLog.open(dir, new LogConfig().conclude(), SystemEpochClock.INSTANCE);
            LogReader reader = log.newReader();
            BatchReader batch = new BatchReader()) {
            long next = log.startOffset();
            while (next < log.nextOffset()) {
                final int length = reader.read(next, 1024 * 1024, Long.MAX_VALUE);
                if (length <= 0) {
                    throw new IllegalStateException(dir + ": cannot read offset " + next + " (" + length + ")");
                }
                frames.reset(reader.buffer(), reader.bufferOffset(), length);
                while (frames.next()) {
                    final int status = batch.wrap(reader.buffer(), frames.frameOffset(), frames.frameLength());
                    if (status != BatchError.NONE) {
                        throw new IllegalStateException(dir + ": bad batch near offset " + next + ": " + status);
                    }
                    if (batch.isControl()) {
                        next = batch.lastOffset() + 1;
                        continue;
                    }
                    while (batch.next()) {
                        if (batch.offset() >= next) {
                            final byte[] value = new byte[batch.valueLength()];
                            batch.valueBuffer().getBytes(batch.valueOffset(), value);
                            entries.add(new Entry(batch.offset(), new String(value, StandardCharsets.UTF_8)));
                        }
                    }
                    next = batch.lastOffset() + 1;
                }
            }
        }
        return entries;
    }
}
