package io.sequent.broker;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class RateLimitedLogTest {
    private final List<String> lines = new ArrayList<>();
    private final List<Throwable> causes = new ArrayList<>();
    private final long[] now = {1_000};
    private final RateLimitedLog log = new RateLimitedLog((message, cause) -> {
        lines.add(message);
        causes.add(cause);
    }, () -> now[0], TimeUnit.SECONDS.toNanos(10));

    @Test
    void theFirstOccurrenceIsLoggedWithItsCauseThenOneSummaryPerInterval() {
        final RuntimeException first = new IllegalStateException("first");
        log.warn("bad request 0", first);
        for (int i = 1; i < 10_000; i++) {
            now[0] += TimeUnit.MILLISECONDS.toNanos(1);
            log.warn("bad request " + i, new IllegalStateException("cause " + i));
        }
        assertEquals(1, lines.size(), "nothing but the first within the interval: " + lines);
        assertEquals("bad request 0", lines.get(0));
        assertSame(first, causes.get(0));

        now[0] += TimeUnit.SECONDS.toNanos(1);
        assertEquals(1, log.poll(now[0]), "the interval has passed: the summary");
        assertEquals(2, lines.size());
        assertEquals("9999 more like this since the last such line (counted, not logged); the latest: "
            + "bad request 9999: java.lang.IllegalStateException: cause 9999", lines.get(1));
        assertNull(causes.get(1), "no stack trace in a summary");

        assertEquals(0, log.poll(now[0] + TimeUnit.SECONDS.toNanos(60)), "nothing held back, nothing to say");
        now[0] += TimeUnit.SECONDS.toNanos(60);
        log.warn("later", null);
        assertEquals(List.of("bad request 0", lines.get(1), "later"), lines,
            "after a quiet interval: logged as it comes");
    }

    @Test
    void flushReportsWhatWasHeldBack() {
        assertEquals(0, log.flush(), "nothing yet");
        log.warn("a", null);
        log.warn("b", null);
        log.warn("c", null);
        assertEquals(1, log.flush());
        assertEquals(List.of("a", "2 more like this since the last such line (counted, not logged); the latest: c"),
            lines);
        assertEquals(0, log.flush(), "said once");
    }
}
