package io.sequent.client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.aeron.Aeron;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sequent.codec.client.ErrorCode;

/**
 * Everything a client instance needs to talk to a broker: the Aeron side ({@link ClientAeron}: the
 * embedded media driver unless {@code aeron.dir} names one, and the Aeron client), the
 * {@link ClientConnection} that follows the replica group's leader, for a consumer reading from a
 * follower a second one that stays with a follower and carries its fetches, and the I/O thread that
 * runs them. When the Aeron client dies under the
 * client (a pause longer than Aeron's timeouts), the I/O thread rebuilds the Aeron side and the
 * connection reconnects with the new client. User threads hand work over through two queues:
 * commands ({@link #execute}) and requests ({@link #submit}); {@link #call} submits a request and
 * waits for its result.
 *
 * <p>With {@code client.threading.mode=caller} there is no I/O thread: {@link CallerIo} runs the
 * same duty cycle on the calling threads (each hand-over runs it once, {@link #step} runs it on
 * demand, and {@link #await} runs it while it waits), and a sleeping backstop thread runs it when
 * no caller has for a while.
 */
final class ClientIo implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientIo.class);
    private static final AtomicInteger CLIENT_COUNTER = new AtomicInteger();
    private static final int QUEUE_CAPACITY = 4096;
    private static final long WAIT_MARGIN_MS = 2_000;

    private final String clientId;
    private final ClientConfig config;
    private final ClientAeron aeron;
    private final ClientConnection connection;
    private final ClientConnection readConnection;
    private final AgentRunner runner;
    private final CallerIo caller;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands =
        new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final ManyToOneConcurrentArrayQueue<PendingRequest> submissions =
        new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private volatile boolean closed;

    private ClientIo(
        final ClientConfig config,
        final String role,
        final boolean readFromFollower,
        final Function<ClientIo, IoWork> workFactory) {
        this.config = config;
        clientId = config.clientId().isEmpty() ? role + "-" + CLIENT_COUNTER.incrementAndGet() : config.clientId();
        aeron = ClientAeron.start(config, clientId);
        connection = new ClientConnection(aeron.aeron(), config, clientId, true);
        readConnection = readFromFollower ? new ClientConnection(aeron.aeron(), config, clientId, false) : null;
        final IoWork work = workFactory.apply(this);
        final IoAgent agent = new IoAgent("sequent-" + clientId + "-io", aeron, connection, readConnection, work,
            commands, submissions, config.reconnectBackoff().toNanos());
        if (config.threadingMode() == ClientConfig.ThreadingMode.CALLER) {
            runner = null;
            caller = new CallerIo(agent, aeron, ex -> LOG.error("client {}: error in the I/O duty cycle", clientId, ex),
                config.idleStrategy(), "sequent-" + clientId + "-backstop");
            return;
        }
        caller = null;
        runner = new AgentRunner(
            IdleStrategies.create(config.idleStrategy()),
            ex -> LOG.error("client {}: error on the I/O thread", clientId, ex),
            null,
            agent);
        final Thread thread = new Thread(runner, agent.roleName());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts the I/O thread and waits for the first session.
     *
     * @param config      connection settings (a copy the caller keeps unchanged).
     * @param role        {@code producer}, {@code consumer} or {@code admin}, for generated ids.
     * @param workFactory the client's own I/O work, given this instance.
     * @return a connected instance.
     * @throws BrokerUnreachableException when no broker answered within the connect timeout.
     */
    static ClientIo start(final ClientConfig config, final String role, final Function<ClientIo, IoWork> workFactory) {
        return start(config, role, false, workFactory);
    }

    /**
     * Starts the I/O thread and waits for the first session (and the follower session, if asked).
     *
     * @param config           connection settings (a copy the caller keeps unchanged).
     * @param role             {@code producer}, {@code consumer} or {@code admin}, for generated ids.
     * @param readFromFollower whether fetches go to a follower, over a session of their own.
     * @param workFactory      the client's own I/O work, given this instance.
     * @return a connected instance.
     * @throws BrokerUnreachableException when no broker answered.
     */
    static ClientIo start(
        final ClientConfig config,
        final String role,
        final boolean readFromFollower,
        final Function<ClientIo, IoWork> workFactory) {
        requireResolvable(config);
        final ClientIo io = new ClientIo(config, role, readFromFollower, workFactory);
        try {
            // each bootstrap member may take an attempt of its own, and a redirect one more
            final long waitMs = config.connectTimeout().toMillis() * (config.bootstrapEndpoints().size() + 1)
                + WAIT_MARGIN_MS;
            io.awaitDone(io.connection.connectFuture(), waitMs);
            io.connection.connectFuture().get(waitMs, TimeUnit.MILLISECONDS);
            if (io.readConnection != null) {
                io.awaitDone(io.readConnection.connectFuture(), waitMs);
                io.readConnection.connectFuture().get(waitMs, TimeUnit.MILLISECONDS);
            }
            return io;
        } catch (final ExecutionException ex) {
            io.close();
            throw ex.getCause() instanceof SequentException se ? se
                : new SequentException(ErrorCode.NULL_VAL, "connect failed: " + ex.getCause(), ex.getCause());
        } catch (final TimeoutException | RequestTimeoutException ex) {
            io.close();
            throw new BrokerUnreachableException("no session with a broker at " + config.bootstrap() + " within "
                + config.connectTimeout().toMillis() + " ms");
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            io.close();
            throw new SequentException(ErrorCode.NULL_VAL, "interrupted while connecting", ex);
        }
    }

    /**
     * Fails at once, naming the host, when no bootstrap host resolves: the media driver would only
     * log the failure with a stack trace per attempt until the connect timeout.
     */
    static void requireResolvable(final ClientConfig config) {
        String unresolved = null;
        for (final String endpoint : config.bootstrapEndpoints()) {
            if (endpoint.startsWith("aeron:")) {
                return;
            }
            String host = endpoint.substring(0, endpoint.lastIndexOf(':'));
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                InetAddress.getByName(host);
                return;
            } catch (final UnknownHostException ex) {
                unresolved = unresolved == null ? host : unresolved + ", " + host;
            }
        }
        throw new BrokerUnreachableException("cannot resolve the broker host " + unresolved + " (" +
            ClientConfig.BOOTSTRAP_SERVERS + "=" + config.bootstrap() + ")");
    }

    String clientId() {
        return clientId;
    }

    ClientConfig config() {
        return config;
    }

    /**
     * The connection; only the I/O thread may use it.
     *
     * @return the connection.
     */
    ClientConnection connection() {
        return connection;
    }

    /**
     * The connection a request of this kind goes to: fetches to the follower session when there is
     * one, everything else to the leader's. Only the I/O thread may use it.
     *
     * @param anyMember {@link PendingRequest#anyMember()}.
     * @return the connection.
     */
    ClientConnection connectionFor(final boolean anyMember) {
        return anyMember && readConnection != null ? readConnection : connection;
    }

    /**
     * @return whether the client knows of more than one member of the replica group (any thread).
     */
    boolean replicated() {
        return connection.memberCount() > 1 || readConnection != null && readConnection.memberCount() > 1;
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * @return how many times the I/O thread rebuilt the Aeron side after it died under the client.
     */
    long aeronRebuilds() {
        return aeron.rebuilds();
    }

    /**
     * The current Aeron client, for tests that close it under a running client.
     *
     * @return the Aeron client.
     */
    Aeron aeron() {
        return aeron.aeron();
    }

    /**
     * @return true in {@code client.threading.mode=caller}: the I/O moves only when a caller (or the
     *     backstop) runs {@link #step}.
     */
    boolean callerDriven() {
        return caller != null;
    }

    /**
     * In caller mode, runs the I/O duty cycle once on the calling thread (unless another thread is
     * running it); in dedicated mode does nothing, the I/O thread runs it.
     *
     * @return work done.
     */
    int step() {
        return caller == null ? 0 : caller.step();
    }

    /**
     * Runs a command on the I/O thread (in caller mode, on the next duty cycle, which this call runs).
     *
     * @param command the command.
     */
    void execute(final Runnable command) {
        checkOpen();
        while (!commands.offer(command)) {
            checkOpen();
            if (step() == 0) {
                Thread.yield();
            }
        }
        step();
    }

    /**
     * Hands a request to the I/O thread, which sends it as soon as it can (in caller mode, on the
     * next duty cycle, which this call runs).
     *
     * @param request a request with its timeout set.
     */
    void submit(final PendingRequest request) {
        checkOpen();
        while (!submissions.offer(request)) {
            checkOpen();
            if (step() == 0) {
                Thread.yield();
            }
        }
        step();
    }

    /**
     * Sends a request and waits for its result, at most its timeout plus a margin.
     *
     * @param call the request.
     * @param <T>  the result type.
     * @return the result.
     * @throws SequentException the failure the call reported.
     */
    <T> T call(final Call<T> call) {
        final long waitMs = TimeUnit.NANOSECONDS.toMillis(call.timeoutNs) + WAIT_MARGIN_MS;
        submit(call);
        return await(call.future, waitMs);
    }

    /**
     * Waits for a future completed by the I/O duty cycle; in caller mode, runs the cycle while it
     * waits.
     *
     * @param future    the future.
     * @param timeoutMs the bound.
     * @param <T>       the result type.
     * @return the result.
     */
    <T> T await(final CompletableFuture<T> future, final long timeoutMs) {
        awaitDone(future, timeoutMs);
        return result(future, timeoutMs);
    }

    /**
     * In caller mode, runs the I/O duty cycle until the future completes or the time is up; in
     * dedicated mode returns at once (the I/O thread completes the future).
     *
     * @param future    the future.
     * @param timeoutMs the bound.
     */
    void awaitDone(final CompletableFuture<?> future, final long timeoutMs) {
        if (caller != null) {
            caller.awaitDone(future, timeoutMs);
        }
    }

    private static <T> T result(final CompletableFuture<T> future, final long timeoutMs) {
        try {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (final ExecutionException ex) {
            final Throwable cause = ex.getCause();
            if (cause instanceof SequentException se) {
                throw se;
            }
            throw new SequentException(ErrorCode.NULL_VAL, String.valueOf(cause), cause);
        } catch (final TimeoutException ex) {
            throw new RequestTimeoutException("no result within " + timeoutMs + " ms");
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new SequentException(ErrorCode.NULL_VAL, "interrupted", ex);
        }
    }

    /**
     * Stops the I/O thread (which ends the session; in caller mode the backstop, and the calling
     * thread ends the session), then closes Aeron and the embedded driver.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CloseHelper.quietClose(runner);
        CloseHelper.quietClose(caller);
        CloseHelper.quietClose(aeron);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("client " + clientId + " is closed");
        }
    }
}
