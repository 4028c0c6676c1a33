package io.sequent.perf.harness;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.sequent.sequencer.IdleStrategies;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The transport's own floor: raw Aeron ping-pong over UDP on 127.0.0.1, through the same media
 * driver and the same idle strategies as the Sequent run, with messages of the workload's record
 * size. A "send" offers one message on the ping channel; an echo thread (standing in for the broker
 * thread, with the broker's idle strategy) offers it back on the pong channel; a receiver thread
 * (standing in for the client's I/O thread, with the client's idle strategy) completes the send when
 * the echo arrives. Its produce -> ack latency is thus one Aeron round trip, measured by the same
 * harness, at the same rate, from the same intended send times as the systems beside it.
 *
 * <p>In the two-thread layout ({@code --threads two}, beside a Sequent client in
 * {@code client.threading.mode=caller} and a broker with its driver on the broker thread) the same
 * round trip runs on two threads and two media drivers in Aeron's INVOKER mode, as Sequent does
 * there: the sending thread steps its own driver and Aeron client and polls the echoes while it
 * waits for its next send; the echo thread steps the other driver and client with the broker's idle
 * strategy.
 *
 * <p>It has no consumer: in end-to-end runs it contributes its round trip only.
 */
public final class AeronPingPongDriver implements Driver {
    private static final int PING_STREAM_ID = 2001;
    private static final int PONG_STREAM_ID = 2002;
    private static final int FRAGMENT_LIMIT = 64;
    private static final int PENDING_CAPACITY = 1 << 16;
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final String aeronDirectory;
    private final String echoIdle;
    private final String receiverIdle;
    private final boolean twoThreads;

    /**
     * @param aeronDirectory the media driver to use (the Sequent broker's, for a like-for-like floor).
     * @param echoIdle       idle strategy of the echo thread (the broker's).
     * @param receiverIdle   idle strategy of the receiving thread (the client's I/O thread's).
     */
    public AeronPingPongDriver(final String aeronDirectory, final String echoIdle, final String receiverIdle) {
        this(aeronDirectory, echoIdle, receiverIdle, false);
    }

    /**
     * @param aeronDirectory the media driver to use (unused in the two-thread layout, which starts its own two).
     * @param echoIdle       idle strategy of the echo thread (the broker's).
     * @param receiverIdle   idle strategy of the receiving thread (the client's I/O thread's).
     * @param twoThreads     the two-thread layout: sender and echo threads each step a driver of their own.
     */
    public AeronPingPongDriver(
        final String aeronDirectory, final String echoIdle, final String receiverIdle, final boolean twoThreads) {
        this.aeronDirectory = aeronDirectory;
        this.echoIdle = echoIdle;
        this.receiverIdle = receiverIdle;
        this.twoThreads = twoThreads;
    }

    @Override
    public String system() {
        return Workload.BASELINE;
    }

    @Override
    public String description() {
        if (twoThreads) {
            return "raw Aeron round trip, UDP on 127.0.0.1, two threads: the sender steps its own INVOKER media " +
                "driver and polls the echoes between sends; the echo thread steps another (echo idle " + echoIdle + ")";
        }
        return "raw Aeron round trip, UDP on 127.0.0.1 through the same media driver (echo idle " + echoIdle +
            ", receiver idle " + receiverIdle + ")";
    }

    @Override
    public boolean hasConsumer() {
        return false;
    }

    @Override
    public void createTopic(final String topic, final Workload workload) {
        // Nothing to create: the channels are the producer's.
    }

    @Override
    public Sender producer(final String topic, final Workload workload) {
        return twoThreads ? new InvokedPingPong() : new PingPong();
    }

    @Override
    public Receiver consumer(final String topic, final Workload workload) {
        throw new UnsupportedOperationException("the Aeron baseline has no consumer");
    }

    @Override
    public void close() {
        // Each PingPong owns its resources.
    }

    private static String channel(final int port) {
        return "aeron:udp?endpoint=127.0.0.1:" + port + "|term-length=16m";
    }

    private static int freeUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return socket.getLocalPort();
        } catch (final IOException ex) {
            throw new UncheckedIOException("no free UDP port on 127.0.0.1", ex);
        }
    }

    /** One ping publication, its echo, and the receiver of the echoes. */
    private final class PingPong implements Sender {
        private final Aeron aeron;
        private final ExclusivePublication ping;
        private final Subscription pong;
        private final Thread echoThread;
        private final Thread receiverThread;
        private final AtomicReferenceArray<Completion> pending = new AtomicReferenceArray<>(PENDING_CAPACITY);
        private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[0]);
        private volatile boolean running = true;
        private volatile long received;
        private long sent;

        PingPong() {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirectory).clientName("perf-ping"));
            final String pingChannel = channel(freeUdpPort());
            final String pongChannel = channel(freeUdpPort());
            final Subscription echoIn = aeron.addSubscription(pingChannel, PING_STREAM_ID);
            final ExclusivePublication echoOut = aeron.addExclusivePublication(pongChannel, PONG_STREAM_ID);
            pong = aeron.addSubscription(pongChannel, PONG_STREAM_ID);
            ping = aeron.addExclusivePublication(pingChannel, PING_STREAM_ID);
            final long deadline = System.nanoTime() + CONNECT_TIMEOUT_NS;
            while (!ping.isConnected() || !echoOut.isConnected()) {
                if (System.nanoTime() > deadline) {
                    CloseHelper.closeAll(ping, pong, echoOut, echoIn, aeron);
                    throw new IllegalStateException("the Aeron ping-pong channels did not connect on 127.0.0.1");
                }
                Thread.yield();
            }
            echoThread = new Thread(() -> echo(echoIn, echoOut), "perf-aeron-echo");
            receiverThread = new Thread(this::receive, "perf-aeron-receiver");
            echoThread.start();
            receiverThread.start();
        }

        private void echo(final Subscription in, final ExclusivePublication out) {
            final IdleStrategy idle = IdleStrategies.parse(echoIdle);
            // Records larger than the MTU arrive in fragments: reassemble, so each message is echoed whole.
            final FragmentHandler handler =
                new FragmentAssembler((buffer, offset, length, header) -> offer(out, buffer, offset, length));
            try {
                while (running) {
                    idle.idle(in.poll(handler, FRAGMENT_LIMIT));
                }
            } finally {
                CloseHelper.closeAll(out, in);
            }
        }

        private void receive() {
            final IdleStrategy idle = IdleStrategies.parse(receiverIdle);
            final FragmentHandler handler = new FragmentAssembler((buffer, offset, length, header) -> {
                final long index = received;
                final Completion completion = pending.getAndSet((int) (index & (PENDING_CAPACITY - 1)), null);
                received = index + 1;
                completion.complete(null);
            });
            while (running) {
                idle.idle(pong.poll(handler, FRAGMENT_LIMIT));
            }
        }

        private void offer(
            final Publication publication, final DirectBuffer buffer, final int offset, final int length) {
            long result;
            while ((result = publication.offer(buffer, offset, length)) < 0) {
                if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED || !running) {
                    throw new IllegalStateException("Aeron publication failed: " + Publication.errorString(result));
                }
                Thread.yield();
            }
        }

        @Override
        public void send(final byte[] value, final Completion completion) {
            while (sent - received >= PENDING_CAPACITY) {
                Thread.yield();
            }
            pending.set((int) (sent & (PENDING_CAPACITY - 1)), completion);
            sent++;
            sendBuffer.wrap(value);
            offer(ping, sendBuffer, 0, value.length);
        }

        @Override
        public void flush() throws InterruptedException {
            final long deadline = System.nanoTime() + CONNECT_TIMEOUT_NS;
            while (received < sent) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Aeron echoes missing: " + (sent - received));
                }
                Thread.sleep(1);
            }
        }

        @Override
        public void close() {
            running = false;
            try {
                echoThread.join();
                receiverThread.join();
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            } finally {
                CloseHelper.closeAll(ping, pong, aeron);
            }
        }
    }

    private static MediaDriver invokedDriver() {
        return MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.INVOKER)
            .publicationTermBufferLength(16 * 1024 * 1024)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
    }

    private static Aeron invokedClient(final MediaDriver driver, final String name) {
        return Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .clientName(name)
            .useConductorAgentInvoker(true)
            .driverAgentInvoker(driver.sharedAgentInvoker()));
    }

    /**
     * The two-thread layout: the ping side's driver and client are stepped by the sending thread, the pong side's
     * by the echo thread. The constructing thread steps both until the channels connect, then hands the pong side
     * to the echo thread (Thread.start) and the ping side to the sending thread (which starts after it).
     */
    private final class InvokedPingPong implements Sender {
        private final MediaDriver pingDriver;
        private final MediaDriver pongDriver;
        private final Aeron pingAeron;
        private final Aeron pongAeron;
        private final AgentInvoker pingDriverInvoker;
        private final AgentInvoker pingConductor;
        private final ExclusivePublication ping;
        private final Subscription pong;
        private final Thread echoThread;
        private final Completion[] pending = new Completion[PENDING_CAPACITY];
        private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[0]);
        private final FragmentHandler onEcho;
        private volatile boolean running = true;
        private long received;
        private long sent;

        InvokedPingPong() {
            pingDriver = invokedDriver();
            pongDriver = invokedDriver();
            pingAeron = invokedClient(pingDriver, "perf-ping");
            pongAeron = invokedClient(pongDriver, "perf-pong");
            pingDriverInvoker = pingDriver.sharedAgentInvoker();
            pingConductor = pingAeron.conductorAgentInvoker();
            final String pingChannel = channel(freeUdpPort());
            final String pongChannel = channel(freeUdpPort());
            final Subscription echoIn = pongAeron.addSubscription(pingChannel, PING_STREAM_ID);
            final ExclusivePublication echoOut = pongAeron.addExclusivePublication(pongChannel, PONG_STREAM_ID);
            pong = pingAeron.addSubscription(pongChannel, PONG_STREAM_ID);
            ping = pingAeron.addExclusivePublication(pingChannel, PING_STREAM_ID);
            final long deadline = System.nanoTime() + CONNECT_TIMEOUT_NS;
            while (!ping.isConnected() || !echoOut.isConnected()) {
                if (System.nanoTime() > deadline) {
                    CloseHelper.closeAll(ping, pong, echoOut, echoIn, pingAeron, pongAeron, pingDriver, pongDriver);
                    throw new IllegalStateException("the Aeron ping-pong channels did not connect on 127.0.0.1");
                }
                stepPing();
                pongDriver.sharedAgentInvoker().invoke();
                pongAeron.conductorAgentInvoker().invoke();
                Thread.yield();
            }
            onEcho = new FragmentAssembler((buffer, offset, length, header) -> {
                final int index = (int) (received & (PENDING_CAPACITY - 1));
                final Completion completion = pending[index];
                pending[index] = null;
                received++;
                completion.complete(null);
            });
            echoThread = new Thread(() -> echo(echoIn, echoOut), "perf-aeron-echo");
            echoThread.start();
        }

        private int stepPing() {
            return pingDriverInvoker.invoke() + pingConductor.invoke();
        }

        private int stepAndPoll() {
            return stepPing() + pong.poll(onEcho, FRAGMENT_LIMIT);
        }

        private void echo(final Subscription in, final ExclusivePublication out) {
            final IdleStrategy idle = IdleStrategies.parse(echoIdle);
            final AgentInvoker driver = pongDriver.sharedAgentInvoker();
            final AgentInvoker conductor = pongAeron.conductorAgentInvoker();
            final FragmentHandler handler = new FragmentAssembler((buffer, offset, length, header) -> {
                long result;
                while ((result = out.offer(buffer, offset, length)) < 0) {
                    if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED || !running) {
                        throw new IllegalStateException("Aeron publication failed: " + Publication.errorString(result));
                    }
                    driver.invoke();
                }
            });
            while (running) {
                idle.idle(driver.invoke() + conductor.invoke() + in.poll(handler, FRAGMENT_LIMIT));
            }
        }

        @Override
        public void send(final byte[] value, final Completion completion) {
            while (sent - received >= PENDING_CAPACITY) {
                if (stepAndPoll() == 0) {
                    Thread.yield();
                }
            }
            pending[(int) (sent & (PENDING_CAPACITY - 1))] = completion;
            sent++;
            sendBuffer.wrap(value);
            long result;
            while ((result = ping.offer(sendBuffer, 0, value.length)) < 0) {
                if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                    throw new IllegalStateException("Aeron publication failed: " + Publication.errorString(result));
                }
                stepAndPoll();
            }
            stepAndPoll();
        }

        @Override
        public void awaitUntil(final NanoClock clock, final long deadlineNs) {
            while (clock.nanoTime() < deadlineNs) {
                if (stepAndPoll() == 0) {
                    Thread.yield();
                }
            }
        }

        @Override
        public void flush() {
            final long deadline = System.nanoTime() + CONNECT_TIMEOUT_NS;
            while (received < sent) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Aeron echoes missing: " + (sent - received));
                }
                if (stepAndPoll() == 0) {
                    Thread.yield();
                }
            }
        }

        @Override
        public void close() {
            running = false;
            try {
                echoThread.join();
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            } finally {
                CloseHelper.closeAll(ping, pong, pingAeron, pongAeron, pingDriver, pongDriver);
            }
        }
    }
}
