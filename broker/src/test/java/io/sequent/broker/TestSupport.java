package io.sequent.broker;

import io.sequent.codec.BatchBuilder;
import io.sequent.codec.BatchError;
import io.sequent.codec.BatchIterator;
import io.sequent.codec.BatchReader;
import io.sequent.codec.Batches;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Broker settings and record batches for tests. */
final class TestSupport {
    private TestSupport() {
    }

    /** A broker on an ephemeral port with small, sparse segments and its own Aeron directory. */
    static BrokerContext context(final Path dataDir) {
        final BrokerContext ctx = new BrokerContext()
            .port(0)
            .dataDir(dataDir)
            .aeronDir("/dev/shm/sequent-test-" + UUID.randomUUID())
            .topicDefault("log.segment.bytes", Integer.toString(1 << 20))
            .topicDefault("log.preallocate", "false");
        ctx.sequencerContext().retentionCheckIntervalMs(200);
        return ctx;
    }

    static UnsafeBuffer batch(final String... values) {
        return batch(System.currentTimeMillis(), -1, (short) -1, -1, values);
    }

    static UnsafeBuffer batch(
        final long timestampMs, final long producerId, final short epoch, final int baseSequence,
        final String... values) {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[64 * 1024]);
        final BatchBuilder builder = new BatchBuilder(64 * 1024);
        builder.begin(out, 0, out.capacity(), producerId, epoch, baseSequence);
        long ts = timestampMs;
        for (final String value : values) {
            if (!builder.tryAppend(ts++, null, value.getBytes(StandardCharsets.UTF_8))) {
                throw new IllegalStateException("batch full");
            }
        }
        final int length = builder.finish();
        builder.close();
        final byte[] copy = new byte[length];
        out.getBytes(0, copy);
        return new UnsafeBuffer(copy);
    }

    /** A record read back: offset, timestamp and value. */
    static final class Record {
        final long offset;
        final long timestamp;
        final String value;

        Record(final long offset, final long timestamp, final String value) {
            this.offset = offset;
            this.timestamp = timestamp;
            this.value = value;
        }

        @Override
        public String toString() {
            return offset + ":" + value;
        }
    }

    /**
     * Reads every whole batch of a fetch's records, checking each with {@link Batches#validate} and
     * {@link BatchReader}, and that batches are dense and below the high watermark.
     */
    static List<Record> records(final DirectBuffer records, final long highWatermark) {
        final List<Record> out = new ArrayList<>();
        final BatchIterator iterator = new BatchIterator().reset(records, 0, records.capacity());
        final BatchReader reader = new BatchReader();
        long expected = -1;
        while (iterator.next()) {
            final int offset = iterator.frameOffset();
            final int length = iterator.frameLength();
            assertEquals(0, offset % Batches.FRAME_ALIGNMENT, "frames start on 8-byte boundaries");
            assertEquals(BatchError.NONE, Batches.validate(records, offset, length), "batch at " + offset);
            assertEquals(BatchError.NONE, reader.wrap(records, offset, length));
            if (expected >= 0) {
                assertEquals(expected, reader.baseOffset(), "offsets are dense across batches");
            }
            expected = reader.lastOffset() + 1;
            assertFalse(reader.lastOffset() >= highWatermark, "never above the high watermark");
            while (reader.next()) {
                out.add(new Record(reader.offset(), reader.timestamp(),
                    new String(reader.valueBytes(), StandardCharsets.UTF_8)));
            }
        }
        assertFalse(iterator.isMalformed(), "records are well formed");
        return out;
    }

    static List<String> values(final List<Record> records) {
        final List<String> values = new ArrayList<>();
        for (final Record record : records) {
            values.add(record.value);
        }
        return values;
    }
}
