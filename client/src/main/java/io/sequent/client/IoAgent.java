package io.sequent.client;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's I/O duty cycle as an Agrona {@link Agent}: each duty cycle drains the commands and
 * requests handed over by user threads, then runs the connection and the client's own work. The
 * only thread that touches the connections, the Aeron publications and the producer's batches. Fetches
 * go to the follower connection when the consumer reads from a follower; every other request to the
 * connection that follows the leader.
 *
 * <p>In {@code client.threading.mode=caller} the agent has no thread: {@link CallerIo} runs it on
 * the calling threads, one at a time, and each cycle first steps the embedded media driver and the
 * Aeron conductor ({@link ClientAeron#invoke()}), which have no threads either.
 *
 * <p>Each cycle also checks that the Aeron client is alive; when it has died under the client (its
 * conductor or the driver timed out after a pause, or it was closed), the agent drops the
 * connection's Aeron resources, rebuilds the {@link ClientAeron} and hands the new client to the
 * connection, which reconnects. A rebuild that fails is tried again after the reconnect backoff.
 */
final class IoAgent implements Agent {
    private static final int DRAIN_LIMIT = 64;

    private static final Logger LOG = LoggerFactory.getLogger(IoAgent.class);

    private final String roleName;
    private final ClientAeron aeron;
    private final ClientConnection connection;
    private final ClientConnection readConnection;
    private final IoWork work;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands;
    private final ManyToOneConcurrentArrayQueue<PendingRequest> submissions;
    private final java.util.function.Consumer<Runnable> runCommand = Runnable::run;
    private final java.util.function.Consumer<PendingRequest> enqueue = this::enqueue;
    private final long rebuildBackoffNs;
    private long nowNs;
    private long nextRebuildNs;

    IoAgent(
        final String roleName,
        final ClientAeron aeron,
        final ClientConnection connection,
        final ClientConnection readConnection,
        final IoWork work,
        final ManyToOneConcurrentArrayQueue<Runnable> commands,
        final ManyToOneConcurrentArrayQueue<PendingRequest> submissions,
        final long rebuildBackoffNs) {
        this.roleName = roleName;
        this.aeron = aeron;
        this.connection = connection;
        this.readConnection = readConnection;
        this.work = work;
        this.commands = commands;
        this.submissions = submissions;
        this.rebuildBackoffNs = rebuildBackoffNs;
    }

    @Override
    public int doWork() {
        nowNs = System.nanoTime();
        int count = aeron.invoke();
        count += commands.drain(runCommand, DRAIN_LIMIT);
        count += submissions.drain(enqueue, DRAIN_LIMIT);
        if ((aeron.isLost() || connection.aeronResourcesClosed()
            || readConnection != null && readConnection.aeronResourcesClosed()) && nowNs - nextRebuildNs >= 0) {
            count += rebuildAeron(nowNs);
        }
        count += connection.doWork(nowNs);
        if (readConnection != null) {
            count += readConnection.doWork(nowNs);
        }
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
            if (readConnection != null) {
                readConnection.close();
            }
        }
    }

    @Override
    public String roleName() {
        return roleName;
    }

    private int rebuildAeron(final long now) {
        final String reason = "the Aeron client closed its publications and subscriptions";
        connection.dropAeron(now, "Aeron client lost");
        if (readConnection != null) {
            readConnection.dropAeron(now, "Aeron client lost");
        }
        try {
            aeron.rebuild(reason);
            connection.useAeron(aeron.aeron());
            if (readConnection != null) {
                readConnection.useAeron(aeron.aeron());
            }
        } catch (final SequentException ex) {
            LOG.warn("{}: cannot rebuild the Aeron client: {}; trying again", roleName, ex.getMessage());
            nextRebuildNs = now + rebuildBackoffNs;
        }
        return 1;
    }

    private void enqueue(final PendingRequest request) {
        (readConnection != null && request.anyMember() ? readConnection : connection).enqueue(request, nowNs);
    }
}
