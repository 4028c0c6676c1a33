package io.sequent.broker;

import io.sequent.codec.client.ErrorCode;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The broker's agents take their time from the injected {@link BrokerContext#nanoClock()}: with a scripted clock
 * a long poll of a minute and a session timeout of two minutes pass in the time it takes to step the clock, and
 * nothing expires while the clock stands still.
 */
class ScriptedClockTest {
    @TempDir
    Path dataDir;

    @Test
    void longPollsAndSessionsExpireByTheInjectedClock() {
        final CachedNanoClock clock = new CachedNanoClock();
        clock.update(TimeUnit.SECONDS.toNanos(1_000));
        final BrokerContext ctx = TestSupport.context(dataDir).nanoClock(clock).sessionTimeoutMs(120_000);
        try (Broker broker = Broker.launch(ctx);
            TestClient client = new TestClient(broker)) {
            client.connect("scripted");
            assertEquals(ErrorCode.NONE, client.createTopic("t", 1).code);

            final long fetchId = client.sendFetch("t", 60_000, 1, 1 << 20, new int[]{0}, new long[]{0});
            assertNull(client.pollFor(fetchId, 300), "the clock stands still: the long poll waits");
            clock.advance(TimeUnit.SECONDS.toNanos(61));
            final TestClient.FetchResult fetched = TestClient.fetchResult(client.await(fetchId));
            assertEquals(ErrorCode.NONE, fetched.partition(0).code, "answered at maxWait by the scripted clock");
            assertEquals(0, fetched.partition(0).records.capacity());

            TestClient.sleep(300);
            assertEquals(1, broker.sessionCount(), "no session expires while the clock stands still");
            clock.advance(TimeUnit.SECONDS.toNanos(121));
            final long deadline = System.currentTimeMillis() + TestClient.TIMEOUT_MS;
            while (broker.sessionCount() != 0 || broker.counters().sessionsTimedOut.get() != 1) {
                if (System.currentTimeMillis() > deadline) {
                    fail("the session did not time out: " + broker.counters());
                }
                TestClient.sleep(1);
            }
        }
    }
}
