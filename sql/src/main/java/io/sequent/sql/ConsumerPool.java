package io.sequent.sql;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import io.sequent.client.Consumer;
import io.sequent.client.ConsumerConfig;

/**
 * The consumers scans borrow, one per open scan (a query may scan several topics at once, and a
 * {@link Consumer} has one reader). A returned consumer is kept for the next scan; all are closed with the
 * pool. Thread-safe.
 */
final class ConsumerPool implements AutoCloseable {
    private final ConsumerConfig config;
    private final ArrayDeque<Consumer> idle = new ArrayDeque<>();
    private final List<Consumer> all = new ArrayList<>();
    private boolean closed;

    ConsumerPool(final ConsumerConfig config) {
        this.config = config;
    }

    synchronized Consumer borrow() {
        if (closed) {
            throw new IllegalStateException("the connection is closed");
        }
        final Consumer consumer = idle.poll();
        if (consumer != null) {
            return consumer;
        }
        final Consumer created = new Consumer(config.copy());
        all.add(created);
        return created;
    }

    synchronized void giveBack(final Consumer consumer) {
        if (closed) {
            return;
        }
        // Nothing stays assigned while it waits, so it fetches nothing meanwhile.
        consumer.assign(List.of());
        idle.push(consumer);
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (final Consumer consumer : all) {
            consumer.close();
        }
        all.clear();
        idle.clear();
    }
}
