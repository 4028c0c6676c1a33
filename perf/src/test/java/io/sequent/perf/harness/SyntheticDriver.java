package io.sequent.perf.harness;

import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

/**
 * A system with known service times. On the manual clock, each send takes {@code serviceTime(i)}
 * nanoseconds (the clock advances by it) and is then acknowledged, on the sending thread, so the
 * latencies the runner records are known exactly. Its consumer delivers each record a fixed real
 * {@code deliveryDelayNs} after it was sent.
 */
final class SyntheticDriver implements Driver {
    private final ManualClock clock;
    private final LongUnaryOperator serviceTime;
    private final long deliveryDelayNs;
    private final AtomicLong sends = new AtomicLong();
    private final DelayQueue<Delivery> deliveries = new DelayQueue<>();
    String createdTopic;

    SyntheticDriver(final ManualClock clock, final LongUnaryOperator serviceTime, final long deliveryDelayNs) {
        this.clock = clock;
        this.serviceTime = serviceTime;
        this.deliveryDelayNs = deliveryDelayNs;
    }

    @Override
    public String system() {
        return "synthetic";
    }

    @Override
    public String description() {
        return "synthetic service times";
    }

    @Override
    public void createTopic(final String topic, final Workload workload) {
        createdTopic = topic;
    }

    @Override
    public Sender producer(final String topic, final Workload workload) {
        return new Sender() {
            @Override
            public void send(final byte[] value, final Completion completion) {
                if (clock != null) {
                    clock.advance(serviceTime.applyAsLong(sends.getAndIncrement()));
                }
                deliveries.add(new Delivery(value, System.nanoTime() + deliveryDelayNs));
                completion.complete(null);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public Receiver consumer(final String topic, final Workload workload) {
        return new Receiver() {
            @Override
            public int poll(final ValueSink sink, final long timeoutMs) throws InterruptedException {
                final Delivery delivery = deliveries.poll(timeoutMs, TimeUnit.MILLISECONDS);
                if (delivery == null) {
                    return 0;
                }
                sink.accept(delivery.value);
                return 1;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void close() {
    }

    private record Delivery(byte[] value, long dueNs) implements Delayed {
        @Override
        public long getDelay(final TimeUnit unit) {
            return unit.convert(dueNs - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(final Delayed other) {
            return Long.compare(dueNs, ((Delivery) other).dueNs);
        }
    }
}
