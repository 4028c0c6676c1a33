package io.sequent.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;

/**
 * Runs a client's I/O duty cycle ({@link IoAgent}, which in caller mode also steps the embedded
 * media driver and the Aeron conductor) on the threads that call the client, for
 * {@code client.threading.mode=caller}: no I/O thread, no conductor thread, no driver thread.
 *
 * <p>One thread at a time runs the duty cycle: a caller claims it with a compare-and-set and
 * releases it when the cycle returns; a caller that finds it claimed goes on without running it
 * (the thread that holds it is doing the same work), so no caller ever blocks on another. The
 * claim's release and the next claim order everything one cycle wrote before the next cycle reads
 * it, so the duty cycle's state keeps a single writer at a time, as the I/O thread's did.
 *
 * <p>A backstop thread, {@code sequent-<client id>-backstop}, sleeps
 * {@value ClientConfig.ThreadingMode#BACKSTOP_INTERVAL_MS} ms at a time and runs the duty cycle when
 * no caller has run it for that long, so that session keep-alives, group heartbeats, Aeron's
 * liveness messages and answers still move while the application does not call the client. It
 * never stays hot: it sleeps after each cycle it runs.
 */
final class CallerIo implements AutoCloseable {
    private static final long BACKSTOP_NS =
        TimeUnit.MILLISECONDS.toNanos(ClientConfig.ThreadingMode.BACKSTOP_INTERVAL_MS);
    private static final long CLOSE_CLAIM_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final IoAgent agent;
    private final ClientAeron aeron;
    private final ErrorHandler errorHandler;
    private final String idleStrategy;
    private final AtomicReference<Thread> holder = new AtomicReference<>();
    private final AgentRunner backstop;
    private volatile long lastCycleNs = System.nanoTime();
    private volatile boolean closed;

    /**
     * @param agent        the duty cycle.
     * @param aeron        the Aeron side the cycle steps, flushed once more at close.
     * @param errorHandler what a failed cycle is reported to.
     * @param idleStrategy how a waiting caller idles between cycles ({@code idle.strategy}).
     * @param backstopName the backstop thread's name.
     */
    CallerIo(
        final IoAgent agent,
        final ClientAeron aeron,
        final ErrorHandler errorHandler,
        final String idleStrategy,
        final String backstopName) {
        this.agent = agent;
        this.aeron = aeron;
        this.errorHandler = errorHandler;
        this.idleStrategy = idleStrategy;
        backstop = new AgentRunner(new SleepingIdleStrategy(BACKSTOP_NS), errorHandler, null, new Agent() {
            @Override
            public int doWork() {
                if (System.nanoTime() - lastCycleNs >= BACKSTOP_NS) {
                    step();
                }
                return 0; // sleep after every look, whatever the cycle did
            }

            @Override
            public String roleName() {
                return backstopName;
            }
        });
        final Thread thread = new Thread(backstop, backstopName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Runs the duty cycle once on the calling thread unless another thread is running it.
     *
     * @return work done; 0 when another thread holds the cycle.
     */
    int step() {
        final Thread self = Thread.currentThread();
        if (closed || !holder.compareAndSet(null, self)) {
            return 0;
        }
        try {
            return agent.doWork();
        } catch (final RuntimeException ex) {
            errorHandler.onError(ex);
            return 0;
        } finally {
            lastCycleNs = System.nanoTime();
            holder.set(null);
        }
    }

    /**
     * Runs the duty cycle until the future completes or the time is up.
     *
     * @param future    the future.
     * @param timeoutMs the bound.
     * @throws IllegalStateException when called from inside the duty cycle (a producer callback),
     *                               which could never complete the future.
     * @throws RequestTimeoutException when the future did not complete in time.
     */
    void awaitDone(final CompletableFuture<?> future, final long timeoutMs) {
        if (future.isDone()) {
            return;
        }
        if (holder.get() == Thread.currentThread()) {
            throw new IllegalStateException("cannot wait for the client from inside its I/O duty cycle "
                + "(a callback) in " + ClientConfig.THREADING_MODE + "=caller");
        }
        final IdleStrategy idle = IdleStrategies.create(idleStrategy);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!future.isDone()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new RequestTimeoutException("no result within " + timeoutMs + " ms");
            }
            if (Thread.currentThread().isInterrupted()) {
                return; // the future's get reports the interrupt
            }
            idle.idle(step());
        }
    }

    /**
     * Stops the backstop, then runs the agent's close on the calling thread (which ends the
     * session) and steps the driver a little longer so that the goodbye leaves.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        CloseHelper.quietClose(backstop);
        closed = true;
        final long deadline = System.nanoTime() + CLOSE_CLAIM_TIMEOUT_NS;
        while (!holder.compareAndSet(null, Thread.currentThread())) {
            if (System.nanoTime() - deadline >= 0) {
                errorHandler.onError(new IllegalStateException("the client's I/O duty cycle did not return within "
                    + TimeUnit.NANOSECONDS.toSeconds(CLOSE_CLAIM_TIMEOUT_NS) + " s of close"));
                return;
            }
            LockSupport.parkNanos(100_000);
        }
        try {
            agent.onClose();
            for (int i = 0; i < 10 && aeron.invoke() > 0; i++) {
                Thread.yield();
            }
        } catch (final RuntimeException ex) {
            errorHandler.onError(ex);
        }
        // the claim stays taken: no cycle runs after close
    }
}
