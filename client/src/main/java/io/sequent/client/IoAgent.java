package io.sequent.client;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The client's I/O thread as an Agrona {@link Agent}: each duty cycle drains the commands and
 * requests handed over by user threads, then runs the connection and the client's own work. The
 * only thread that touches the connection, the Aeron publications and the producer's batches.
 */
final class IoAgent implements Agent {
    private static final int DRAIN_LIMIT = 64;

    private final String roleName;
    private final ClientConnection connection;
    private final IoWork work;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands;
    private final ManyToOneConcurrentArrayQueue<PendingRequest> submissions;
    private final java.util.function.Consumer<Runnable> runCommand = Runnable::run;
    private final java.util.function.Consumer<PendingRequest> enqueue = this::enqueue;
    private long nowNs;

    IoAgent(
        final String roleName,
        final ClientConnection connection,
        final IoWork work,
        final ManyToOneConcurrentArrayQueue<Runnable> commands,
        final ManyToOneConcurrentArrayQueue<PendingRequest> submissions) {
        this.roleName = roleName;
        this.connection = connection;
        this.work = work;
        this.commands = commands;
        this.submissions = submissions;
    }

    @Override
    public int doWork() {
        nowNs = System.nanoTime();
        int count = commands.drain(runCommand, DRAIN_LIMIT);
        count += submissions.drain(enqueue, DRAIN_LIMIT);
        count += connection.doWork(nowNs);
        count += work.doWork(nowNs);
        return count;
    }

    @Override
    public void onClose() {
        final long now = System.nanoTime();
        commands.drain(runCommand);
        submissions.drain(enqueue);
        try {
            work.onClose(now);
        } finally {
            connection.close();
        }
    }

    @Override
    public String roleName() {
        return roleName;
    }

    private void enqueue(final PendingRequest request) {
        connection.enqueue(request, nowNs);
    }
}
